import Livepatch

/// A `klpcheck` subcommand: a small struct built from its parsed arguments.
/// Its metatype is `SendableMetatype`: `KLPCheck.commandTypes` is a global list of them.
protocol KLPCommand: SendableMetatype {
    /// Its name, help and options.
    static var spec: CommandSpec { get }
    /// Reads the arguments; throws `CommandFailure` for a malformed one.
    init(_ parsed: ParsedArguments, console: Console) throws
    /// Runs the command and returns its exit status.
    func run(console: Console) throws -> ExitStatus
}
