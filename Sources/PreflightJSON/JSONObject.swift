/// A JSON object that keeps its members in the order written, repeated keys included.
///
/// Manifests are checked for duplicate keys, so nothing is merged away: `members` holds
/// every member as read, `duplicateKeys` names the repeated ones, and lookup by key answers
/// with the last member of that name (as Python's `json` and most services do).
public struct JSONObject: Sendable, Equatable, Sequence {
    public var members: [(key: String, value: JSONValue)]

    public init() {
        members = []
    }

    public init(_ members: [(String, JSONValue)]) {
        self.members = members.map { (key: $0.0, value: $0.1) }
    }

    public init(members: [(key: String, value: JSONValue)]) {
        self.members = members
    }

    /// Lookup answers with the last member that has `key`. Setting replaces that member's
    /// value in place, or appends a new member; setting nil removes every member with `key`.
    public subscript(key: String) -> JSONValue? {
        get {
            var index = members.endIndex
            while index > members.startIndex {
                index -= 1
                if members[index].key == key { return members[index].value }
            }
            return nil
        }
        set {
            guard let newValue else {
                members.removeAll { $0.key == key }
                return
            }
            if let index = members.lastIndex(where: { $0.key == key }) {
                members[index].value = newValue
            } else {
                members.append((key: key, value: newValue))
            }
        }
    }

    /// The keys in member order, repeated keys repeated.
    public var keys: [String] { members.map(\.key) }

    /// Keys that occur more than once, each named once, in order of first occurrence.
    public var duplicateKeys: [String] {
        guard members.count > 1 else { return [] }
        // Typical objects have a handful of members: comparing pairs beats hashing.
        if members.count <= 16 {
            var result: [String] = []
            for i in members.indices where !result.contains(members[i].key) {
                let key = members[i].key
                for j in (i + 1)..<members.endIndex where members[j].key == key {
                    result.append(key)
                    break
                }
            }
            return result
        }
        var counts: [String: Int] = [:]
        counts.reserveCapacity(members.count)
        for member in members { counts[member.key, default: 0] += 1 }
        var reported = Set<String>()
        var result: [String] = []
        for member in members where counts[member.key, default: 0] > 1 {
            if reported.insert(member.key).inserted { result.append(member.key) }
        }
        return result
    }

    /// Whether a key occurs more than once; allocates nothing for objects of a few members.
    public var hasDuplicateKeys: Bool {
        guard members.count > 1 else { return false }
        guard members.count <= 16 else { return !duplicateKeys.isEmpty }
        for i in members.indices.dropLast() {
            for j in (i + 1)..<members.endIndex where members[j].key == members[i].key { return true }
        }
        return false
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    public var underestimatedCount: Int { members.count }

    /// Members are compared in order: the same keys and values in the same sequence.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (left, right) in zip(lhs.members, rhs.members) {
            if left.key != right.key || left.value != right.value { return false }
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Keeps the members in the written order (and keeps repeated keys).
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}

extension JSONObject: CustomStringConvertible {
    /// The compact JSON text of the object.
    public var description: String { JSONWriter.serialize(.object(self)) }
}
