/// A token of one line, as the `Lexer` cut it: its bytes and where it starts.
struct Token {
    /// The token's bytes (valid UTF-8: the `SourceText` was checked).
    var bytes: [UInt8]
    /// The 1-based column of its first byte, counting UTF-8 bytes.
    var column: Int
    /// The column of the `(` its line left open (already reported), if any:
    /// such a token means nothing and is skipped.
    var unclosedParenColumn: Int?

    init(bytes: [UInt8], column: Int, unclosedParenColumn: Int? = nil) {
        self.bytes = bytes
        self.column = column
        self.unclosedParenColumn = unclosedParenColumn
    }

    /// Whether the token has an unterminated `(`.
    var broken: Bool { unclosedParenColumn != nil }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The token as a message quotes it: escaped, cut short, in quotes.
    var quoted: String { VisibleText.quoted(text) }
    /// The token as a message shows it unquoted (a number): escaped, cut short.
    var shown: String { VisibleText.shortened(text) }
    /// The column just past the token.
    var end: Int { column + bytes.count }
    var startsWithParen: Bool { bytes.first == UInt8(ascii: "(") }

    /// Whether the token is a name, `[A-Za-z_][A-Za-z0-9_-]*`.
    var isValidName: Bool {
        guard let first = bytes.first else { return false }
        func letter(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
                || c == UInt8(ascii: "_")
        }
        guard letter(first) else { return false }
        return bytes.dropFirst().allSatisfy {
            letter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
        }
    }

    /// The token read as a number.
    enum Number {
        case value(Int)
        case malformed
        case overflow(negative: Bool)
    }

    /// The token as a decimal integer with an optional leading `-`.
    var number: Number {
        var digits = bytes[...]
        var negative = false
        if digits.first == UInt8(ascii: "-") {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return .malformed }
        var value = 0
        var overflow = false
        for c in digits {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return .malformed }
            if overflow { continue }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
            if o1 || o2 { overflow = true } else { value = s }
        }
        if overflow { return .overflow(negative: negative) }
        return .value(negative ? -value : value)
    }
}
