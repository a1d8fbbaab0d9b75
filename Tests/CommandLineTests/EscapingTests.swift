import KLPTestSupport
import Foundation
import XCTest

@testable import KLPCommandLine

/// Hostile model names and contents against every format the gate writes:
/// GitHub workflow commands, the plain result lines, the Markdown report
/// (read back with `CommonMarkChecker`) and its Mermaid diagrams, and the
/// report folder's manifest of the pages klpcheck wrote.
final class EscapingTests: XCTestCase {
    // MARK: Models

    static let passing = """
        tasks 1
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        check all
        expect pass

        """

    static let violatingResult = "expected pass, got fail post-patch-all-tasks, post-unpatch-no-task: "
        + "expected no violation, but post-patch-all-tasks, post-unpatch-no-task violated"

    /// Bad on lines 3 (an OSC sequence), 4 (a `%`) and 5 (a code fence).
    static let bad = "patch P\n  object vmlinux: pre_patch\nfoo\u{1B}]0;pwned\u{07}bar\n50%\n```\n"

    static let keywords = "tasks, force, core, module, patch, state, object, check, expect, data, setting, on, code, original"

    // MARK: Helpers

    /// Writes `files` (relative path -> text) under a fresh folder and returns its path.
    func folder(_ files: [String: String]) throws -> String {
        let root = try temporaryDirectory("escaping-models")
        for (relative, text) in files {
            let url = root.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root.path
    }

    /// A path as klpcheck shows it: control characters as escapes. Written
    /// out here, independently of the code under test.
    static func shown(_ path: String) -> String {
        path.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\u{1B}", with: "\\u{1B}")
            .replacingOccurrences(of: "\u{07}", with: "\\u{7}")
    }

    /// The characters of `text` below U+0020 other than the newline, and DEL.
    static func controlCharacters(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }
    }

    // MARK: GitHub annotations and the result lines

    /// BUG: a model named with a newline and `::warning file=README.md,line=1::`
    /// injected a workflow command, in the annotations and in the result lines.
    func testGitHubAnnotationsAndResultLinesAreEscaped() throws {
        let evil = "evil\n::warning file=README.md,line=1::x.klp"
        let badName = "bad,name:1.klp"
        let directory = try folder([evil: GateOutput.violating, badName: Self.bad])
        let run = try Tool.run(["gate", directory, "--github", "--no-report"], timeout: 120)
        check(run, exits: 2, "gate --github")  // a bad file outranks a mismatch

        let annotations = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("::") }
        XCTAssertEqual(
            annotations.map(String.init),
            [
                "::error file=\(directory)/bad%2Cname%3A1.klp,line=3,col=1::unknown keyword 'foo\\u{1B}]0;pwned\\u{7}bar'; expected one of: \(Self.keywords)",
                "::error file=\(directory)/bad%2Cname%3A1.klp,line=4,col=1::unknown keyword '50%25'; expected one of: \(Self.keywords)",
                "::error file=\(directory)/bad%2Cname%3A1.klp,line=5,col=1::unknown keyword '```'; expected one of: \(Self.keywords)",
                "::error file=\(directory)/evil%0A%3A%3Awarning file=README.md%2Cline=1%3A%3Ax.klp,line=7::\(Self.violatingResult)",
            ], "only klpcheck's own annotations start a line with '::':\n\(run.stdout)")

