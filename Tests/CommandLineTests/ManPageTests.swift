import Foundation
@testable import KLPCommandLine
import Livepatch
import XCTest

/// The manual page comes from the command specs: every command, argument,
/// option and exit status is on it, its text is escaped for roff, and groff
/// and mandoc read it without a warning.
final class ManPageTests: XCTestCase {
    let program = KLPCheck.program
    lazy var page = ManPage.render(program, date: "2026-11-29")
    lazy var lines = page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

    /// A name as the page prints it in bold or italics: dashes as `\-`.
    private func roff(_ text: String) -> String { text.replacingOccurrences(of: "-", with: #"\-"#) }

    /// The lines of the section that starts with `heading`, up to the next `.SS` or `.SH`.
    private func section(_ heading: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        guard let start = lines.firstIndex(of: heading) else {
            XCTFail("no '\(heading)' in the page", file: file, line: line)
            return []
        }
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix(".SS ") || $0.hasPrefix(".SH ") } ?? lines.endIndex
        return Array(lines[start..<end])
    }

    /// Whether `section` has a tagged paragraph `.TP` / `tag`.
    private func hasItem(_ tag: String, in section: [String]) -> Bool {
        zip(section, section.dropFirst()).contains { $0 == ".TP" && $1 == tag }
    }

    func testEveryCommandArgumentAndOptionIsOnThePage() {
        for command in program.commands {
            XCTAssertTrue(
                lines.contains { $0.hasPrefix(#"\fBklpcheck \#(roff(command.name))\fR [\fIOPTIONS\fR]"#) },
                "\(command.name) is not in the synopsis")
            let mine = section(".SS \"klpcheck \(roff(command.usage))\"")
            XCTAssertFalse(mine.isEmpty, "\(command.name) has no section")
            for argument in command.arguments {
                XCTAssertTrue(hasItem(#"\fI\#(roff(argument.name))\fR"#, in: mine), "\(command.name) \(argument.name)")
            }
            for option in command.optionsWithHelp {
                let tag = #"\fB\#(roff(option.name))\fR"# + (option.valueName.map { #" \fI\#(roff($0))\fR"# } ?? "")
                XCTAssertTrue(hasItem(tag, in: mine), "\(command.name): no item '\(tag)'")
                let words = roff(option.help).split(separator: " ").prefix(3).joined(separator: " ")
                XCTAssertTrue(mine.contains { $0.contains(words) }, "\(command.name) \(option.name): no help '\(words)'")
            }
        }
        let options = section(".SH OPTIONS")
        for option in program.options {
            XCTAssertTrue(hasItem(#"\fB\#(roff(option.name))\fR"#, in: options), option.name)
        }
    }

    func testTheExitStatusTableOfTheHelpIsOnThePage() {
        let exit = section(".SH EXIT STATUS")
        // Every row of the help's table ("  CODE MEANING"), whatever rows it has.
        let rows = ExitStatus.table.split(separator: "\n").compactMap { line -> (code: String, meaning: String)? in
            let words = line.split(separator: " ", maxSplits: 1)
            guard line.hasPrefix("  "), words.count == 2, words[0].allSatisfy(\.isNumber) else { return nil }
            return (String(words[0]), words[1].trimmingCharacters(in: .whitespaces))
        }
        XCTAssertEqual(rows.map(\.code), ["0", "1", "2", "3", "70", "130", "141"])
        for row in rows {
            XCTAssertTrue(hasItem(#"\fB\#(row.code)\fR"#, in: exit), "exit status \(row.code)")
            XCTAssertTrue(exit.contains(roff(row.meaning)), "exit status \(row.code): '\(row.meaning)'")
        }
        XCTAssertEqual(exit.filter { $0 == ".TP" }.count, rows.count)
    }

    func testGoldenOpening() {
        XCTAssertEqual(
            Array(lines.prefix(6)),
            [
                #".TH "KLPCHECK" 1 "2026-11-29" "klpcheck 0.2.0" "User Commands""#,
                ".SH NAME",
                #"klpcheck \- a model checker for Linux kernel livepatch callbacks"#,
                ".SH SYNOPSIS",
                #"\fBklpcheck verify\fR [\fIOPTIONS\fR] \fIMODEL\fR"#,
                ".br",
            ])
        XCTAssertTrue(page.contains("\n" + #"\fBklpcheck\fR \fB\-\-version\fR | \fB\-\-help\fR"# + "\n.SH DESCRIPTION\n"))
        XCTAssertTrue(page.hasSuffix("\n.TP\n\\fB141\\fR\nthe reader of standard output went away (SIGPIPE)\n"))
    }

    func testEveryLineIsEscapedForRoff() {
        let macros: Set<String> = [".TH", ".SH", ".SS", ".TP", ".PP", ".RS", ".RE", ".nf", ".fi", ".br"]
        for line in lines.dropFirst() {
            if line.hasPrefix(".") {
                XCTAssertTrue(macros.contains(String(line.prefix(3))), "unexpected request: \(line)")
            }
            XCTAssertFalse(line.hasPrefix("'"), "a line starting with ' is a request: \(line)")
            XCTAssertNil(line.range(of: #"(^|[^\\])-"#, options: .regularExpression), "unescaped dash: \(line)")
            XCTAssertFalse(line.isEmpty && line != lines.last, "a blank line is a roff space, not a paragraph")
        }
    }

    func testTextThatLooksLikeRoffIsEscaped() {
        XCTAssertEqual(ManPage.escaped(".hidden"), #"\&.hidden"#)
        XCTAssertEqual(ManPage.escaped("'quoted' word"), #"\&'quoted' word"#)
        XCTAssertEqual(ManPage.escaped(#"a\b --c"#), #"a\eb \-\-c"#)
        XCTAssertEqual(ManPage.filled(String(repeating: "word ", count: 30) + ".start"), [
            Array(repeating: "word", count: 16).joined(separator: " "),
            Array(repeating: "word", count: 14).joined(separator: " ") + " .start",
        ])
        XCTAssertEqual(ManPage.filled(String(repeating: "x", count: 78) + " .dot"), [String(repeating: "x", count: 78), #"\&.dot"#])
        let odd = ProgramSpec(
            name: "odd", abstract: "An odd one.", discussion: ".not a macro\n'nor this\n  .kept example\nback \\ slash",
            version: "1", options: [.helpFlag], commands: [])
        let oddPage = ManPage.render(odd, date: "2026-01-01")
        XCTAssertTrue(oddPage.contains("\n.SH DESCRIPTION\n\\&.not a macro 'nor this\n.RS 4\n.nf\n\\&.kept example\n.fi\n.RE\nback \\e slash\n"), oddPage)
    }

    func testGroffReadsThePageWithoutWarnings() throws {
        let groff = try ExternalProgram.find("groff")
        let file = try ExternalProgram.temporaryFile("klpcheck.1", page)
        addTeardownBlock { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try groff.run(["-man", "-ww", "-z", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
    }

    func testMandocLintsThePageClean() throws {
        let mandoc = try ExternalProgram.find("mandoc")
        let file = try ExternalProgram.temporaryFile("klpcheck.1", page)
        addTeardownBlock { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try mandoc.run(["-T", "lint", file.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(result.stdout + result.stderr, "")
    }
}
