/// A stack that hands its top elements over as a new array by moving them, not copying.
///
/// The parser keeps the items of every open array and object on one stack; closing a
/// container moves its items into an exactly sized array. With a plain `Array` that would be
/// a copy (a retain per element) followed by a removal (a release per element).
struct MoveStack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// The top element, for updating in place.
    var last: Element {
        @inline(__always) _read { yield base[count - 1] }
        @inline(__always) nonmutating _modify { yield &base[count - 1] }
    }

    /// Moves the elements from `start` to the top into a new array and removes them.
    mutating func popArray(from start: Int) -> [Element] {
        let moved = count - start
        let source = base + start
        count = start
        var result: [Element] = []
        result.reserveCapacity(moved)
        for index in 0..<moved { result.append((source + index).move()) }
        return result
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
