import Livepatch

/// Something `klpcheck import` could not read, or a choice it made that the
/// author must confirm: `file:line:col: warning: ...`, printed on standard
/// error while the import goes on.
public struct ImportWarning: Sendable, Hashable, CustomStringConvertible {
    /// Where the construct starts (1-based line and column of the input file).
    public var location: SourceLocation
    /// What was not understood, control characters shown as escapes.
    public var message: String

    /// Creates a warning; control characters of `message` become escapes.
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = VisibleText.escape(message)
    }

    /// `FILE:LINE:COL: warning: MESSAGE`.
    public var description: String {
        "\(VisibleText.escape(location.file)):\(location.line):\(location.column): warning: \(message)"
    }
}

/// Why an import produced no model: unreadable input, or an input with no
/// livepatch declaration at all; every line is `file:line:col: error: ...`.
public struct ImportFailure: Error, Sendable, CustomStringConvertible {
    /// The errors, in input order.
    public var diagnostics: [Diagnostic]
    /// The warnings gathered before the failure.
    public var warnings: [ImportWarning]

    /// Creates a failure.
    public init(diagnostics: [Diagnostic], warnings: [ImportWarning] = []) {
        self.diagnostics = diagnostics
        self.warnings = warnings
    }

    /// The errors, one a line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
