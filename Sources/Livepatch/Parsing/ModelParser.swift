/// Parses the `.klp` model language (Livepatch.docc, ModelLanguage) into a `World`.
///
/// Every error of a file is collected (a bad token or line is skipped and
/// parsing goes on); they are thrown together, sorted by line and column.
/// Lines and columns are 1-based; columns count UTF-8 bytes. The text is
/// read and cut into lines by `SourceText` and into tokens by `Lexer`, as
/// scenarios are; `WorldBuilder` parses the lines.
public enum ModelParser {
    /// Parses a model's text; `file` names it in the world and in diagnostics.
    public static func parse(_ text: String, file: String) throws(ModelErrors) -> World {
        try parse(SourceText(text, file: file))
    }

    /// Reads and parses a model file. An unreadable file is reported at line
    /// 1, column 1; one that is not UTF-8 text at its first bad byte.
    public static func parse(contentsOf path: String) throws(ModelErrors) -> World {
        try parse(SourceText.read(atPath: path, what: "model file"))
    }

    /// `checkingStateSize: false` skips the state-size check (tests measure worlds past it).
    static func parse(_ source: SourceText, checkingStateSize: Bool = true) throws(ModelErrors) -> World {
        var builder = WorldBuilder(file: source.file)
        source.forEachLine { line in
            let tokens = Lexer.model.tokens(of: line)
            if !tokens.isEmpty { builder.parseLine(tokens, line: line.number) }
        }
        builder.finish()
        if !builder.diagnostics.isEmpty {
            let sorted = builder.diagnostics.enumerated().sorted { a, b in
                let (x, y) = (a.element.location, b.element.location)
                if x.line != y.line { return x.line < y.line }
                if x.column != y.column { return x.column < y.column }
                return a.offset < b.offset
            }.map(\.element)
            throw ModelErrors(diagnostics: sorted)
        }
        let world = builder.world()
        // Only a world that parsed cleanly is measured: its tables need every name resolved.
        if checkingStateSize, let tooLarge = world.stateSizeDiagnostic() { throw ModelErrors(diagnostics: [tooLarge]) }
        return world
    }
}
