import Livepatch

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
