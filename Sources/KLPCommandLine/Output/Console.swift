import CKLPSupport
import Foundation

/// Where a command writes: standard output, standard error, and whether
/// standard error is a terminal (for progress).
public struct Console: Sendable {
    /// Writes to standard output.
    public var out: @Sendable (String) -> Void
    /// Writes to standard error.
    public var err: @Sendable (String) -> Void
    /// Whether standard error is a terminal.
    public var stderrIsTerminal: Bool

    /// The process's own streams; a stream that fails ends the process
    /// (see `StandardStream`).
    public static var standard: Console {
        Console(
            out: { text in StandardStream.write(text, to: StandardStream.output) },
            err: { text in StandardStream.write(text, to: StandardStream.error) },
            stderrIsTerminal: klp_isatty(2))
    }

    /// Creates a console.
    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void, stderrIsTerminal: Bool) {
        self.out = out
        self.err = err
        self.stderrIsTerminal = stderrIsTerminal
    }
}
