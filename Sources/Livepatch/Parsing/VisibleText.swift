/// Text from a model, a scenario or a path made safe to print: every
/// control character is shown as a Swift-style escape, so nothing a file
/// contains can move the cursor, retitle the terminal, start a new output
/// line or hide itself.
///
/// One style everywhere: `\n`, `\r`, `\t`, `\0`, and `\u{1B}` (hexadecimal,
/// upper case) for any other control character. Control characters are the
/// C0 and C1 controls and DEL, the line and paragraph separators, and the
/// bidirectional formatting characters (which reorder what is shown).
/// Everything else, backslashes included, is kept as it is.
public enum VisibleText {
    /// The longest quoted token, in characters of its visible form.
    public static let quoteLimit = 60

    /// `text` with every control character shown as an escape.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars { append(scalar, to: &result) }
        return result
    }

    /// `'text'`, escaped, and cut at `limit` characters with `…` when longer.
    public static func quoted(_ text: String, limit: Int = quoteLimit) -> String {
        "'" + shortened(text, limit: limit) + "'"
    }

    /// `text` escaped, and cut at `limit` characters with `…` when longer
    /// (an escape is never cut in two).
    public static func shortened(_ text: String, limit: Int = quoteLimit) -> String {
        var result = ""
        var length = 0
        for scalar in text.unicodeScalars {
            var piece = ""
            append(scalar, to: &piece)
            let width = piece.unicodeScalars.count
            if length + width > limit { return result + "…" }
            result += piece
            length += width
        }
        return result
    }

    /// Whether `scalar` must not reach an output as it is.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x2028, 0x2029: return true  // line and paragraph separators
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true  // bidirectional formatting
        default: return false
        }
    }

    /// Appends `scalar`, escaped when it is a control character.
    public static func append(_ scalar: Unicode.Scalar, to text: inout String) {
        guard isControl(scalar) else {
            text.unicodeScalars.append(scalar)
            return
        }
        switch scalar {
        case "\n": text += "\\n"
        case "\r": text += "\\r"
        case "\t": text += "\\t"
        case "\0": text += "\\0"
        default: text += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }
}
