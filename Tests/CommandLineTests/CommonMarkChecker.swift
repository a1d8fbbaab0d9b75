import Foundation

/// The part of CommonMark (and GitHub's tables) the Markdown reports rely
/// on, read the way a renderer reads it, so that tests check what a reader
/// sees rather than the escaped source:
///
/// - table rows are split at every `|` not escaped by a backslash;
/// - backslash escapes: `\` before ASCII punctuation is that character;
/// - entity references `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#N;`, `&#xH;`;
/// - code spans: a run of N backticks up to the next run of exactly N;
/// - inline links `[text](destination)`, with `<...>` destinations and
///   nested balanced parentheses (a link holding a link is text), and
///   images `![...]`;
/// - raw HTML (`<` then a letter, `/`, `!` or `?`) and autolinks
///   (`<scheme:...>`);
/// - emphasis and strikethrough delimiters: any `*` or `~`, and an `_` not
///   between two letters or digits (reported, not resolved).
enum CommonMarkChecker {
    /// One link: its text as rendered and its destination as written (escapes resolved).
    struct Link: Equatable {
        var text: String
        var destination: String
    }

    /// An inline span as a reader sees it.
    struct Inline {
        /// The visible text, link texts included.
        var text = ""
        var links: [Link] = []
        /// Raw HTML and autolinks found (each opening `<...`).
        var html: [String] = []
        /// Emphasis or strikethrough delimiters and images found.
        var markup: [String] = []

        /// Neither HTML nor markup: the text is all there is.
        var isPlain: Bool { html.isEmpty && markup.isEmpty }
    }

