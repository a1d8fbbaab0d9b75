/// Cuts a line of a `SourceText` into tokens, for both languages: blanks
/// (space, tab, carriage return) separate tokens, and a token's column is
/// its first byte's, 1-based, counting UTF-8 bytes (a tab is one column).
///
/// Models glue a parenthesised group, blanks included, to its token
/// (`pre_patch(may-fail -ENODEV)`); scenarios have no groups.
struct Lexer {
    /// Whether a `(` opens a group that runs, blanks included, to its `)`.
    var groupsParentheses: Bool

    /// The `.klp` model language's lexer.
    static let model = Lexer(groupsParentheses: true)
    /// The scenario language's lexer.
    static let scenario = Lexer(groupsParentheses: false)

    /// Whether `c` separates tokens.
    @inline(__always) static func isBlank(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r")
    }

    /// The tokens of `line`; a group left open at the end of the line makes
    /// its token `broken`, with the column of its `(`.
    func tokens(of line: SourceText.Line) -> [Token] {
        let b = line.content
        let first = b.startIndex
        var tokens: [Token] = []
        var i = first
        while i < b.endIndex {
            if Self.isBlank(b[i]) {
                i += 1
                continue
            }
            let start = i
            var depth = 0
            var firstOpen = i
            while i < b.endIndex {
                let c = b[i]
                if depth == 0 && Self.isBlank(c) { break }
                if groupsParentheses {
                    if c == UInt8(ascii: "(") {
                        if depth == 0 { firstOpen = i }
                        depth += 1
                    } else if c == UInt8(ascii: ")") && depth > 0 {
                        depth -= 1
                    }
                }
                i += 1
            }
            tokens.append(
                Token(
                    bytes: Array(b[start..<i]), column: start - first + 1,
                    unclosedParenColumn: depth > 0 ? firstOpen - first + 1 : nil))
        }
        return tokens
    }
}
