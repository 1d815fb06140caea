import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import PreflightKit

@main
struct Preflight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Check an Amazon Rekognition Custom Labels dataset on your own disk before you upload it.",
        version: PreflightVersion.current,
        subcommands: [CheckCommand.self, ManifestCommand.self, ProbeCommand.self, RulesCommand.self]
    )

    /// Runs the command line; usage errors exit with 2 (not the parser's default 64), so
    /// that every "could not run" outcome has one code.
    static func main() {
        stopPromptlyOnInterrupt()
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

/// Ctrl-C or a termination request stops the run at once. Reports are only ever put in
/// place by rename, so the previous report stays whole; a report half written to its
/// temporary file, and any scratch folder, is removed. Exit status 130 (interrupted), as
/// shells expect.
///
/// While images are being examined, a first Ctrl-C winds the run down instead: the images
/// under way are finished and kept in the result cache, and the command says so.
func stopPromptlyOnInterrupt() {
    windingDownNotice = makeWindingDownNotice(terminal: isatty(2) != 0)
    let handler: @convention(c) (Int32) -> Void = { signal in
        if signal == SIGINT && Interruption.request() {
            if let notice = windingDownNotice { _ = write(2, notice.base, notice.count) }
            return
        }
        InterruptCleanup.removeAll()
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

private func makeWindingDownNotice(terminal: Bool) -> Notice {
    let text = Array(((terminal ? "\r\u{1B}[K" : "")
        + "preflight: interrupted; finishing the images under way (Ctrl-C again to stop at once)\n").utf8)
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
