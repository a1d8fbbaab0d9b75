import Livepatch

/// The `klpcheck` program: reads the subcommand and hands over to it.
///
/// The executable target only calls `KLPCheck.runAsProcess`; everything else lives
/// here so that tests can run commands in-process too.
public enum KLPCheck {
    /// The version printed by `--version`.
    public static let version = "0.2.0"

    /// What `--version` prints: the version and the schema of the JSON output.
    public static var versionLine: String { "klpcheck \(version) (schema \(SearchDocument.schemaName))\n" }

    /// The subcommands, in the order `--help` lists them.
    static let commandTypes: [any KLPCommand.Type] = [
        VerifyCommand.self, RunCommand.self, GateCommand.self, MergeCommand.self, GraphCommand.self, ImportCommand.self,
        BenchCommand.self, CompletionsCommand.self, HelpCommand.self,
    ]

    /// The program's own options, accepted before any command.
    static let options: [OptionSpec] = [
        .flag("--version", help: "Print the version and the JSON output's schema, and exit."),
        .helpFlag,
    ]

    /// The whole command line: the source of `--help`, the completion
    /// scripts and the manual page.
    public static let program = ProgramSpec(
        name: "klpcheck", abstract: "a model checker for Linux kernel livepatch callbacks.",
        discussion: """
            Describes a livepatch's world in a small .klp file, explores every interleaving of
            patch enable and disable, transition reversal, callback failure, module load and
            unload, atomic replace and task switching, and either proves that the pre_patch,
            post_patch, pre_unpatch and post_unpatch callbacks run as the kernel promises or
            prints the shortest sequence of commands that breaks a promise, with the kernel log
            it produces.
            """,
        version: version, options: options, commands: commandTypes.map { $0.spec })

    /// One line per subcommand, for the top-level help.
    static var commands: [(name: String, abstract: String)] { commandTypes.map { ($0.spec.name, $0.spec.abstract) } }

    /// Parses the arguments of `command`, then prints its help or runs it.
    static func dispatch(_ command: any KLPCommand.Type, _ arguments: [String], console: Console) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, spec: command.spec)
        if parsed.wantsHelp { return printHelp(command.spec, console) }
        return try command.init(parsed, console: console).run(console: console).rawValue
    }

    /// The top-level help text.
    static var help: String { program.help }

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
            case "--help", "-h":
                console.out(help)
                return ExitStatus.holds.rawValue
            case "--version":
                console.out(versionLine)
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
            // A message may quote a path or an argument: no control character reaches the terminal raw.
            console.err("klpcheck: error: \(VisibleText.escape(failure.message))\n")
            if failure.status == .badInput && failure.pointsToHelp && !failure.message.contains("\n") {
                console.err("klpcheck: see 'klpcheck \(commands.contains { $0.name == name } ? name + " " : "")--help'\n")
            }
            return failure.status.rawValue
        } catch {
            console.err("klpcheck: internal error: \(VisibleText.escape("\(error)"))\n")
            return ExitStatus.internalError.rawValue
        }
    }

    static func printHelp(_ spec: CommandSpec, _ console: Console) -> Int32 {
        console.out(spec.help(program: "klpcheck"))
        return ExitStatus.holds.rawValue
    }
}
