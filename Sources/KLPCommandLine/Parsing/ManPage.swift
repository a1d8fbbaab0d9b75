import Foundation
import Livepatch

/// The manual page klpcheck(1), in roff with man(7) macros, generated from
/// the program spec that also prints `--help`: every command with its
/// arguments and options, the program's own options and the exit statuses.
public enum ManPage {
    /// The page of `program`, dated `date` (`2026-11-29`).
    public static func render(_ program: ProgramSpec, date: String) -> String {
        // The date stays as it is: man(7) readers parse `2026-11-29`, not `2026\-11\-29`.
        let title = [macroArgument(program.name.uppercased()), "1", "\"\(date)\"", macroArgument("\(program.name) \(program.version)")]
        var lines = [
            ".TH " + title.joined(separator: " ") + " \"User Commands\"",
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
            lines += filled(command.abstract)
            if !command.discussion.isEmpty {
                lines.append(".PP")
                lines += paragraphs(command.discussion)
            }
            if !command.arguments.isEmpty {
                lines += [".PP", "Arguments:"]
                for argument in command.arguments {
                    lines += [".TP", "\\fI\(escaped(argument.name))\\fR"] + filled(argument.help)
                }
            }
            lines += [".PP", "Options:"]
            for option in command.optionsWithHelp { lines += item(option) }
        }
        lines.append(".SH OPTIONS")
        for option in program.options { lines += item(option) }
        lines.append(".SH EXIT STATUS")
        for (status, meaning) in exitStatuses {
            lines += [".TP", "\\fB\(status)\\fR"] + filled(meaning)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The page's date for `date`: its day in UTC, as `2026-11-29`.
    public static func day(of date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
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
        return [".TP", "\\fB\(escaped(option.name))\\fR" + value] + filled(option.help + (option.repeatable ? " (repeatable)" : ""))
    }

    /// A discussion as roff: its lines are filled into paragraphs; indented
    /// lines (examples, commands) are kept as they are, in an indented block.
    private static func paragraphs(_ text: String) -> [String] {
        var lines: [String] = []
        var paragraph: [Substring] = []
        var inExample = false
        func flushParagraph() {
            lines += filled(paragraph.joined(separator: " "))
            paragraph = []
        }
        func switchExample(to isExample: Bool) {
            guard isExample != inExample else { return }
            flushParagraph()
            lines += isExample ? [".RS 4", ".nf"] : [".fi", ".RE"]
            inExample = isExample
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                switchExample(to: false)
                flushParagraph()
                lines.append(".PP")
            } else if line.hasPrefix(" ") {
                switchExample(to: true)
                lines.append(escaped(String(line.trimmingPrefix(while: \.isWhitespace))))
            } else {
                switchExample(to: false)
                paragraph.append(line)
            }
        }
        switchExample(to: false)
        flushParagraph()
        return lines
    }

    /// Text in fill mode, escaped, as lines of at most 80 bytes where the
    /// words allow (roff refills them; shorter lines read and diff better).
    static func filled(_ text: String) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ").map({ escapedWord(String($0)) }) {
            if !line.isEmpty && line.utf8.count + 1 + word.utf8.count > 80 {
                lines.append(guardedLineStart(line))
                line = ""
            }
            line += line.isEmpty ? word : " " + word
        }
        if !line.isEmpty { lines.append(guardedLineStart(line)) }
        return lines
    }

    /// One line of text for roff: a backslash is `\e`, a dash `\-` (so that
    /// options print as minus signs and can be searched for), and a line
    /// that starts with a control character (`.` or `'`) starts with `\&`.
    static func escaped(_ text: String) -> String {
        guardedLineStart(escapedWord(text))
    }

    /// `text` with each backslash as `\e` and each dash as `\-`.
    private static func escapedWord(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
    }

    /// `line`, with `\&` before it if it starts with a control character.
    private static func guardedLineStart(_ line: String) -> String {
        line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : line
    }

    /// A macro argument in double quotes; a double quote inside is `\(dq`.
    private static func macroArgument(_ text: String) -> String {
        "\"" + escaped(text).replacingOccurrences(of: "\"", with: "\\(dq") + "\""
    }
}
