/// The `klpcheck` program: reads the subcommand and hands over to it.
///
/// The executable target only calls `KLPCheck.runAsProcess`; everything else lives
/// here so that tests can run commands in-process too.
public enum KLPCheck {
    /// The version printed by `--version`.
    public static let version = "0.1.0"

    /// The subcommands, in the order `--help` lists them.
    static let commandTypes: [any KLPCommand.Type] = [
        VerifyCommand.self, RunCommand.self, GateCommand.self, GraphCommand.self, BenchCommand.self,
    ]

    /// One line per subcommand, for the top-level help.
    static var commands: [(name: String, abstract: String)] { commandTypes.map { ($0.spec.name, $0.spec.abstract) } }

    /// Parses the arguments of `command`, then prints its help or runs it.
    static func dispatch(_ command: any KLPCommand.Type, _ arguments: [String], console: Console) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, spec: command.spec)
        if parsed.wantsHelp { return printHelp(command.spec, console) }
        return try command.init(parsed, console: console).run(console: console).rawValue
    }

    /// The top-level help text.
    static var help: String {
        var lines = [
            "OVERVIEW: klpcheck: a model checker for Linux kernel livepatch callbacks.",
            "",
            "USAGE: klpcheck <command> [OPTIONS] ...",
            "",
            "COMMANDS:",
        ]
        for command in commands {
            lines.append("  " + command.name + String(repeating: " ", count: max(2, 10 - command.name.count)) + command.abstract)
        }
        lines += ["", "  Run 'klpcheck <command> --help' for a command's options.", "", ExitStatus.table]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs the program with `arguments` (without the program name) and
    /// returns its exit status.
    public static func main(_ arguments: [String], console: Console = .standard) -> Int32 {
        guard let name = arguments.first else {
            console.err(help)
            return ExitStatus.badInput.rawValue
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch name {
            case "--help", "-h", "help":
                console.out(help)
                return ExitStatus.holds.rawValue
            case "--version":
                console.out("klpcheck \(version)\n")
                return ExitStatus.holds.rawValue
            default:
                if let command = commandTypes.first(where: { $0.spec.name == name }) {
                    return try dispatch(command, rest, console: console)
                }
                throw CommandFailure("unknown command '\(name)'; commands: \(commands.map(\.name).joined(separator: ", "))")
            }
        } catch let failure as CommandFailure where failure.isDiagnostics {
            console.err(failure.message + "\n")
            return failure.status.rawValue
        } catch let failure as CommandFailure {
            console.err("klpcheck: error: \(failure.message)\n")
            if failure.status == .badInput && failure.pointsToHelp && !failure.message.contains("\n") {
                console.err("klpcheck: see 'klpcheck \(commands.contains { $0.name == name } ? name + " " : "")--help'\n")
            }
            return failure.status.rawValue
        } catch {
            console.err("klpcheck: internal error: \(error)\n")
            return ExitStatus.internalError.rawValue
        }
    }

    static func printHelp(_ spec: CommandSpec, _ console: Console) -> Int32 {
        console.out(spec.help(program: "klpcheck"))
        return ExitStatus.holds.rawValue
    }
}
