import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PreflightStore

/// A profile's `credential_process`: runs the command through `/bin/sh -c`, waits for it at most
/// `timeout`, and reads its JSON (Version 1). Errors name the profile and carry the command's
/// standard error, never its output (which holds the secret).
public struct CredentialProcess: CredentialsProvider {
    let files: SharedConfigFiles
    let timeout: TimeInterval

    public init(files: SharedConfigFiles, timeout: TimeInterval = 60) {
        self.files = files
        self.timeout = timeout
    }

    public func credentials() async throws(StoreError) -> AWSCredentials? {
        guard let command = files.value("credential_process"), !command.isEmpty else { return nil }
        let source = "credential_process of profile \(files.profileName)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw .noCredentials("\(source): cannot start /bin/sh (\(error.localizedDescription))")
        }
        // Both pipes drain on their own threads so a chatty command never blocks on a full pipe.
        let out = PipeReader(output.fileHandleForReading)
        let err = PipeReader(errors.fileHandleForReading)
        // Blocking waits run on threads of their own: Dispatch's global queue has as few threads
        // as cores, and the two pipe readers may hold them all.
        let waited = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: finished.wait(timeout: .now() + timeout)) }
        }
        if waited == .timedOut {
            // The whole process group (Process makes the child its leader), so that the command's
            // own children go too; SIGKILL, since an inherited signal mask may block SIGTERM.
            if kill(-process.processIdentifier, SIGKILL) != 0 { kill(process.processIdentifier, SIGKILL) }
            finished.wait()
            throw .noCredentials("\(source): \(command) did not finish within \(Int(timeout)) s")
        }
        let stdout = out.finish(), stderr = err.finish()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: stderr.prefix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .noCredentials("\(source): \(command) exited with status \(process.terminationStatus)" + (message.isEmpty ? "" : ": \(message)"))
        }
        let credentials = try CredentialsDocument.decode(stdout, source: source)
        return credentials
    }
}

private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    func finish() -> [UInt8] {
        done.wait()
        return Array(data)
    }
}
