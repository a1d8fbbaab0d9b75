/// One finding about an input file, at the offending token: an error in a
/// `.klp` model or scenario, or a warning of `klpcheck import` that goes on.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// How bad it is: an error stops the input's use, a warning does not.
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    /// Where the offending token starts (1-based line and column; columns count UTF-8 bytes).
    public var location: SourceLocation
    /// What is wrong and what was expected, control characters shown as escapes (`VisibleText`).
    public var message: String
    /// Error (the default) or warning.
    public var severity: Severity

    /// Creates a diagnostic; control characters of `message` become escapes,
    /// so a hostile token never reaches a terminal, an annotation or a report raw.
    public init(location: SourceLocation, message: String, severity: Severity = .error) {
        self.location = location
        self.message = VisibleText.escape(message)
        self.severity = severity
    }

    /// `FILE:LINE:COL: error: MESSAGE` (or `warning:`), the file's control characters shown as escapes.
    public var description: String {
        "\(VisibleText.escape(location.file)):\(location.line):\(location.column): \(severity.rawValue): \(message)"
    }
}

/// All the errors of a model file, in file order.
public struct ModelErrors: Error, Sendable, CustomStringConvertible {
    /// The diagnostics, sorted by line, then column.
    public var diagnostics: [Diagnostic]

    /// The most diagnostics printed; the rest are counted in one last line.
    public static let printedLimit = 100

    /// Creates the error list.
    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// The printed lines: the first `printedLimit` diagnostics, then
    /// `... and N more errors` when there are more.
    public var lines: [String] {
        var lines = diagnostics.prefix(Self.printedLimit).map(\.description)
        let more = diagnostics.count - Self.printedLimit
        if more > 0 { lines.append("... and \(more) more error\(more == 1 ? "" : "s")") }
        return lines
    }

    /// `lines`, one a line.
    public var description: String { lines.joined(separator: "\n") }
}
