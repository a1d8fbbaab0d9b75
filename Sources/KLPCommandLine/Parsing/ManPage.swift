/// The manual page klpcheck(1), in roff with man(7) macros, generated from
/// the program spec that also prints `--help`: every command with its
/// arguments and options, the program's own options and the exit statuses.
public enum ManPage {
    /// The page of `program`.
    public static func render(_ program: ProgramSpec) -> String {
        var lines = [
            #".TH \#(macroArgument(program.name.uppercased())) 1 "" \#(macroArgument("\(program.name) \(program.version)")) "User Commands""#,
            ".SH NAME",
            escaped("\(program.name) - \(program.abstract.hasSuffix(".") ? String(program.abstract.dropLast()) : program.abstract)"),
            ".SH SYNOPSIS",
        ]
        for command in program.commands {
            let arguments = command.arguments.map { $0.isOptional ? "[\\fI\(escaped($0.name))\\fR]" : "\\fI\(escaped($0.name))\\fR" }
            lines.append((["\\fB\(escaped(program.name)) \(escaped(command.name))\\fR", "[\\fIOPTIONS\\fR]"] + arguments).joined(separator: " "))
            lines.append(".br")
        }
        lines.append("\\fB\(escaped(program.name))\\fR " + program.options.map { "\\fB\(escaped($0.name))\\fR" }.joined(separator: " | "))
        lines += [".SH DESCRIPTION"]
        lines += paragraphs(program.discussion)
        lines += [".SH COMMANDS"]
        for command in program.commands {
            lines.append(".SS " + macroArgument("\(program.name) \(command.usage)"))
            lines.append(escaped(command.abstract))
            if !command.discussion.isEmpty {
                lines.append(".PP")
                lines += paragraphs(command.discussion)
            }
            if !command.arguments.isEmpty {
                lines += [".PP", "Arguments:"]
                for argument in command.arguments {
                    lines += [".TP", "\\fI\(escaped(argument.name))\\fR", escaped(argument.help)]
                }
            }
            lines += [".PP", "Options:"]
            for option in command.optionsWithHelp { lines += item(option) }
        }
        lines.append(".SH OPTIONS")
        for option in program.options { lines += item(option) }
        lines.append(".SH EXIT STATUS")
        for (status, meaning) in exitStatuses {
            lines += [".TP", "\\fB\(status)\\fR", escaped(meaning)]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The rows of the exit status table that every `--help` ends with.
    static var exitStatuses: [(status: String, meaning: String)] {
        ExitStatus.table.split(separator: "\n").dropFirst().map { row in
            let fields = row.trimmingPrefix(while: \.isWhitespace)
            let status = fields.prefix { $0.isNumber }
            return (String(status), String(fields.dropFirst(status.count).trimmingPrefix(while: \.isWhitespace)))
        }
    }

    /// A tagged paragraph for an option: `--name VALUE`, then its help.
    private static func item(_ option: OptionSpec) -> [String] {
        let value = option.valueName.map { " \\fI\(escaped($0))\\fR" } ?? ""
        return [".TP", "\\fB\(escaped(option.name))\\fR" + value, escaped(option.help + (option.repeatable ? " (repeatable)" : ""))]
    }

    /// A discussion as roff: its lines are filled into paragraphs; indented
    /// lines (examples, commands) are kept as they are, in an indented block.
    private static func paragraphs(_ text: String) -> [String] {
        var lines: [String] = []
        var inExample = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let isIndented = line.hasPrefix(" ")
            if isIndented != inExample {
                lines += isIndented ? [".RS 4", ".nf"] : [".fi", ".RE"]
                inExample = isIndented
            }
            if line.allSatisfy(\.isWhitespace) {
                if !inExample { lines.append(".PP") }
            } else {
                lines.append(escaped(isIndented ? String(line.trimmingPrefix(while: \.isWhitespace)) : String(line)))
            }
        }
        if inExample { lines += [".fi", ".RE"] }
        return lines
    }

    /// One line of text for roff: a backslash is `\e`, a dash `\-` (so that
    /// options print as minus signs and can be searched for), and a line
    /// that starts with a control character (`.` or `'`) starts with `\&`.
    static func escaped(_ text: String) -> String {
        let body = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        return body.hasPrefix(".") || body.hasPrefix("'") ? "\\&" + body : body
    }

    /// A macro argument in double quotes; a double quote inside is `\(dq`.
    private static func macroArgument(_ text: String) -> String {
        "\"" + escaped(text).replacingOccurrences(of: "\"", with: "\\(dq") + "\""
    }
}
