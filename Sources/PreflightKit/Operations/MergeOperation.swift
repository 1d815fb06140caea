/// Copies several datasets into one manifest, as the service's "copy an existing dataset"
/// does: lines in input order, the first line per image kept (an image is its `source-ref`).
/// A later line for the same image with other labels is a conflict: reported, and dropped.
/// On request, images with the same bytes under different names are found by content hash
/// (the images are read through --root / --map) and the later lines dropped the same way.
/// Blank lines are dropped; other lines without a usable `source-ref` are kept as they are
/// (`preflight check` reports them, `preflight manifest fix` drops them).
public struct MergeOperation {
    public var inputs: [String]
    /// Inputs as messages name them, when not by their paths (copies of manifests in S3).
    public var inputNames: [String: String] = [:]
    public var output: String
    /// Drop lines whose image has the same bytes as an image kept earlier.
    public var dropDuplicateContent = false
    /// Where the images are, for `dropDuplicateContent` (jobs and cache too).
    public var options: CheckOptions

    public init(inputs: [String], output: String, dropDuplicateContent: Bool = false, options: CheckOptions = CheckOptions()) {
        self.inputs = inputs
        self.output = output
        self.dropDuplicateContent = dropDuplicateContent
        self.options = options
    }

    /// A line of one input.
    public struct Origin: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var sourceRef: String?
        public var labels: Set<String>
        public var description: String { "\(file) line \(line)" }
    }

    /// Two lines for one image (or for two images with the same bytes) with different labels.
    public struct Conflict: Sendable, Equatable {
        public var kept: Origin
        public var dropped: Origin
        public var sameContent: Bool
    }

    public struct Outcome: Sendable {
        public var linesWritten = 0
        /// Later lines for an image already kept, with the same labels.
        public var repeatsDropped = 0
        /// Later lines whose image has the same bytes as a kept line's image (with the same labels).
        public var sameContentDropped = 0
        public var blankLinesDropped = 0
        public var conflicts: [Conflict] = []
        public var log: [LogLine] = []
    }

    public func run() throws(OperationError) -> Outcome {
        guard !inputs.isEmpty else { throw OperationError("name at least one manifest to merge") }
        try OperationFiles.refuseOverwriting(inputs, with: [output])
        if dropDuplicateContent && options.resolver.isEmpty {
            throw OperationError("--drop-duplicate-images reads the images: give --root or --map")
        }
        var outcome = Outcome()

        // Which lines to keep: the first per source-ref.
        var first: [String: Origin] = [:]
        var keep: [[Bool]] = []
        for path in inputs {
            var decisions: [Bool] = []
            try OperationFiles.forEachLine(of: path) { number, line in
                if OperationFiles.isBlank(line) {
                    outcome.blankLinesDropped += 1
                    decisions.append(false)
                    return
                }
                guard case .bytes(let bytes) = line else { decisions.append(true); return }
                let parsed = LineInterpreter.interpret(bytes, number: number)
                guard let ref = parsed.sourceRef.uri?.description else { decisions.append(true); return }
                let origin = Origin(file: inputNames[path] ?? path, line: number, sourceRef: ref, labels: LineLabels.of(parsed))
                if let kept = first[ref] {
                    if kept.labels == origin.labels { outcome.repeatsDropped += 1 } else {
                        outcome.conflicts.append(Conflict(kept: kept, dropped: origin, sameContent: false))
                    }
                    decisions.append(false)
                } else {
                    first[ref] = origin
                    decisions.append(true)
                }
            }
            keep.append(decisions)
        }

        // Which kept lines repeat an earlier image's bytes (lines numbered as in the merged manifest).
        var sameBytes: [Int: Int] = [:]
        var merged: String?
        let scratch: ScratchFolder? = dropDuplicateContent ? try ScratchFolder() : nil
        if let scratch {
            let path = scratch.path + "/merged.manifest"
            try write(to: path, keep: keep, skip: [:])
            merged = path
            var checkOptions = options
            checkOptions.mode = .header
            let result = CheckEngine(options: checkOptions).run([ManifestInput(path: path, role: .training)])
            for finding in result.findings where finding.code == DuplicateImage.definition.code {
                if let line = finding.line, let earlier = finding.details["first_line"]?.numberValue?.int64 { sameBytes[line] = Int(earlier) }
            }
        }
        if !sameBytes.isEmpty, let merged {
            // Labels of the lines involved, to tell a plain copy from a conflict.
            var origins: [Int: Origin] = [:]
            let wanted = Set(sameBytes.keys).union(sameBytes.values)
            var sources: [(file: String, line: Int)] = []
            for (path, decisions) in zip(inputs, keep) {
                for (index, kept) in decisions.enumerated() where kept { sources.append((inputNames[path] ?? path, index + 1)) }
            }
            try OperationFiles.forEachLine(of: merged) { number, line in
                guard wanted.contains(number), case .bytes(let bytes) = line else { return }
                let parsed = LineInterpreter.interpret(bytes, number: number)
                origins[number] = Origin(file: sources[number - 1].file, line: sources[number - 1].line,
                                         sourceRef: parsed.sourceRef.uri?.description, labels: LineLabels.of(parsed))
            }
            for (line, earlier) in sameBytes.sorted(by: { $0.key < $1.key }) {
                guard let dropped = origins[line], let kept = origins[earlier] else { continue }
                if dropped.labels == kept.labels { outcome.sameContentDropped += 1 } else {
                    outcome.conflicts.append(Conflict(kept: kept, dropped: dropped, sameContent: true))
                }
            }
        }
        outcome.linesWritten = try write(to: output, keep: keep, skip: sameBytes)
        withExtendedLifetime(scratch) {}
        outcome.log = log(outcome)
        return outcome
    }

    /// Writes the kept lines of every input, as written, leaving out the merged line numbers in `skip`.
    @discardableResult
    private func write(to path: String, keep: [[Bool]], skip: [Int: Int]) throws(OperationError) -> Int {
        var merged = 0, written = 0
        var failure: OperationError?
        try OperationFiles.write(path) { sink in
            for (input, decisions) in zip(inputs, keep) {
                do throws(OperationError) {
                    try OperationFiles.forEachLine(of: input) { number, line in
                        guard number <= decisions.count, decisions[number - 1] else { return }
                        merged += 1
                        guard skip[merged] == nil else { return }
                        sink.writeLine(OperationFiles.text(line) ?? "")
                        written += 1
                    }
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
        return written
    }

    private func log(_ outcome: Outcome) -> [LogLine] {
        var log: [LogLine] = []
        for conflict in outcome.conflicts {
            let what = conflict.sameContent
                ? "\(conflict.dropped.sourceRef ?? "?") has the same bytes as \(conflict.kept.sourceRef ?? "?")"
                : "\(conflict.kept.sourceRef ?? "?")"
            log.append(LogLine("conflict: \(what): \(LineLabels.describe(conflict.kept.labels)) in \(conflict.kept) (kept), "
                + "\(LineLabels.describe(conflict.dropped.labels)) in \(conflict.dropped) (dropped)", problem: true))
        }
        var summary = "wrote \(outcome.linesWritten) line\(outcome.linesWritten == 1 ? "" : "s") from \(inputs.count) manifest\(inputs.count == 1 ? "" : "s") to \(output)"
        var dropped: [String] = []
        if outcome.repeatsDropped > 0 { dropped.append("\(outcome.repeatsDropped) repeated image\(outcome.repeatsDropped == 1 ? "" : "s")") }
        if outcome.sameContentDropped > 0 { dropped.append("\(outcome.sameContentDropped) image\(outcome.sameContentDropped == 1 ? "" : "s") with the same bytes as an earlier one") }
        if !outcome.conflicts.isEmpty { dropped.append("\(outcome.conflicts.count) conflicting line\(outcome.conflicts.count == 1 ? "" : "s")") }
        if outcome.blankLinesDropped > 0 { dropped.append("\(outcome.blankLinesDropped) blank line\(outcome.blankLinesDropped == 1 ? "" : "s")") }
        if !dropped.isEmpty { summary += "; dropped " + dropped.joined(separator: ", ") }
        log.append(LogLine(summary))
        return log
    }
}
