import KLPTestSupport
import Foundation
import KLPCommandLine
import XCTest

/// `--version`, `--help`, `help [COMMAND]`, `help --man` and `completions
/// SHELL` as a user runs them: exact output and exit statuses.
final class HelpCommandTests: XCTestCase {
    /// Runs klpcheck in-process and returns its status, stdout and stderr.
    private func klpcheck(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
        let output = Captured()
        let console = Console(out: { output.append(out: $0) }, err: { output.append(err: $0) }, stderrIsTerminal: false)
        let status = KLPCheck.main(arguments, console: console)
        return (status, output.out, output.err)
    }

    func testVersionPrintsTheVersionAndTheSchema() throws {
        let run = try Tool.run(["--version"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "klpcheck 0.2.0 (schema klpcheck/1)\n")
        XCTAssertEqual(run.stderr, "")
        XCTAssertEqual(SearchDocument.schemaName, "klpcheck/1", "the schema that every JSON document names")
    }

    func testTopLevelHelpListsVersionAndEveryCommand() {
        let run = klpcheck(["--help"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.out, KLPCheck.program.help)
        let lines = run.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("       klpcheck --version | --help"), run.out)
        XCTAssertTrue(lines.contains("  --version                 Print the version and the JSON output's schema, and exit."), run.out)
        for command in KLPCheck.program.commands {
            XCTAssertTrue(lines.contains { $0.hasPrefix("  \(command.name) ") && $0.hasSuffix(command.abstract) }, command.name)
        }
        XCTAssertTrue(lines.contains("  completions  Print a shell completion script for bash, zsh or fish."), run.out)
    }

    func testHelpAloneAndHelpCommandPrintTheHelpTexts() {
        XCTAssertEqual(klpcheck(["help"]).out, klpcheck(["--help"]).out)
        XCTAssertEqual(klpcheck(["help"]).status, 0)
        for command in KLPCheck.program.commands {
            let help = klpcheck(["help", command.name])
            XCTAssertEqual(help.status, 0, command.name)
            XCTAssertEqual(help.err, "")
            XCTAssertEqual(help.out, klpcheck([command.name, "--help"]).out, command.name)
            XCTAssertTrue(help.out.hasPrefix("OVERVIEW: \(command.abstract)\n"), command.name)
        }
    }

    func testHelpRefusesAnUnknownCommandAndACommandWithMan() {
        let unknown = klpcheck(["help", "verfy"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.out, "")
        XCTAssertEqual(
            unknown.err,
            "klpcheck: error: unknown command 'verfy'; commands: verify, run, gate, merge, graph, import, bench, completions, help\n"
                + "klpcheck: see 'klpcheck help --help'\n")
        let both = klpcheck(["help", "--man", "verify"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.err.hasPrefix("klpcheck: error: --man prints the whole manual, every command included; leave out 'verify'\n"), both.err)
        XCTAssertEqual(klpcheck(["help", "verify", "run"]).status, 2)
    }

    func testManIsThePageOfTheSpecs() throws {
        let before = ManPage.day(of: Date())
        let run = try Tool.run(["help", "--man"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        // Dated today (the run may straddle midnight), unless the environment fixes the date.
        var days = [before, ManPage.day(of: Date())]
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = Double(epoch) {
            days = [ManPage.day(of: Date(timeIntervalSince1970: seconds))]
        }
        XCTAssertTrue(days.contains { run.stdout == ManPage.render(KLPCheck.program, date: $0) }, run.stdout)
        XCTAssertTrue(days.contains { run.stdout.hasPrefix(".TH \"KLPCHECK\" 1 \"\($0)\" \"klpcheck 0.2.0\"") }, run.stdout)
    }

    func testManDateFollowsSourceDateEpoch() throws {
        let klpcheck = ExternalProgram(url: try Tool.executable())
        let fixed = try klpcheck.run(["help", "--man"], environment: ["SOURCE_DATE_EPOCH": "1700000000"])
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
        XCTAssertEqual(fixed.stdout, ManPage.render(KLPCheck.program, date: "2023-11-14"))
        let bad = try klpcheck.run(["help", "--man"], environment: ["SOURCE_DATE_EPOCH": "yesterday"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stdout, "")
        XCTAssertTrue(
            bad.stderr.hasPrefix("klpcheck: error: SOURCE_DATE_EPOCH is 'yesterday': expected whole seconds since 1970-01-01 UTC\n"),
            bad.stderr)
    }

    func testCompletionsPrintsTheScriptOfEachShell() throws {
        for shell in CompletionScript.Shell.allCases {
            let run = try Tool.run(["completions", shell.rawValue])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stderr, "")
            XCTAssertEqual(run.stdout, CompletionScript.render(KLPCheck.program, for: shell), shell.rawValue)
        }
    }

    func testCompletionsRefusesAnUnknownOrMissingShell() {
        let tcsh = klpcheck(["completions", "tcsh"])
        XCTAssertEqual(tcsh.status, 2)
        XCTAssertEqual(tcsh.out, "")
        XCTAssertEqual(
            tcsh.err, "klpcheck: error: unknown shell 'tcsh'; shells: bash, zsh, fish\nklpcheck: see 'klpcheck completions --help'\n")
        let missing = klpcheck(["completions"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.hasPrefix("klpcheck: error: missing argument SHELL for 'completions'\n"), missing.err)
        XCTAssertEqual(klpcheck(["completions", "bash", "zsh"]).status, 2)
    }

    func testNewCommandsHaveHelp() {
        for name in ["completions", "help"] {
            let run = klpcheck([name, "--help"])
            XCTAssertEqual(run.status, 0, name)
            XCTAssertEqual(run.out, KLPCheck.program.command(named: name)?.help(program: "klpcheck"))
        }
        XCTAssertTrue(klpcheck(["help", "--help"]).out.contains("  --man                     Print the manual page"))
    }
}
