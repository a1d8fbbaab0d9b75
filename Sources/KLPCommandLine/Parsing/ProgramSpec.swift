import Livepatch

/// Everything the top-level `--help` says: the program, its own options and
/// its commands. The completion scripts and the manual page are generated
/// from it too, so none of them can drift from `--help`.
public struct ProgramSpec: Sendable {
    /// The program's name: `klpcheck`.
    public var name: String
    /// One line: what it is.
    public var abstract: String
    /// More paragraphs: what it does.
    public var discussion: String
    /// Its version: `0.2.0`.
    public var version: String
    /// Options accepted before any command (`--help`, `--version`).
    public var options: [OptionSpec]
    /// The commands, in the order the help lists them.
    public var commands: [CommandSpec]

    /// Creates a program spec.
    public init(
        name: String, abstract: String, discussion: String, version: String, options: [OptionSpec], commands: [CommandSpec]
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.version = version
        self.options = options
        self.commands = commands
    }

    /// The command called `name`, if any.
    public func command(named name: String) -> CommandSpec? { commands.first { $0.name == name } }

    /// The top-level help text.
    public var help: String {
        var lines = [
            "OVERVIEW: \(name): \(abstract)",
            "",
            "USAGE: \(name) <command> [OPTIONS] ...",
            "       \(name) " + options.map(\.name).joined(separator: " | "),
            "",
            discussion,
            "",
            "COMMANDS:",
        ]
        let width = (commands.map(\.name.count).max() ?? 0) + 2
        for command in commands {
            lines.append("  " + command.name + String(repeating: " ", count: width - command.name.count) + command.abstract)
        }
        lines += ["", "OPTIONS:"]
        for option in options { lines.append(CommandSpec.row(option.name, option.help)) }
        lines += ["", "  Run '\(name) <command> --help' for a command's options.", "", ExitStatus.table]
        return lines.joined(separator: "\n") + "\n"
    }
}