    /// The cells of a table row (a line starting with `|`), or nil for another line.
    static func cells(_ line: String) -> [String]? {
        guard line.hasPrefix("|") else { return nil }
        var cells: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "|" {
                cells.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        cells.append(current)
        // The leading and trailing pipes enclose the row.
        if cells.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { cells.removeFirst() }
        if cells.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { cells.removeLast() }
        return cells.map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\\|", with: "|") }
    }

    static func isPunctuation(_ c: Character) -> Bool {
        c.isASCII && (c.isPunctuation || c.isSymbol)
    }

    static func isAlphanumeric(_ c: Character?) -> Bool {
        guard let c else { return false }
        return c.isLetter || c.isNumber
    }

    /// Reads inline text.
    static func inline(_ source: String) -> Inline {
        let s = Array(source)
        var result = Inline()
        var i = 0
        while i < s.count {
            let c = s[i]
            switch c {
            case "\\":
                if i + 1 < s.count, isPunctuation(s[i + 1]) {
                    result.text.append(s[i + 1])
                    i += 2
                } else {
                    result.text.append(c)
                    i += 1
                }
            case "&":
                if let (decoded, length) = entity(s, at: i) {
                    result.text += decoded
                    i += length
                } else {
                    result.text.append(c)
                    i += 1
                }
            case "`":
                let run = runLength(s, at: i, of: "`")
                if let close = closingRun(s, from: i + run, length: run) {
                    var content = String(s[(i + run)..<close])
                    if content.count >= 2 && content.hasPrefix(" ") && content.hasSuffix(" ") {
                        content = String(content.dropFirst().dropLast())
                    }
                    result.text += content
                    i = close + run
                } else {
                    result.text += String(repeating: "`", count: run)
                    i += run
                }
            case "<":
                let next = i + 1 < s.count ? s[i + 1] : " "
                if next.isLetter || next == "/" || next == "!" || next == "?" {
                    let end = s[i...].firstIndex(of: ">") ?? s.count - 1
                    result.html.append(String(s[i...end]))
                }
                result.text.append(c)
                i += 1
            case "!" where i + 1 < s.count && s[i + 1] == "[":
                if let (_, _, length) = link(s, at: i + 1) {
                    result.markup.append(String(s[i..<(i + 1 + length)]))
                    i += 1 + length
                } else {
                    result.text.append(c)
                    i += 1
                }
            case "[":
                // A link cannot contain another: then this bracket is text.
                if let (label, destination, length) = link(s, at: i), inline(label).links.isEmpty {
                    let inner = inline(label)
                    result.links.append(Link(text: inner.text, destination: destination))
                    result.html += inner.html
                    result.markup += inner.markup
                    result.text += inner.text
                    i += length
                } else {
                    result.text.append(c)
                    i += 1
                }
            case "*", "~":
                result.markup.append(String(c))
                result.text.append(c)
                i += 1
            case "_":
                if !(isAlphanumeric(i > 0 ? s[i - 1] : nil) && isAlphanumeric(i + 1 < s.count ? s[i + 1] : nil)) {
                    result.markup.append("_")
                }
                result.text.append(c)
                i += 1
            default:
                result.text.append(c)
                i += 1
            }
        }
        return result
    }

    /// Backslash escapes and entity references resolved (as in a link destination).
    static func unescape(_ source: String) -> String {
        let s = Array(source)
        var text = ""
        var i = 0
        while i < s.count {
            if s[i] == "\\", i + 1 < s.count, isPunctuation(s[i + 1]) {
                text.append(s[i + 1])
                i += 2
            } else if s[i] == "&", let (decoded, length) = entity(s, at: i) {
                text += decoded
                i += length
            } else {
                text.append(s[i])
                i += 1
            }
        }
        return text
    }

    // MARK: Pieces

    static func runLength(_ s: [Character], at start: Int, of c: Character) -> Int {
        var end = start
        while end < s.count && s[end] == c { end += 1 }
        return end - start
    }

    /// The start of the next backtick run of exactly `length`.
    static func closingRun(_ s: [Character], from start: Int, length: Int) -> Int? {
        var i = start
        while i < s.count {
            if s[i] == "`" {
                let run = runLength(s, at: i, of: "`")
                if run == length { return i }
                i += run
            } else {
                i += 1
            }
        }
        return nil
    }

    static func entity(_ s: [Character], at start: Int) -> (String, Int)? {
        guard let semicolon = s[start...].prefix(12).firstIndex(of: ";") else { return nil }
        let name = String(s[(start + 1)..<semicolon])
        let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\""]
        if let text = named[name] { return (text, semicolon - start + 1) }
        var value: UInt32?
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
            value = UInt32(name.dropFirst(2), radix: 16)
        } else if name.hasPrefix("#") {
            value = UInt32(name.dropFirst())
        }
        guard let value, let scalar = Unicode.Scalar(value) else { return nil }
        return (String(Character(scalar)), semicolon - start + 1)
    }

    /// `[label](destination)` at `start`: the label's source, the
    /// destination (escapes and entities resolved) and the length read.
    static func link(_ s: [Character], at start: Int) -> (String, String, Int)? {
        // The label: brackets nest; escaped ones and those in code spans do not count.
        var depth = 0
        var i = start
        var close: Int?
        while i < s.count {
            let c = s[i]
            if c == "\\" {
                i += 2
                continue
            }
            if c == "`" {
                let run = runLength(s, at: i, of: "`")
                if let end = closingRun(s, from: i + run, length: run) {
                    i = end + run
                    continue
                }
                i += run
                continue
            }
            if c == "[" { depth += 1 }
            if c == "]" {
                depth -= 1
                if depth == 0 {
                    close = i
                    break
                }
            }
            i += 1
        }
        guard let close, close + 1 < s.count, s[close + 1] == "(" else { return nil }
        let label = String(s[(start + 1)..<close])
        var j = close + 2
        while j < s.count && s[j] == " " { j += 1 }
        var raw = ""
        if j < s.count && s[j] == "<" {
            j += 1
            while j < s.count && s[j] != ">" {
                if s[j] == "\n" || s[j] == "<" { return nil }
                if s[j] == "\\" && j + 1 < s.count && isPunctuation(s[j + 1]) {
                    raw += [s[j], s[j + 1]]
                    j += 2
                    continue
                }
                raw.append(s[j])
                j += 1
            }
            guard j < s.count else { return nil }
            j += 1
        } else {
            var parens = 0
            while j < s.count {
                let c = s[j]
                if c == " " || c.asciiValue.map({ $0 < 0x20 }) == true { break }
                if c == "\\" && j + 1 < s.count && isPunctuation(s[j + 1]) {
                    raw += [c, s[j + 1]]
                    j += 2
                    continue
                }
                if c == "(" { parens += 1 }
                if c == ")" {
                    if parens == 0 { break }
                    parens -= 1
                }
                raw.append(c)
                j += 1
            }
        }
        while j < s.count && s[j] == " " { j += 1 }
        guard j < s.count, s[j] == ")" else { return nil }
        return (label, unescape(raw), j + 1 - start)
    }

    /// The fenced code blocks of a document: info string and lines. A
    /// fence closes only at a run of at least as many backticks and nothing else.
    static func codeBlocks(_ document: String) -> (blocks: [(info: String, lines: [String])], unclosed: Bool) {
        var blocks: [(String, [String])] = []
        var open: (fence: Int, info: String, lines: [String])?
        for line in document.components(separatedBy: "\n") {
            let run = line.prefix { $0 == "`" }.count
            if var current = open {
                if run >= current.fence && line.dropFirst(run).allSatisfy({ $0 == " " }) {
                    blocks.append((current.info, current.lines))
                    open = nil
                } else {
                    current.lines.append(line)
                    open = current
                }
            } else if run >= 3 && !line.dropFirst(run).contains("`") {
                open = (run, String(line.dropFirst(run)).trimmingCharacters(in: .whitespaces), [])
            }
        }
        return (blocks, open != nil)
    }
}
