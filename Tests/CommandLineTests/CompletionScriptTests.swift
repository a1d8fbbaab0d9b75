import Foundation
@testable import KLPCommandLine
import XCTest

/// The completion scripts come from the command specs: every command, option
/// and known value is in each shell's script, the scripts parse, and bash and
/// fish offer what the specs say.
final class CompletionScriptTests: XCTestCase {
    let program = KLPCheck.program

    private func script(_ shell: CompletionScript.Shell) -> String { CompletionScript.render(program, for: shell) }

    /// The lines of `script` from the line `opening` to the next line `}`.
    private func function(_ opening: String, in script: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: opening) else {
            XCTFail("no line '\(opening)' in the script", file: file, line: line)
            return []
        }
        let end = lines[start...].firstIndex(of: "}") ?? lines.endIndex
        return Array(lines[start..<end])
    }

    /// The words a value completion offers, as the specs say.
    private func words(_ completion: ValueCompletion) -> [String]? {
        switch completion {
        case .choices(let words): return words
        case .command: return program.commands.map(\.name)
        default: return nil
        }
    }

    // MARK: Every spec in every script

    func testBashCompletesEveryCommandOptionAndValueOfTheSpecs() {
        let bash = script(.bash)
        XCTAssertTrue(bash.contains("\n        _klpcheck_words \"" + (program.commands.map(\.name) + program.options.map(\.name)).joined(separator: " ") + "\"\n"))
        for command in program.commands {
            let body = function("_klpcheck_\(command.name)() {", in: bash)
            XCTAssertTrue(bash.contains("\n        \(command.name)) _klpcheck_\(command.name) ;;\n"), "\(command.name) is not dispatched")
            let optionList = "        _klpcheck_words \"" + command.optionsWithHelp.map(\.name).joined(separator: " ") + "\""
            XCTAssertTrue(body.contains(optionList), "\(command.name): the option list is not\n\(optionList)\nin\n\(body.joined(separator: "\n"))")
            for option in command.options where option.takesValue {
                let line = body.first {
                    $0.hasPrefix("        \(option.name)) ") || $0.hasPrefix("        \(option.name)|")
                        || $0.contains("|\(option.name)|") || $0.contains("|\(option.name))")
                }
                XCTAssertNotNil(line, "\(command.name) \(option.name): its value is not completed")
                if let words = words(option.valueCompletion) {
                    XCTAssertEqual(line, "        \(option.name)) _klpcheck_words \"\(words.joined(separator: " "))\"; return ;;")
                }
            }
            for (index, argument) in command.arguments.enumerated() {
                let position = argument.isVariadic ? "*" : "\(index)"
                XCTAssertTrue(body.contains { $0.hasPrefix("        \(position)) _klpcheck_") }, "\(command.name) \(argument.name) is not completed")
                if let words = words(argument.completion) {
                    XCTAssertTrue(body.contains("        \(position)) _klpcheck_words \"\(words.joined(separator: " "))\" ;;"), "\(command.name) \(argument.name)")
                }
            }
        }
    }

    func testZshCompletesEveryCommandOptionAndValueOfTheSpecs() {
        let zsh = script(.zsh)
        XCTAssertTrue(zsh.hasPrefix("#compdef klpcheck\n"))
        for option in program.options {
            XCTAssertTrue(zsh.contains(CompletionScript.singleQuoted("(- *)\(option.name)[\(option.help)]")), "\(option.name) is not completed")
        }
        let commands = function("_klpcheck_commands() {", in: zsh)
        for command in program.commands {
            XCTAssertTrue(commands.contains { $0.hasPrefix("        '\(command.name):") }, "\(command.name) is not offered")
            XCTAssertTrue(zsh.contains("\n                \(command.name)) _klpcheck_\(command.name) ;;\n"), "\(command.name) is not dispatched")
            let body = function("_klpcheck_\(command.name)() {", in: zsh)
            for option in command.optionsWithHelp {
                let spec = body.first { $0.contains("\(option.name)\(option.takesValue ? "=" : "")[") }
                XCTAssertNotNil(spec, "\(command.name) \(option.name) is not completed")
                if let words = words(option.valueCompletion) {
                    XCTAssertTrue(spec?.contains(":(\(words.joined(separator: " ")))'") == true, "\(command.name) \(option.name): \(spec ?? "")")
                }
                XCTAssertEqual(spec?.contains("'*\(option.name)"), option.repeatable, "\(command.name) \(option.name) repeatable")
            }
            for (index, argument) in command.arguments.enumerated() {
                let prefix = "        '\(argument.isVariadic ? "*" : String(index + 1)):\(argument.isOptional ? ":" : "")\(argument.name):"
                let spec = body.first { $0.hasPrefix(prefix) }
                XCTAssertNotNil(spec, "\(command.name) \(argument.name) is not completed")
                if let words = words(argument.completion) {
                    XCTAssertEqual(spec, prefix + "(\(words.joined(separator: " ")))'" + (index == command.arguments.count - 1 ? "" : " \\"))
                }
            }
        }
    }

    func testFishCompletesEveryCommandOptionAndValueOfTheSpecs() {
        let lines = script(.fish).split(separator: "\n").map(String.init)
        for option in program.options {
            XCTAssertTrue(
                lines.contains("complete -c klpcheck -n __fish_use_subcommand -l \(option.name.dropFirst(2)) -d \(CompletionScript.fishQuoted(option.help))"),
                option.name)
        }
        for command in program.commands {
            XCTAssertTrue(lines.contains { $0.hasPrefix("complete -c klpcheck -n __fish_use_subcommand -a \(command.name) -d ") }, command.name)
            let mine = lines.filter { $0.hasPrefix("complete -c klpcheck -n '__klpcheck_using \(command.name)' ") }
            for option in command.optionsWithHelp {
                let line = mine.first { $0.contains(" -l \(option.name.dropFirst(2)) ") }
                XCTAssertNotNil(line, "\(command.name) \(option.name) is not completed")
                XCTAssertEqual(line?.contains(" -r "), option.takesValue, "\(command.name) \(option.name) takes a value")
                if let words = words(option.valueCompletion) {
                    XCTAssertTrue(line?.contains(" -a '\(words.joined(separator: " "))' ") == true, line ?? "")
                }
            }
            let valued = command.options.filter(\.takesValue).map { " " + $0.name.dropFirst(2) }.joined()
            for (index, argument) in command.arguments.enumerated() {
                let prefix = "complete -c klpcheck -n '__klpcheck_argument \(command.name) \(index)\(valued)' "
                let line = lines.first { $0.hasPrefix(prefix) }
                XCTAssertNotNil(line, "\(command.name) \(argument.name) is not completed")
                if let words = words(argument.completion) {
                    XCTAssertTrue(line?.contains(" -a '\(words.joined(separator: " "))' ") == true, line ?? "")
                }
            }
        }
    }

    /// A new option, value or command in a spec reaches every script with no
    /// other change: the scripts of a made-up program name all of it.
    func testAMadeUpProgramReachesEveryScript() {
        let demo = ProgramSpec(
            name: "demo", abstract: "A demo.", discussion: "", version: "1.0", options: [.helpFlag],
            commands: [
                CommandSpec(
                    name: "frob", abstract: "Frob a thing.",
                    arguments: [ArgumentSpec("THING", help: "The thing.").completing(.choices(["gadget", "widget"]))],
                    options: [.value("--colour", "red|green", help: "Colour it."), .flag("--loud", help: "Shout.")])
            ])
        let bash = CompletionScript.render(demo, for: .bash)
        XCTAssertTrue(bash.contains("\n        --colour) _demo_words \"red green\"; return ;;\n"), bash)
        XCTAssertTrue(bash.contains("\n        0) _demo_words \"gadget widget\" ;;\n"), bash)
        XCTAssertTrue(bash.hasSuffix("\ncomplete -F _demo demo\n"), bash)
        let zsh = CompletionScript.render(demo, for: .zsh)
        XCTAssertTrue(zsh.contains("\n        '--colour=[Colour it.]:red|green:(red green)' \\\n        '--loud[Shout.]' \\\n"), zsh)
        XCTAssertTrue(zsh.contains("\n        '1:THING:(gadget widget)'\n}\n"), zsh)
        let fish = CompletionScript.render(demo, for: .fish)
        XCTAssertTrue(fish.contains("\ncomplete -c demo -n '__demo_using frob' -l colour -r -f -a 'red green' -d 'Colour it.'\n"), fish)
        XCTAssertTrue(fish.contains("\ncomplete -c demo -n '__demo_argument frob 0 colour' -f -a 'gadget widget' -d 'The thing.'\n"), fish)
    }

    // MARK: Golden lines

    func testGoldenLines() {
        let bash = script(.bash).split(separator: "\n").map(String.init)
        XCTAssertTrue(bash.contains("        _klpcheck_words \"verify run gate merge graph import bench completions help --version --help\""))
        XCTAssertTrue(bash.contains("        --format) _klpcheck_words \"text json\"; return ;;"))
        XCTAssertTrue(bash.contains("        --visited) _klpcheck_words \"auto bitmap hash paged tree bitstate\"; return ;;"))
        XCTAssertTrue(bash.contains("        --symmetry) _klpcheck_words \"on off\"; return ;;"))
        XCTAssertTrue(bash.contains("        0) _klpcheck_files \"klp\" ;;"))
        XCTAssertTrue(bash.contains("        --report-dir) _klpcheck_folders; return ;;"))
        let zsh = script(.zsh).split(separator: "\n").map(String.init)
        XCTAssertTrue(zsh.contains("        '--format=[Output format (default: text).]:text|json:(text json)' \\"))
        XCTAssertTrue(zsh.contains("        '1:MODEL:_files -g \"*.klp\"'"))
        XCTAssertTrue(zsh.contains("        '(- *)--help[Show this help and exit.]' \\"))
        XCTAssertTrue(zsh.contains("        '1:SHELL:(bash zsh fish)'"))
        let fish = script(.fish).split(separator: "\n").map(String.init)
        XCTAssertTrue(fish.contains("complete -c klpcheck -n '__klpcheck_using verify' -l format -r -f -a 'text json' -d 'Output format (default: text).'"))
        XCTAssertTrue(fish.contains("complete -c klpcheck -n '__klpcheck_using verify' -l trace-out -r -F -d 'Write the first counterexample as a scenario \\'klpcheck run\\' replays (\\'-\\': stdout; the report goes to stderr).'"))
        XCTAssertTrue(fish.contains("complete -c klpcheck -n '__klpcheck_argument help 0' -f -a 'verify run gate merge graph import bench completions help' -d 'The command to describe.'"))
    }

    func testQuotingOfHelpTexts() {
        XCTAssertEqual(CompletionScript.singleQuoted("the file's 'check'"), #"'the file'\''s '\''check'\'''"#)
        XCTAssertEqual(CompletionScript.fishQuoted(#"a\b 'c'"#), #"'a\\b \'c\''"#)
    }

    // MARK: The shells read them

    func testBashParsesItsScript() throws {
        let bash = try ExternalProgram.find("bash")
        let file = try ExternalProgram.temporaryFile("klpcheck.bash", script(.bash))
        addTeardownBlock { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try bash.run(["-n", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
    }

    func testZshParsesItsScript() throws {
        let zsh = try ExternalProgram.find("zsh")
        let file = try ExternalProgram.temporaryFile("_klpcheck", script(.zsh))
        addTeardownBlock { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try zsh.run(["-n", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
    }

    func testFishParsesItsScript() throws {
        let fish = try ExternalProgram.find("fish")
        let file = try ExternalProgram.temporaryFile("klpcheck.fish", script(.fish))
        addTeardownBlock { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try fish.run(["--no-config", "-n", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
    }

    // MARK: What the shells offer

    /// A folder with `a.klp`, `notes.txt` and a subfolder `sub`, for file completion.
    private func workspace() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-complete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try "".write(to: folder.appendingPathComponent("a.klp"), atomically: true, encoding: .utf8)
        try "".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    func testBashOffersWhatTheSpecsSay() throws {
        let bash = try ExternalProgram.find("bash")
        let folder = try workspace()
        let file = folder.appendingPathComponent("klpcheck.bash")
        try script(.bash).write(to: file, atomically: true, encoding: .utf8)
        // Each case: the words typed (the last is being completed), and the sorted offers.
        let verify = try XCTUnwrap(program.command(named: "verify"))
        let cases: [([String], [String])] = [
            ([""], (program.commands.map(\.name) + program.options.map(\.name)).sorted()),
            (["ve"], ["verify"]),
            (["verify", "--vi"], ["--visited"]),
            (["verify", "-"], verify.optionsWithHelp.map(\.name).sorted()),
            (["verify", "--format", ""], ["json", "text"]),
            (["verify", "--format", "=", "j"], ["json"]),
            (["verify", "--format", "="], ["json", "text"]),
            (["verify", "--threads", ""], []),
            (["verify", ""], ["a.klp", "sub"]),
            (["verify", "--symmetry", "off", ""], ["a.klp", "sub"]),
            (["verify", "a.klp", ""], []),
            (["run", "a.klp", ""], ["a.klp", "klpcheck.bash", "notes.txt", "sub"]),
            (["run", "--core", "upstream", ""], ["a.klp", "sub"]),
            (["run", "--core", "=", "upstream", "a.klp", "n"], ["notes.txt"]),
            (["gate", ""], ["sub"]),
            (["gate", "--report-dir", ""], ["sub"]),
            (["bench", ""], ["filter-lock"]),
            (["completions", ""], ["bash", "fish", "zsh"]),
            (["help", "--man", "g"], ["gate", "graph"]),
        ]
        for (typed, expected) in cases {
            let words = ["klpcheck"] + typed
            let program = """
                source \(file.path)
                COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " ")))
                COMP_CWORD=\(words.count - 1)
                _klpcheck
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let result = try bash.run(["--norc", "-c", program], in: folder)
            XCTAssertEqual(result.stderr, "", "\(typed)")
            let offered = result.stdout.split(separator: "\n").map(String.init).sorted()
            XCTAssertEqual(offered, expected, "klpcheck \(typed.joined(separator: " "))<TAB>")
        }
    }

    func testFishOffersWhatTheSpecsSay() throws {
        let fish = try ExternalProgram.find("fish")
        let folder = try workspace()
        let file = folder.appendingPathComponent("klpcheck.fish")
        try script(.fish).write(to: file, atomically: true, encoding: .utf8)
        let cases: [(String, [String])] = [
            ("klpcheck ", program.commands.map(\.name).sorted()),
            ("klpcheck --v", ["--version"]),
            ("klpcheck verify --vi", ["--visited"]),
            ("klpcheck verify --format ", ["json", "text"]),
            ("klpcheck verify --format=", ["--format=json", "--format=text"]),
            ("klpcheck verify ", ["a.klp", "sub/"]),
            ("klpcheck verify --threads 2 ", ["a.klp", "sub/"]),
            ("klpcheck run a.klp ", ["a.klp", "klpcheck.fish", "notes.txt", "sub/"]),
            ("klpcheck gate ", ["sub/"]),
            ("klpcheck bench ", ["filter-lock"]),
            ("klpcheck completions ", ["bash", "fish", "zsh"]),
            ("klpcheck help g", ["gate", "graph"]),
        ]
        for (typed, expected) in cases {
            let result = try fish.run(
                ["--no-config", "-c", "source \(file.path); complete --do-complete '\(typed)'"], in: folder)
            XCTAssertEqual(result.stderr, "", typed)
            let offered = result.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }.sorted()
            XCTAssertEqual(offered, expected, "\(typed)<TAB>")
        }
    }
}
