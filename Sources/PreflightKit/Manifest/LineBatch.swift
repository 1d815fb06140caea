/// Manifest lines copied out of the reader's buffer, so that a group of them can be worked
/// on by several threads while the reader moves on. Lines too long to hold keep only their
/// length, as the reader reports them.
struct LineBatch: Sendable {
    /// How many lines a batch holds before it is handed over.
    static let capacity = 2048

    private var storage: [UInt8] = []
    private var ranges: [Range<Int>] = []
    private(set) var numbers: [Int] = []
    /// For each line, its length when it was too long to read, else nil.
    private var tooLong: [Int?] = []

    var count: Int { numbers.count }
    var isFull: Bool { count >= Self.capacity }

    mutating func append(_ number: Int, _ line: ManifestReader.Line) {
        numbers.append(number)
        switch line {
        case .bytes(let bytes):
            let start = storage.count
            storage.append(contentsOf: bytes)
            ranges.append(start..<storage.count)
            tooLong.append(nil)
        case .tooLong(let length):
            ranges.append(storage.count..<storage.count)
            tooLong.append(length)
        }
    }

    mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        numbers.removeAll(keepingCapacity: true)
        tooLong.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with line `i` as the reader gave it.
    func withLine<T>(_ i: Int, _ body: (ManifestReader.Line) -> T) -> T {
        if let length = tooLong[i] { return body(.tooLong(length)) }
        return storage.withUnsafeBytes { raw in body(.bytes(UnsafeRawBufferPointer(rebasing: raw[ranges[i]]))) }
    }

    /// Reads `reader` a batch at a time: `process` gets each full batch, then the last one.
    /// `accept` decides, line by line in order, whether a line goes into a batch at all.
    static func read(_ reader: ManifestReader, accept: (Int) -> Bool, _ process: (LineBatch) -> Void) {
        var batch = LineBatch()
        _ = reader.forEachLine { number, line in
            guard accept(number) else { return }
            batch.append(number, line)
            if batch.isFull {
                process(batch)
                batch.removeAll()
            }
        }
        if batch.count > 0 { process(batch) }
    }
}
