import Livepatch

/// Something `klpcheck import` could not read, or a choice it made that the
/// author must confirm: `file:line:col: warning: ...`, printed on standard
/// error while the import goes on. A `Diagnostic` of severity `warning`.
public typealias ImportWarning = Diagnostic

extension Diagnostic {
    /// A warning of `klpcheck import` at `location`.
    static func importWarning(location: SourceLocation, message: String) -> Diagnostic {
        Diagnostic(location: location, message: message, severity: .warning)
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
