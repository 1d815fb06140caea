import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import PreflightKit

@main
struct Preflight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Check an Amazon Rekognition Custom Labels dataset before training: on your own disk or where it lives in S3.",
        version: PreflightVersion.current,
        subcommands: [CheckCommand.self, ManifestCommand.self, ProbeCommand.self, RulesCommand.self]
    )

    /// Runs the command line; usage errors exit with 2 (not the parser's default 64), so
    /// that every "could not run" outcome has one code.
    static func main() {
        stopPromptlyOnInterrupt()
        if let message = UnknownSubcommand.message(for: Array(CommandLine.arguments.dropFirst())) {
            printToStandardError(message)
            Glibc.exit(ExitStatus.couldNotRun)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if let failure = error as? CommandFailure {
                printToStandardError("preflight: \(failure.description)")
                Glibc.exit(ExitStatus.couldNotRun)
            }
            let code = exitCode(for: error)
            if code == .success || error is ExitCode {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { printToStandardError(message) }
            Glibc.exit(ExitStatus.couldNotRun)
        }
    }
}

/// A mistyped subcommand (`preflight chek`, `preflight manifest splt`) gets the name it was
/// probably meant to be. The parser alone would only call it an unexpected argument.
enum UnknownSubcommand {
    /// The error for arguments whose subcommand is not one, when a subcommand is close to it;
    /// nil otherwise, and the parser has its say.
    static func message(for arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = Preflight.self
        var path = [Preflight._commandName]
        for argument in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !argument.hasPrefix("-") else { return nil }
            if let next = subcommands.first(where: { $0._commandName == argument || $0.configuration.aliases.contains(argument) }) {
                command = next
                path.append(argument)
                continue
            }
            let names = subcommands.map { $0._commandName } + (path.count == 1 ? ["help"] : [])
            guard !names.contains(argument), let guess = closest(to: argument, among: names) else { return nil }
            let usage = path.joined(separator: " ")
            return "Error: '\(argument)' is not a command of \(usage); did you mean `\(guess)`?\n"
                + "Usage: \(usage) <subcommand>\n  See '\(usage) --help' for more information."
        }
        return nil
    }

    /// The name at the smallest edit distance, if it is close enough to be a typing slip: at
    /// most 2 edits, and fewer than half the name's letters.
    static func closest(to typed: String, among names: [String]) -> String? {
        let scored = names.map { (name: $0, distance: editDistance(typed.lowercased(), $0.lowercased())) }
            .filter { $0.distance <= 2 && $0.distance * 2 < $0.name.count }
        return scored.min { $0.distance < $1.distance }?.name
    }

    /// Insertions, deletions, substitutions and swaps of two neighbouring letters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}

/// Ctrl-C or a termination request stops the run at once. Reports are only ever put in
/// place by rename, so the previous report stays whole; a report half written to its
/// temporary file, and any scratch folder, is removed. Exit status 130 (interrupted), as
/// shells expect.
///
/// While images are being examined, a first Ctrl-C winds the run down instead: the images
/// under way are finished and kept in the result cache, and the command says so.
func stopPromptlyOnInterrupt() {
    let terminal = isatty(2) != 0
    windingDownNotice = makeNotice(terminal: terminal, "interrupted; finishing the images under way (Ctrl-C again to stop at once)")
    stoppedNotice = makeNotice(terminal: terminal, "interrupted: stopped, no report written")
    let handler: @convention(c) (Int32) -> Void = { signal in
        if signal == SIGINT && Interruption.request() {
            if let notice = windingDownNotice { _ = write(2, notice.base, notice.count) }
            return
        }
        InterruptCleanup.removeAll()
        if let notice = stoppedNotice { _ = write(2, notice.base, notice.count) }
        _exit(128 + signal)
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
    // A parent may have started us with these signals blocked; take them.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
}

/// What a first Ctrl-C prints, made before the handler is installed (a handler may not allocate).
private struct Notice: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
    let count: Int
}
nonisolated(unsafe) private var windingDownNotice: Notice?
nonisolated(unsafe) private var stoppedNotice: Notice?

/// "preflight: TEXT" on a line of its own; on a terminal, the progress line is cleared first.
private func makeNotice(terminal: Bool, _ sentence: String) -> Notice {
    let text = Array(((terminal ? "\r\u{1B}[K" : "") + "preflight: \(sentence)\n").utf8)
    let base = UnsafeMutablePointer<UInt8>.allocate(capacity: text.count)
    base.initialize(from: text, count: text.count)
    return Notice(base: base, count: text.count)
}

/// A command that cannot run as asked: its sentence is printed as it is (no usage text,
/// which would bury it), and the exit code is 2.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The exit codes of every command.
enum ExitStatus {
    static let clean: Int32 = 0
    static let findings: Int32 = 1
    static let couldNotRun: Int32 = 2
    /// Stopped by Ctrl-C (128 + SIGINT), as shells expect.
    static let interrupted: Int32 = 130
}

func printToStandardError(_ text: String) {
    writeToStandardError(text.hasSuffix("\n") ? text : text + "\n")
}

func writeToStandardError(_ text: String) {
    let line = Array(text.utf8)
    line.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(2, raw.baseAddress! + offset, raw.count - offset)
            if n <= 0 { break }
            offset += n
        }
    }
}
