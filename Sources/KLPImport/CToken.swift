/// One token of C source: an identifier, a number, a string or character
/// literal, or punctuation, with the place it starts in the input file.
struct CToken: Sendable, Equatable {
    /// The kinds of token the reader tells apart.
    enum Kind: Sendable, Equatable { case identifier, number, string, character, punctuation }

    /// Its kind.
    var kind: Kind
    /// Its text as written (a string keeps its quotes).
    var text: String
    /// 1-based line in the input file.
    var line: Int
    /// 1-based column (UTF-8 bytes) in the input file.
    var column: Int

    /// Whether this is the punctuation or identifier `text`.
    func `is`(_ text: String) -> Bool { self.text == text && kind != .string && kind != .character }

    /// The contents of a string literal, without its quotes (escapes kept).
    var stringValue: String? {
        guard kind == .string, text.count >= 2 else { return nil }
        return String(text.dropFirst().dropLast())
    }
}

/// A `#define NAME VALUE` line (object-like macros only).
struct CDefine: Sendable, Equatable {
    /// The macro's name.
    var name: String
    /// Its replacement, as tokens (continuation lines joined).
    var value: [CToken]
    /// Where the name is.
    var line: Int
    var column: Int
}
