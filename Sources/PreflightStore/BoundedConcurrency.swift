/// Runs `body` on every element with at most `limit` calls in flight, and returns the results
/// in the elements' order. Memory stays bounded by `limit` unfinished calls plus the results.
public func mapConcurrently<Element: Sendable, Result: Sendable>(
    _ elements: [Element],
    limit: Int,
    _ body: @escaping @Sendable (Element) async -> Result
) async -> [Result] {
    precondition(limit > 0, "at least one call in flight")
    var results = [Result?](repeating: nil, count: elements.count)
    await withTaskGroup(of: (Int, Result).self) { group in
        var next = 0
        func startNext() {
            guard next < elements.count else { return }
            let index = next
            let element = elements[index]
            group.addTask { (index, await body(element)) }
            next += 1
        }
        for _ in 0..<min(limit, elements.count) { startNext() }
        while let (index, result) = await group.next() {
            results[index] = result
            startNext()
        }
    }
    return results.map { $0! }
}
