#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
        let outcome = await ShellCommand.run(command, timeout: timeout)
        let stdout: [UInt8]
        switch outcome {
        case .cannotStart(let error):
            throw .noCredentials("\(source): cannot start /bin/sh (\(String(cString: strerror(error))))")
        case .timedOut:
            throw .noCredentials("\(source): \(command) did not finish within \(Int(timeout)) s")
        case .finished(let status, let output, let errors):
            guard status == 0 else {
                let message = String(decoding: errors.prefix(2000), as: UTF8.self).trimmingSpacesAndNewlines()
                throw .noCredentials("\(source): \(command) exited with status \(status)" + (message.isEmpty ? "" : ": \(message)"))
            }
            stdout = output
        }
        let credentials = try CredentialsDocument.decode(stdout, source: source)
        return credentials
    }
}
