/// A text klpcheck parses, a model or a scenario, checked to be UTF-8 and
/// cut into lines: the one reader both languages use, so a line and a
/// column are the same in both.
///
/// Lines end at `\n` bytes, and a `\r` just before one belongs to the line
/// end, so a CRLF file has the lines and columns of its LF twin. `#` starts
/// a comment that runs to the end of the line. A UTF-8 byte order mark at
/// the start reads as three blanks (it keeps its columns). Positions are
/// 1-based; columns count UTF-8 bytes, a tab being one.
struct SourceText: Sendable {
    /// The name of the text in diagnostics.
    let file: String
    /// The text, its byte order mark blanked.
    private let bytes: [UInt8]

    /// One line of the text, comment and line end removed.
    struct Line {
        /// 1-based.
        var number: Int
        /// The bytes before the comment; column 1 is the first.
        var content: ArraySlice<UInt8>
    }

    /// `bytes` when they are UTF-8 text; otherwise a diagnostic at the first
    /// bad byte (its own line and column, so an editor jumps to it). `what`
    /// names the input in the message (`model file`).
    init(validating bytes: [UInt8], file: String, what: String) throws(ModelErrors) {
        if let bad = Self.firstInvalidUTF8(bytes) {
            let (line, column) = Self.position(of: bad, in: bytes)
            throw ModelErrors(diagnostics: [
                Diagnostic(
                    location: SourceLocation(file: file, line: line, column: column),
                    message: "\(what) is not valid UTF-8 text (invalid byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))"
                )
            ])
        }
        self.init(checked: bytes, file: file)
    }

    /// A text already known to be UTF-8 (a `String`'s).
    init(_ text: String, file: String) {
        self.init(checked: Array(text.utf8), file: file)
    }

    private init(checked: [UInt8], file: String) {
        var bytes = checked
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            for i in 0..<3 { bytes[i] = UInt8(ascii: " ") }
        }
        self.bytes = bytes
        self.file = file
    }

    /// Reads the file at `path` (`SourceFile`'s size cap); a file that
    /// cannot be read is reported at line 1, column 1.
    static func read(atPath path: String, what: String) throws(ModelErrors) -> SourceText {
        switch SourceFile.bytes(atPath: path, what: what) {
        case .success(let bytes):
            return try SourceText(validating: bytes, file: path, what: what)
        case .failure(let problem):
            let start = SourceLocation(file: path, line: 1, column: 1)
            throw ModelErrors(diagnostics: [Diagnostic(location: start, message: problem.message)])
        }
    }

    /// Calls `body` with every line in order, the empty ones too (after a
    /// final `\n` comes one more, empty line).
    func forEachLine(_ body: (Line) -> Void) {
        let newline = UInt8(ascii: "\n")
        var number = 1
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != newline { end += 1 }
            var content = bytes[start..<end]
            if let hash = content.firstIndex(of: UInt8(ascii: "#")) {
                content = content[..<hash]
            } else if content.last == UInt8(ascii: "\r") {
                content = content.dropLast()
            }
            body(Line(number: number, content: content))
            number += 1
            start = end + 1
        }
    }

    /// The byte offset of the first byte that does not start a valid UTF-8 sequence, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// 1-based line and column (in bytes) of a byte offset.
    static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart + 1)
    }
}
