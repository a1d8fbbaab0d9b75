/// One error in a `.klp` model, at the offending token.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the offending token starts (1-based line and column; columns count UTF-8 bytes).
    public var location: SourceLocation
    /// What is wrong and what was expected.
    public var message: String

    /// Creates a diagnostic.
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COL: error: MESSAGE`.
    public var description: String { "\(location): error: \(message)" }
}

/// All the errors of a model file, in file order.
public struct ModelErrors: Error, Sendable, CustomStringConvertible {
    /// The diagnostics, sorted by line, then column.
    public var diagnostics: [Diagnostic]

    /// Creates the error list.
    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One line per diagnostic.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
