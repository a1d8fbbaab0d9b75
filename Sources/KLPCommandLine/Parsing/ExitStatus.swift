/// The exit statuses of every klpcheck command.
public enum ExitStatus: Int32, Sendable, Codable {
    /// Every checked property holds over a complete search (or the command succeeded).
    case holds = 0
    /// A checked property is violated (or the gate found a mismatch).
    case violated = 1
    /// Bad input or usage.
    case badInput = 2
    /// The search was incomplete: a limit, or bitstate mode.
    case incomplete = 3
    /// An internal error.
    case internalError = 70

    /// The table that `--help` and the README print.
    public static let table = """
        EXIT STATUS:
          0   every checked property holds over a complete search
          1   a checked property is violated
          2   bad input or usage
          3   incomplete: a limit stopped the search, or bitstate mode
          70  internal error, or standard output or error could not be written
          130 interrupted by SIGINT (143: SIGTERM); a search prints its partial result first
          141 the reader of standard output went away (SIGPIPE)
        """
}

/// A failure that ends a command with a message on stderr and an exit status.
public struct CommandFailure: Error, Equatable, CustomStringConvertible {
    /// What to print, without the "error: " prefix.
    public var message: String
    /// The exit status.
    public var status: ExitStatus
    /// Whether `message` is already `file:line:col: error: ...` lines, printed as they are.
    public var isDiagnostics = false
    /// Whether the command's `--help` may help (not when an output could not be written).
    public var pointsToHelp = true

    /// Creates a failure.
    public init(_ message: String, status: ExitStatus = .badInput) {
        self.message = message
        self.status = status
    }

    /// A failure made of diagnostics lines, printed as they are (exit 2).
    public static func diagnostics(_ text: String) -> CommandFailure {
        var failure = CommandFailure(text)
        failure.isDiagnostics = true
        return failure
    }

    /// The message.
    public var description: String { message }
}
