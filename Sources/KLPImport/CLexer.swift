/// Splits C source lines into tokens, tolerantly: comments, string and
/// character literals, preprocessor lines (with `\` continuations; object-like
/// `#define`s are kept, the rest skipped) and stray characters never stop it.
///
/// Its input is lines with their line numbers and column offsets in the input
/// file, so that a unified diff's added lines keep their own positions.
struct CLexer {
    /// One line of source: its text, its line in the input file, and the
    /// number of bytes before it on that line (1 for a diff's `+`).
    struct SourceLine {
        var text: String
        var line: Int
        var columnOffset: Int
    }

    /// The tokens, in order.
    private(set) var tokens: [CToken] = []
    /// The object-like `#define`s, in order.
    private(set) var defines: [CDefine] = []

    /// Reads all of `lines`.
    init(_ lines: [SourceLine]) {
        var inComment = false
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let bytes = Array(line.text.utf8)
            index += 1
            if !inComment, let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }), bytes[first] == UInt8(ascii: "#") {
                // A directive runs on over lines that end with a backslash.
                var parts: [(bytes: [UInt8], line: SourceLine)] = [(bytes, line)]
                while parts.last!.bytes.last == UInt8(ascii: "\\") && index < lines.count {
                    parts[parts.count - 1].bytes.removeLast()
                    parts.append((Array(lines[index].text.utf8), lines[index]))
                    index += 1
                }
                directive(parts, from: first)
                continue
            }
            var lineTokens: [CToken] = []
            Self.scan(bytes, line: line, inComment: &inComment, into: &lineTokens)
            tokens += lineTokens
        }
    }

    /// Keeps `#define NAME VALUE` (not function-like macros); skips the others.
    private mutating func directive(_ parts: [(bytes: [UInt8], line: SourceLine)], from first: Int) {
        var found: [CToken] = []
        var inComment = false
        for (number, part) in parts.enumerated() {
            var bytes = part.bytes
            if number == 0 {
                // Blank out the `#` so the scanner sees `define NAME ...`.
                bytes[first] = 0x20
            }
            Self.scan(bytes, line: part.line, inComment: &inComment, into: &found)
        }
        guard found.count >= 2, found[0].is("define"), found[1].kind == .identifier else { return }
        let name = found[1]
        // `#define F(x)`: the parenthesis touches the name.
        if found.count > 2, found[2].is("("), found[2].line == name.line, found[2].column == name.column + name.text.utf8.count {
            return
        }
        defines.append(CDefine(name: name.text, value: Array(found.dropFirst(2)), line: name.line, column: name.column))
    }

    private static let punctuators: [String] = [
        "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=",
        "/=", "%=", "&=", "|=", "^=", "##",
    ]

    /// Tokens of one line; `inComment` carries a `/* ... */` over lines.
    private static func scan(_ bytes: [UInt8], line: SourceLine, inComment: inout Bool, into out: inout [CToken]) {
        var i = 0
        func token(_ kind: CToken.Kind, _ start: Int, _ end: Int) {
            out.append(
                CToken(
                    kind: kind, text: String(decoding: bytes[start..<end], as: UTF8.self), line: line.line,
                    column: line.columnOffset + start + 1))
        }
        while i < bytes.count {
            if inComment {
                if bytes[i] == UInt8(ascii: "*"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
                    inComment = false
                    i += 2
                } else {
                    i += 1
                }
                continue
            }
            let byte = bytes[i]
            switch byte {
            case 0x20, 0x09, 0x0D, 0x0C, 0x0B, UInt8(ascii: "\\"):
                i += 1
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/"):
                return
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                inComment = true
                i += 2
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let start = i
                i += 1
                while i < bytes.count && bytes[i] != byte {
                    i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1
                }
                i = min(i + 1, bytes.count)
                token(byte == UInt8(ascii: "\"") ? .string : .character, start, i)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                let start = i
                while i < bytes.count && isIdentifierByte(bytes[i]) { i += 1 }
                token(.identifier, start, i)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = i
                while i < bytes.count && (isIdentifierByte(bytes[i]) || bytes[i] == UInt8(ascii: ".")) { i += 1 }
                token(.number, start, i)
            default:
                let start = i
                let rest = bytes[i...]
                if let long = punctuators.first(where: { rest.starts(with: $0.utf8) }) {
                    i += long.utf8.count
                } else {
                    // One character (a UTF-8 sequence stays whole).
                    i += 1
                    while i < bytes.count && bytes[i] & 0xC0 == 0x80 { i += 1 }
                }
                token(.punctuation, start, i)
            }
        }
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }
}