        let resultLines = run.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("FAIL ") || $0.hasPrefix("BAD ") }
        XCTAssertEqual(resultLines.count, 2, run.stdout)
        XCTAssertTrue(
            resultLines.contains { $0.hasPrefix("FAIL       \(directory)/evil\\n::warning file=README.md,line=1::x.klp ") },
            "the newline is shown as \\n in the result line:\n\(run.stdout)")
        XCTAssertTrue(resultLines.contains { $0.hasPrefix("BAD        \(directory)/bad,name:1.klp ") }, run.stdout)
        XCTAssertEqual(
            run.stderr.split(separator: "\n").map(String.init),
            [
                "\(directory)/bad,name:1.klp:3:1: error: unknown keyword 'foo\\u{1B}]0;pwned\\u{7}bar'; expected one of: \(Self.keywords)",
                "\(directory)/bad,name:1.klp:4:1: error: unknown keyword '50%'; expected one of: \(Self.keywords)",
                "\(directory)/bad,name:1.klp:5:1: error: unknown keyword '```'; expected one of: \(Self.keywords)",
            ])
        XCTAssertEqual(Self.controlCharacters(run.stdout), [], "no raw control character on stdout")
        XCTAssertEqual(Self.controlCharacters(run.stderr), [], "no raw control character on stderr")
    }

    func testWorkflowCommandEscapes() {
        XCTAssertEqual(GitHubAnnotation.data("50% a:b,c\r\n\u{1B}[0m"), "50%25 a:b,c%0D%0A\\u{1B}[0m")
        XCTAssertEqual(GitHubAnnotation.property("50% a:b,c\r\n\u{1B}[0m"), "50%25 a%3Ab%2Cc%0D%0A\\u{1B}[0m")
        XCTAssertEqual(
            GitHubAnnotation.command("warning", [("file", "a,b"), ("line", "3")], message: "x\n::error::y"),
            "::warning file=a%2Cb,line=3::x%0A::error::y")
    }

    /// A plain error naming a path (here the gate's folder) shows its control characters escaped.
    func testErrorMessagesShowPathsEscaped() throws {
        let missing = try temporaryDirectory("escaping-missing").path + "/no\u{1B}]0;x\u{07}\nthere"
        let run = try Tool.run(["gate", missing, "--no-report"])
        check(run, exits: 2, "gate on a missing folder")
        XCTAssertTrue(run.stderr.hasPrefix("klpcheck: error: '\(Self.shown(missing))' is not a folder\n"), run.stderr)
        XCTAssertEqual(Self.controlCharacters(run.stderr), [])
    }

    /// JUnit XML cannot hold most control characters: they are shown as escapes, not lost as `?`.
    func testJUnitShowsControlCharactersAsEscapes() throws {
        let directory = try folder(["j.klp": Self.bad])
        let junit = try temporaryDirectory("escaping-junit").appendingPathComponent("junit.xml")
        let run = try Tool.run(["gate", directory, "--junit", junit.path, "--no-report"])
        check(run, exits: 2, "gate --junit with a bad file")
        let xml = try String(contentsOf: junit, encoding: .utf8)
        XCTAssertTrue(xml.contains("j.klp:3:1: error: unknown keyword &apos;foo\\u{1B}]0;pwned\\u{7}bar&apos;;"), xml)
        XCTAssertEqual(Self.controlCharacters(xml), [])
    }

    /// The replay file's `# model:` comment is one line whatever the model's path holds.
    func testTraceOutNamesTheModelOnOneCommentLine() throws {
        let directory = try folder(["v\nrmmod x.klp": GateOutput.violating])
        let model = directory + "/v\nrmmod x.klp"
        let trace = try temporaryDirectory("escaping-trace").appendingPathComponent("trace.txt")
        let run = try Tool.run(["verify", model, "--trace-out", trace.path])
        check(run, exits: 1, "verify --trace-out")
        let lines = try String(contentsOf: trace, encoding: .utf8).components(separatedBy: "\n")
        XCTAssertEqual(lines[1], "# model: \(directory)/v\\nrmmod x.klp")
        XCTAssertEqual(lines[2], "replay")
        XCTAssertFalse(lines.contains("rmmod x.klp"), "the path adds no command")
    }

    // MARK: Diagnostics through the command line

    /// BUG: 100,000 bad lines gave 100,001 error lines; now 100 and a count of the rest.
    func testVerifyPrintsAtMostOneHundredErrors() throws {
        let directory = try temporaryDirectory("escaping-errors")
        let model = directory.appendingPathComponent("many.klp")
        try Data(("patch P\n  object vmlinux: pre_patch\n" + String(repeating: "frobnicate\n", count: 150)).utf8).write(to: model)
        let run = try Tool.run(["verify", model.path])
        check(run, exits: 2, "verify on 150 bad lines")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 102, run.stderr)
        XCTAssertEqual(lines.first, "\(model.path):3:1: error: unknown keyword 'frobnicate'; expected one of: \(Self.keywords)")
        XCTAssertEqual(lines[99], "\(model.path):102:1: error: unknown keyword 'frobnicate'; expected one of: \(Self.keywords)")
        XCTAssertEqual(Array(lines.suffix(2)), ["... and 50 more errors", "klpcheck: 150 error(s) in \(model.path)"])
    }

    // MARK: Markdown

    /// BUG: `|` split a table row, a newline added rows, spaces broke links,
    /// `<...>` was eaten as HTML and `[x](y).klp` linked to `y`: 2 of 11
    /// links reached their page. Every link now reaches the page written
    /// for its model, and every row has its six cells.
    func testMarkdownReportOfHostileNamesRendersAsWritten() throws {
        let names = [
            "a|b.klp", "with space/x.klp", "<b>x</b>.klp", "[x](y).klp", "new\nline.klp", "back`tick.klp",
            "*star*_under_.klp", "amp&lt;.klp", "back\\slash.klp", "pct%20(1).klp", "# hash #.klp", "esc\u{1B}[31m.klp",
        ]
        var files: [String: String] = [:]
        for name in names { files[name] = Self.passing }
        files["[x](y).klp"] = GateOutput.violating
        files["esc\u{1B}[31m.klp"] = Self.bad
        let directory = try folder(files)
        let report = try temporaryDirectory("escaping-report").appendingPathComponent("my report")
        let run = try Tool.run(["gate", directory, "--report-dir", report.path], timeout: 120)
        check(run, exits: 2, "gate --report-dir")  // a bad file outranks a mismatch

        let index = try String(contentsOf: report.appendingPathComponent("index.md"), encoding: .utf8)
        let indexLines = index.components(separatedBy: "\n")
        XCTAssertEqual(indexLines.first.map(CommonMarkChecker.inline)?.text, "# klpcheck gate: \(directory)")

        // Every row of the table: six cells, one link in the first.
        let rows = indexLines.compactMap(CommonMarkChecker.cells).dropFirst(2)
        XCTAssertEqual(rows.count, names.count, "one row per model:\n\(index)")
        var linked: [String: String] = [:]  // shown model path -> page file
        for row in rows {
            XCTAssertEqual(row.count, 6, "six cells: \(row)")
            let cell = CommonMarkChecker.inline(row[0])
            XCTAssertTrue(cell.isPlain, "no HTML or emphasis in \(row[0]): \(cell.html) \(cell.markup)")
            XCTAssertEqual(cell.links.count, 1, "one link in \(row[0])")
            guard let link = cell.links.first else { continue }
            XCTAssertEqual(cell.text, link.text, "the cell is the link")
            let relative = try XCTUnwrap(link.destination.removingPercentEncoding, link.destination)
            XCTAssertFalse(relative.hasPrefix("/"), "a relative link: \(relative)")
            linked[link.text] = report.appendingPathComponent(relative).path
            // The other cells are plain text, but for the gate mark's intended bold.
            for (column, other) in row.enumerated().dropFirst() {
                let read = CommonMarkChecker.inline(other)
                XCTAssertEqual(read.html, [], other)
                XCTAssertEqual(read.markup, column == 3 && other.hasPrefix("**") ? ["*", "*", "*", "*"] : [], other)
            }
        }
        XCTAssertEqual(Set(linked.keys), Set(names.map { Self.shown(directory + "/" + $0) }), "each model's link shows its path")

        // Each link reaches the page written for that model, and no two share one.
        let written = try pages(under: report.appendingPathComponent("models"))
        XCTAssertEqual(Set(linked.values), written, "the links reach exactly the pages written")
        for (shownPath, page) in linked {
            let text = try String(contentsOfFile: page, encoding: .utf8)
            let lines = text.components(separatedBy: "\n")
            let heading = CommonMarkChecker.inline(lines[0])
            XCTAssertTrue(heading.isPlain, "\(lines[0]): \(heading.html) \(heading.markup)")
            XCTAssertEqual(heading.text, "# " + shownPath, "the page of \(shownPath) is that model's")
            // The link back to the index.
            let back = CommonMarkChecker.inline(lines[2]).links
            XCTAssertEqual(back.map(\.text), ["index"])
            XCTAssertEqual(
                URL(fileURLWithPath: page).deletingLastPathComponent().appendingPathComponent(back[0].destination)
                    .standardizedFileURL.path,
                report.appendingPathComponent("index.md").standardizedFileURL.path)
            let (blocks, unclosed) = CommonMarkChecker.codeBlocks(text)
            XCTAssertFalse(unclosed, "every code block of \(shownPath) is closed")
            if shownPath.hasSuffix("esc\\u{1B}[31m.klp") {
                // A backtick token cannot close the errors block early.
                XCTAssertEqual(blocks.count, 1)
                XCTAssertEqual(
                    blocks.first?.lines,
                    [
                        "\(shownPath):3:1: error: unknown keyword 'foo\\u{1B}]0;pwned\\u{7}bar'; expected one of: \(Self.keywords)",
                        "\(shownPath):4:1: error: unknown keyword '50%'; expected one of: \(Self.keywords)",
                        "\(shownPath):5:1: error: unknown keyword '```'; expected one of: \(Self.keywords)",
                    ])
            }
            if shownPath.hasSuffix("[x](y).klp") { try checkMermaid(blocks.filter { $0.info == "mermaid" }.map(\.lines)) }
            XCTAssertEqual(Self.controlCharacters(text), [], "no raw control character in \(shownPath)'s page")
        }
        XCTAssertEqual(Self.controlCharacters(index), [], "no raw control character in index.md")
    }

    /// Every `.md` file under `folder`.
    func pages(under folder: URL) throws -> Set<String> {
        let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: folder.path))
        return Set(walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".md") }.map { folder.path + "/" + $0 })
    }

    /// Each diagram: the header, then only messages and a note whose text
    /// holds nothing Mermaid reads as a statement end, an entity or a comment.
    func checkMermaid(_ diagrams: [[String]], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(diagrams.count, 2, "two counterexamples, two diagrams", file: file, line: line)
        let statement = try NSRegularExpression(
            pattern: #"^    ((User|Core)->>(Core|CB): |Core-->>User: |Note over Core,CB: )[^;#%\x00-\x1F]+$"#)
        for diagram in diagrams {
            XCTAssertEqual(
                Array(diagram.prefix(4)),
                ["sequenceDiagram", "    actor User", "    participant Core as livepatch core", "    participant CB as callbacks"],
                file: file, line: line)
            for text in diagram.dropFirst(4) {
                let range = NSRange(text.startIndex..., in: text)
                XCTAssertNotNil(statement.firstMatch(in: text, range: range), "a Mermaid statement: \(text)", file: file, line: line)
            }
            XCTAssertTrue(diagram.last?.hasPrefix("    Note over Core,CB: ") == true, file: file, line: line)
        }
    }

    /// The checker reads what the old, unescaped index wrote the way a renderer does.
    func testCommonMarkCheckerReadsTheRulesItReliesOn() {
        XCTAssertEqual(CommonMarkChecker.cells("| [a|b.klp](models/a|b.md) | pass |")?.count, 4, "an unescaped | splits")
        XCTAssertEqual(CommonMarkChecker.cells("| [a\\|b.klp](m.md) | pass |"), ["[a|b.klp](m.md)", "pass"])
        XCTAssertEqual(CommonMarkChecker.inline("[[x](y).klp](models/[x](y).md)").links.map(\.destination), ["y", "y"])
        XCTAssertEqual(CommonMarkChecker.inline("[with space/x.klp](models/with space/x.md)").links, [])
        XCTAssertEqual(
            CommonMarkChecker.inline("[with space/x.klp](<models/with space/x.md>)").links,
            [CommonMarkChecker.Link(text: "with space/x.klp", destination: "models/with space/x.md")])
        XCTAssertEqual(CommonMarkChecker.inline("[<b>x</b>.klp](m.md)").html, ["<b>", "</b>"])
        XCTAssertEqual(CommonMarkChecker.inline("\\<b\\> &lt;i&gt; `<s>`").text, "<b> <i> <s>")
        XCTAssertTrue(CommonMarkChecker.inline("\\<b\\> &lt;i&gt; `<s>`").isPlain)
        XCTAssertEqual(CommonMarkChecker.inline("*a* _b_ c_d").markup, ["*", "*", "_", "_"])
        XCTAssertEqual(CommonMarkChecker.codeBlocks("```\na ``` b\n```\n````x\n```\n````").blocks.map(\.lines), [["a ``` b"], ["```"]])
    }

    func testMarkdownAndMermaidEscapes() {
        XCTAssertEqual(Markdown.text("a|b [x](y) <b>&amp; *s* `c` \\ ~t~ #h"), "a\\|b \\[x\\](y) &lt;b&gt;&amp;amp; \\*s\\* \\`c\\` \\\\ \\~t\\~ \\#h")
        XCTAssertEqual(Markdown.text("test_klp_callbacks _x_ a__b"), "test_klp_callbacks \\_x\\_ a\\_\\_b")
        XCTAssertEqual(Markdown.text("new\nline\u{1B}"), "new\\\\nline\\\\u{1B}")
        XCTAssertEqual(Markdown.destination("models/with space/(a)<b>%.md"), "models/with%20space/%28a%29%3Cb%3E%25.md")
        XCTAssertEqual(Markdown.codeBlock(["a ``` b", "````"], info: "x"), ["`````x", "a ``` b", "````", "`````"])
        XCTAssertEqual(Mermaid.text("a; b #1\n%%{init}%%"), "a, b no. 1\\n%%{init}%%")
    }

    // MARK: Stale pages

    /// Stale pages are removed only when the manifest says klpcheck wrote
    /// them: the page of a deleted model goes, a user's file stays, and a
    /// manifest entry pointing outside the pages is ignored.
    func testOnlyPagesKlpcheckWroteAreRemoved() throws {
        let directory = try folder(["a.klp": Self.passing, "b.klp": Self.passing, "sub/c.klp": Self.passing])
        let report = try temporaryDirectory("escaping-stale").appendingPathComponent("report")
        check(try Tool.run(["gate", directory, "--report-dir", report.path]), exits: 0, "first gate")
        let models = report.appendingPathComponent("models").path
        let pageFolder = models + directory
        for page in ["a.md", "b.md", "sub/c.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: pageFolder + "/" + page), page)
        }
        let manifest = try String(contentsOf: report.appendingPathComponent(".klpcheck-manifest"), encoding: .utf8)
        XCTAssertEqual(
            manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init),
            ["index.md", "models\(directory)/a.md", "models\(directory)/b.md", "models\(directory)/sub/c.md"])

        // The user's own files, one in the report folder and one among the pages.
        let notes = report.appendingPathComponent("notes.md").path
        let mine = pageFolder + "/mine.md"
        let outside = report.deletingLastPathComponent().appendingPathComponent("outside.md").path
        for file in [notes, mine, outside] { try Data("mine\n".utf8).write(to: URL(fileURLWithPath: file)) }
        // A manifest edited to name them is not obeyed.
        try (manifest + "notes.md\nmodels/../notes.md\n../outside.md\nmodels\(directory)/../../../../notes.md\n")
            .write(toFile: report.appendingPathComponent(".klpcheck-manifest").path, atomically: true, encoding: .utf8)

        try FileManager.default.removeItem(atPath: directory + "/b.klp")
        try FileManager.default.removeItem(atPath: directory + "/sub")
        check(try Tool.run(["gate", directory, "--report-dir", report.path]), exits: 0, "second gate")
        XCTAssertTrue(FileManager.default.fileExists(atPath: pageFolder + "/a.md"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: pageFolder + "/b.md"), "the deleted model's page is removed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: pageFolder + "/sub"), "and the folder it left empty")
        for file in [notes, mine, outside] {
            XCTAssertEqual(try? String(contentsOfFile: file, encoding: .utf8), "mine\n", "\(file) is the user's")
        }
        let after = try String(contentsOf: report.appendingPathComponent(".klpcheck-manifest"), encoding: .utf8)
        XCTAssertEqual(
            after.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init),
            ["index.md", "models\(directory)/a.md"])
    }

    /// A page name holding a newline is listed encoded and removed when its model goes.
    func testManifestEntriesWithNewlinesRoundTrip() throws {
        let directory = try folder(["a.klp": Self.passing, "two\nlines%0A.klp": Self.passing])
        let report = try temporaryDirectory("escaping-manifest").appendingPathComponent("report")
        check(try Tool.run(["gate", directory, "--report-dir", report.path]), exits: 0, "first gate")
        let page = report.path + "/models" + directory + "/two\nlines%0A.md"
        XCTAssertTrue(FileManager.default.fileExists(atPath: page))
        let manifest = try String(contentsOf: report.appendingPathComponent(".klpcheck-manifest"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("models\(directory)/two%0Alines%250A.md\n"), manifest)
        try FileManager.default.removeItem(atPath: directory + "/two\nlines%0A.klp")
        check(try Tool.run(["gate", directory, "--report-dir", report.path]), exits: 0, "second gate")
        XCTAssertFalse(FileManager.default.fileExists(atPath: page), "the page of the deleted model is removed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: report.path + "/models" + directory + "/a.md"))
    }
}
