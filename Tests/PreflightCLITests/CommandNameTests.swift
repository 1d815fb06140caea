import Foundation
import Testing

/// What the command line says about its own usage: mistyped subcommands and the help text.
@Suite("Command names and help")
struct CommandNameTests {
    @Test(arguments: [
        (["chek"], "check"), (["chekc"], "check"), (["rule"], "rules"), (["Probe"], "probe"),
        (["manifest", "splt"], "split"), (["manifest", "fx"], "fix"), (["manifest", "from-foldr"], "from-folder"),
        (["manifest", "merge", "--help"], nil), (["zzzzzz"], nil), (["manifest", "qqqqq"], nil),
    ] as [([String], String?)])
    func aMistypedSubcommandGetsTheCloseName(arguments: [String], suggestion: String?) throws {
        let run = try Preflight.run(arguments)
        if let suggestion {
            #expect(run.status == 2, "a usage error")
            #expect(run.stderr.contains("did you mean `\(suggestion)`?"), "\(run.stderr)")
            #expect(run.stderr.contains("'\(arguments.last!)'"))
            #expect(run.stdout.isEmpty)
        } else {
            #expect(!run.stderr.contains("did you mean"), "nothing close: no guess")
            if arguments.last != "--help" { #expect(run.status == 2) }
        }
    }

    @Test func aRightSubcommandIsNotSecondGuessed() throws {
        let run = try Preflight.run(["rules", "ERROR_INVALID_IMAGE"])
        #expect(run.status == 0 && run.stdout.contains("ERROR_INVALID_IMAGE"))
        // An argument of a subcommand that looks like a subcommand is the subcommand's business.
        let check = try Preflight.run(["check", "chek"])
        #expect(check.status == 2 && !check.stderr.contains("did you mean"))
    }

    @Test(arguments: [["check"], ["probe"], ["manifest", "fix"], ["manifest", "merge"], ["manifest", "split"]])
    func eachOptionStatesOneDefault(command: [String]) throws {
        let help = try Preflight.run(command + ["--help"])
        #expect(help.status == 0)
        // The options block: an option starts a row with "  -"; its help continues on indented rows.
        var options: [String] = []
        for row in help.stdout.components(separatedBy: "\n") {
            if row.hasPrefix("  -") { options.append(row) } else if row.hasPrefix("    "), !options.isEmpty { options[options.count - 1] += row }
        }
        options = options.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        for option in options {
            #expect(option.components(separatedBy: "(default").count <= 2, "\(option)")
        }
        if command == ["check"] {
            let jobs = try #require(options.first { $0.contains("--jobs") })
            #expect(jobs.contains("(default: the number of cores)"))
        }
    }
}
