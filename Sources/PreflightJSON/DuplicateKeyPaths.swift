/// Where keys are written twice, at any depth.
///
/// A path names members by key, joined by `.`, and array elements by `[i]` counted from 0:
/// `bounding-box.annotations[2].class_id`. A key that is empty or holds anything but ASCII
/// letters, digits, `-` and `_` is written as a JSON string in brackets (`["a.b"]`), so
/// that every path reads one way.
extension JSONValue {
    /// The path of every key that occurs more than once in one object of this value, each
    /// named once, in document order (an object's own repeated keys before those inside it).
    /// Repeated members are all searched, the overridden ones included: each is something
    /// the text says.
    public var duplicateKeyPaths: [String] {
        // Nearly every line has none: a search that builds no path answers that first.
        guard hasDuplicateKeys else { return [] }
        // Paths are built only for what is found: each container remembers its parent and
        // the step to it. An explicit stack, as in the parser: depth cannot overflow it.
        var steps: [(parent: Int, step: PathStep)] = []
        var pending: [(value: JSONValue, node: Int)] = [(self, -1)]
        var found: [String] = []
        while let (value, node) = pending.popLast() {
            switch value {
            case .object(let object):
                for key in object.duplicateKeys {
                    found.append(Self.path(to: node, then: .key(key), steps: steps))
                }
                for member in object.members.reversed() where member.value.holdsMembers {
                    steps.append((node, .key(member.key)))
                    pending.append((member.value, steps.count - 1))
                }
            case .array(let elements):
                for (index, element) in elements.enumerated().reversed() where element.holdsMembers {
                    steps.append((node, .index(index)))
                    pending.append((element, steps.count - 1))
                }
            default:
                break
            }
        }
        guard found.count > 1 else { return found }
        // The same path twice: repeated keys inside a member that is itself repeated.
        var seen = Set<String>()
        return found.filter { seen.insert($0).inserted }
    }

    /// Whether any object in this value repeats a key.
    public var hasDuplicateKeys: Bool {
        var pending: [JSONValue] = []
        var value = self
        while true {
            switch value {
            case .object(let object):
                if object.hasDuplicateKeys { return true }
                for member in object.members where member.value.holdsMembers { pending.append(member.value) }
            case .array(let elements):
                for element in elements where element.holdsMembers { pending.append(element) }
            default:
                break
            }
            guard let next = pending.popLast() else { return false }
            value = next
        }
    }

    /// A non-empty array or object: something a repeated key can hide in.
    private var holdsMembers: Bool {
        switch self {
        case .object(let object): !object.isEmpty
        case .array(let elements): !elements.isEmpty
        default: false
        }
    }

    private static func path(to node: Int, then last: PathStep, steps: [(parent: Int, step: PathStep)]) -> String {
        var chain = [last]
        var index = node
        while index >= 0 {
            chain.append(steps[index].step)
            index = steps[index].parent
        }
        var text = ""
        for step in chain.reversed() {
            switch step {
            case .index(let i):
                text += "[\(i)]"
            case .key(let key) where isPlainKey(key):
                text += text.isEmpty ? key : "." + key
            case .key(let key):
                text += "[" + JSONWriter.serialize(.string(key)) + "]"
            }
        }
        return text
    }

    /// Letters, digits, `-` and `_`: a key that needs no quoting in a path.
    private static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}

extension JSONObject {
    /// `duplicateKeyPaths` of the object: its own repeated keys and those of every object inside.
    public var duplicateKeyPaths: [String] { JSONValue.object(self).duplicateKeyPaths }
}

private enum PathStep {
    case key(String)
    case index(Int)
}
