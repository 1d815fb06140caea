import ArgumentParser
import ImageEngine
import PreflightJSON
import PreflightKit

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Report what each image file really is: format by content, header facts, integrity.",
        discussion: """
            Prints one JSON object per file, one per line (JSON Lines), in the order given.
            Exit code 0 when every file could be examined, whatever was found in it;
            1 when a file could not be read (missing, a folder, no permission): its object
            still comes, with integrity "unreadable" and the reason; 2 on a usage error.
            """
    )

    @Option(help: "header: read headers only (fast; corruption not checked). full: check all image data, as a decoder reads it.")
    var mode: ProbeMode = .full

    @Option(help: "Never decode an image whose header declares more pixels than this.")
    var maxPixels: UInt64 = ProbeOptions.defaultMaxPixels

    @Option(name: .customLong("jpeg-decode"),
            help: ArgumentHelp("How JPEG integrity is checked: scaled (1/8-size output, the default), full-size, or coefficients (entropy decoding only). All find the same faults.",
                               visibility: .hidden))
    var jpegDecode: JPEGDecodeChoice = .scaled

    @Option(name: .customLong("png-decode"),
            help: ArgumentHelp("How PNG integrity is checked: inflate (image data inflated and checked, the default) or libpng (every row decoded and unfiltered). Both find the same faults.",
                               visibility: .hidden))
    var pngDecode: PNGDecodeMethod = .default

    @Argument(help: "Image files to examine.")
    var paths: [String]

    mutating func run() throws {
        let options = ProbeOptions(mode: mode, maxPixels: maxPixels, jpegMethod: jpegDecode.method, pngMethod: pngDecode)
        let probe = ImageProbe(options: options)
        var output = StandardOutput()
        var unreadable: [ImageFacts] = []
        for path in paths {
            let facts = probe.examine(path: path)
            if facts.integrity == .unreadable { unreadable.append(facts) }
            var line = [UInt8]()
            JSONWriter.write(facts.jsonValue, into: &line)
            line.append(0x0A)
            output.write(line)
        }
        output.flush()
        for facts in unreadable {
            let reason = facts.problems.first?.message ?? "it could not be read"
            printToStandardError("preflight probe: \(facts.path): \(reason)")
        }
        if !unreadable.isEmpty { throw ExitCode(ExitStatus.findings) }
    }
}

extension ProbeMode: ExpressibleByArgument {}
extension PNGDecodeMethod: ExpressibleByArgument {}

enum JPEGDecodeChoice: String, ExpressibleByArgument, CaseIterable {
    case scaled, fullSize = "full-size", coefficients

    var method: JPEGDecodeMethod {
        switch self {
        case .scaled: .scanlines(scaleDenominator: 8)
        case .fullSize: .scanlines(scaleDenominator: 1)
        case .coefficients: .coefficients
        }
    }
}
