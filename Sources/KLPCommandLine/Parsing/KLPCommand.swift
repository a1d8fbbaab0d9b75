import Livepatch

/// A `klpcheck` subcommand: a small struct built from its parsed arguments.
protocol KLPCommand {
    /// Its name, help and options.
    static var spec: CommandSpec { get }
    /// Reads the arguments; throws `CommandFailure` for a malformed one.
    init(_ parsed: ParsedArguments, console: Console) throws
    /// Runs the command and returns its exit status.
    func run(console: Console) throws -> ExitStatus
}
