import Livepatch

/// Escapes for GitHub Actions workflow commands
/// (`::error file=PATH,line=N::MESSAGE`), as GitHub documents them: in the
/// message `%`, CR and LF are percent-encoded; in a property value also `:`
/// and `,`. Any other control character is shown as a `VisibleText` escape
/// first, so nothing raw reaches the log.
enum GitHubAnnotation {
    /// The message after `::`.
    static func data(_ text: String) -> String { escape(text, isProperty: false) }

    /// A property value, such as the `file=` path.
    static func property(_ text: String) -> String { escape(text, isProperty: true) }

    /// `%`, CR and LF percent-encoded, and in a property also `:` and `,`.
    private static func escape(_ text: String, isProperty: Bool) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": result += "%25"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            case ":" where isProperty: result += "%3A"
            case "," where isProperty: result += "%2C"
            default: VisibleText.append(scalar, to: &result)
            }
        }
        return result
    }

    /// One workflow command: `::KIND PROPERTIES::MESSAGE`, every part escaped.
    static func command(_ kind: String, _ properties: [(String, String)], message: String) -> String {
        let list = properties.map { "\($0.0)=\(property($0.1))" }.joined(separator: ",")
        return "::\(kind)\(list.isEmpty ? "" : " " + list)::\(data(message))"
    }
}

/// Escapes for CommonMark (and GitHub's tables): text that renders as
/// itself, in a table cell or in link text, and link destinations that
/// reach the file.
enum Markdown {
    /// Inline text, safe in a paragraph, a heading, link text and a table
    /// cell: control characters become `VisibleText` escapes, `&`, `<` and
    /// `>` HTML entities (no raw HTML, no autolink), and the ASCII
    /// punctuation CommonMark gives a meaning inline is backslash-escaped
    /// (`|` too, which splits table cells). With `[` and `]` escaped no
    /// link can start, so `(`, `)` and `!` stay as they are; an `_` between
    /// two letters or digits too, as CommonMark never reads it as emphasis.
    static func text(_ raw: String) -> String {
        let visible = VisibleText.escape(raw)
        let scalars = Array(visible.unicodeScalars)
        var result = ""
        result.reserveCapacity(visible.utf8.count + 8)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "_":
                let inWord =
                    index > 0 && index + 1 < scalars.count && isAlphanumeric(scalars[index - 1])
                    && isAlphanumeric(scalars[index + 1])
                result += inWord ? "_" : "\\_"
            case "\\", "`", "*", "[", "]", "|", "~", "#":
                result += "\\"
                result.unicodeScalars.append(scalar)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A relative link destination: every byte but letters, digits,
    /// `-._~` and the `/` between folders is percent-encoded, so spaces,
    /// parentheses and `<>` cannot end or change the link.
    static func destination(_ path: String) -> String {
        var result = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }

    /// `[text](destination)`, both escaped.
    static func link(_ text: String, to path: String) -> String {
        "[\(Self.text(text))](\(destination(path)))"
    }

    /// A fence for a code block holding `lines`: longer than any run of
    /// backticks in them, so no line can close the block early. The lines
    /// themselves get only `VisibleText` escapes (a code block shows text as
    /// it is).
    static func codeBlock(_ lines: [String], info: String = "") -> [String] {
        let visible = lines.map(VisibleText.escape)
        var longest = 0
        for line in visible {
            var run = 0
            for character in line {
                run = character == "`" ? run + 1 : 0
                longest = max(longest, run)
            }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return [fence + info] + visible + [fence]
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}

/// Escapes for the text of a Mermaid sequence-diagram message or note.
enum Mermaid {
    /// Mermaid ends a statement at `;` and a line, and reads `#...;` as an
    /// entity code: `;` becomes `,` and `#` becomes `no. ` (readable, and
    /// what earlier reports showed); control characters become
    /// `VisibleText` escapes, so no text can start a new statement.
    static func text(_ raw: String) -> String {
        VisibleText.escape(raw).replacingOccurrences(of: ";", with: ",").replacingOccurrences(of: "#", with: "no. ")
    }

    /// The text of a state-diagram description or transition label: a
    /// description ends at `;` and a transition's label starts after `:`,
    /// so `#`, `;` and `:` become the entity codes Mermaid shows as those
    /// characters (`#35;`, `#59;`, `#colon;`), and control characters
    /// become `VisibleText` escapes.
    static func stateText(_ raw: String) -> String {
        var result = ""
        for character in VisibleText.escape(raw) {
            switch character {
            case "#": result += "#35;"
            case ";": result += "#59;"
            case ":": result += "#colon;"
            default: result.append(character)
            }
        }
        return result
    }
}

/// Escapes for Graphviz DOT.
enum Graphviz {
    /// The inside of a double-quoted DOT string: `\` and `"` escaped (a
    /// backslash left alone would escape the closing quote or start an
    /// escape of its own, such as `\n`), control characters as
    /// `VisibleText` escapes with their backslash escaped in turn.
    static func text(_ raw: String) -> String {
        VisibleText.escape(raw).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
