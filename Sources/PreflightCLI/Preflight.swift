import ArgumentParser
import PreflightKit

@main
struct Preflight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Check an Amazon Rekognition Custom Labels dataset on your own disk before you upload it.",
        version: PreflightVersion.current,
        subcommands: [ProbeCommand.self]
    )
}
