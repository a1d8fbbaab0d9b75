import Foundation
import KLPTestSupport
import XCTest

/// Inputs found by probing the built executable black box (ninth session):
/// each once crashed it, printed a control byte raw or wrote a format it
/// did not escape for.
final class HostileInputTests: XCTestCase {
    /// The most negative errno the language accepts is printed like any
    /// other unknown errno; its negation once overflowed and trapped.
    func testTheMostNegativeErrnoIsPrintedNotATrap() throws {
        let directory = try temporaryDirectory("errno")
        let scenario = directory.appendingPathComponent("min.scenario").path
        try "insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=-2147483648\n"
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let run = try Tool.run(["run", RepositoryModels.folder.appendingPathComponent("selftests/test-callbacks.klp").path, scenario])
        check(run, exits: 0, "run")
        XCTAssertEqual(
            run.stdout.split(separator: "\n").last,
            "insmod: ERROR: could not insert module test_modules/test_klp_callbacks_demo.ko: Unknown error 2147483648")
    }

    /// A source path holding a newline is written escaped in the imported
    /// model's notes: raw, it ended a comment and the rest of the name was
    /// read as a line of the model.
    func testImportEscapesAPathInItsNotes() throws {
        let directory = try temporaryDirectory("import-path")
        let source = directory.appendingPathComponent("x\ncheck nosuch.c").path
        try FileManager.default.copyItem(
            atPath: RepositoryModels.root.appendingPathComponent("Tests/Fixtures/import/callbacks-demo.c").path, toPath: source)
        let run = try Tool.run(["import", source])
        check(run, exits: 0, "import")
        XCTAssertTrue(run.stdout.contains("named after the module built from x\\ncheck nosuch.c"), run.stdout)
        XCTAssertFalse(run.stdout.split(separator: "\n").contains { $0.hasPrefix("check nosuch") }, run.stdout)
    }

    /// An output that names an input or another output is refused before
    /// anything is written: one would silently replace the other.
    func testOutputsNeverReplaceTheInputOrEachOther() throws {
        let directory = try temporaryDirectory("overlap")
        let model = directory.appendingPathComponent("v.klp").path
        try GateOutput.violating.write(toFile: model, atomically: true, encoding: .utf8)
        let link = directory.appendingPathComponent("link.klp").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: model)

        let verify = try Tool.run(["verify", model, "--trace-out", link])
        check(verify, exits: 2, "verify --trace-out through a symlink to the model")
        XCTAssertEqual(verify.stderr.split(separator: "\n").first, "klpcheck: error: --trace-out names the model '\(model)'; it would be overwritten")
        let graph = try Tool.run(["graph", model, "--output", model])
        check(graph, exits: 2, "graph --output the model")
        XCTAssertEqual(try String(contentsOfFile: model, encoding: .utf8), GateOutput.violating, "the model is untouched")

        let json = directory.appendingPathComponent("out.json").path
        let sameJSON = directory.appendingPathComponent("../\(directory.lastPathComponent)/out.json").path
        let gate = try Tool.run(["gate", model, "--json", json, "--junit", sameJSON, "--no-report"])
        check(gate, exits: 2, "gate with --json and --junit on one file")
        XCTAssertEqual(
            gate.stderr.split(separator: "\n").first,
            "klpcheck: error: --junit and --json name the same file '\(json)'; give each its own")
        XCTAssertFalse(FileManager.default.fileExists(atPath: json), "nothing written")

        let source = directory.appendingPathComponent("demo.c").path
        try FileManager.default.copyItem(
            atPath: RepositoryModels.root.appendingPathComponent("Tests/Fixtures/import/callbacks-demo.c").path, toPath: source)
        check(try Tool.run(["import", source, "--output", source]), exits: 2, "import --output the source")
    }

    /// A bitstate array asked for by size that exceeds half the memory
    /// budget is refused with the size that fits; it used to be shrunk
    /// without a word. The largest size that fits still runs.
    func testABitstateArrayLargerThanTheBudgetIsRefused() throws {
        let model = RepositoryModels.folder.appendingPathComponent("selftests/test-callbacks.klp").path
        let refused = try Tool.run(["verify", model, "--visited", "bitstate", "--bitstate-bits", "29", "--max-memory", "64M"])
        check(refused, exits: 2, "29 bits in 64 MiB")
        XCTAssertEqual(
            refused.stderr.split(separator: "\n").first,
            "klpcheck: error: --bitstate-bits 29 takes 64.0 MiB, more than half the memory budget (64.0 MiB); at most 28 fits, or raise --max-memory")
        let fits = try Tool.run(["verify", model, "--visited", "bitstate", "--bitstate-bits", "28", "--max-memory", "64M", "--quiet"])
        check(fits, exits: 3, "28 bits in 64 MiB: bitstate runs are never complete")
    }

    /// An argument that is not UTF-8 text (a path with a byte such as 0xFF)
    /// is refused: read as Swift reads it, with U+FFFD for the byte, it
    /// named another file, and `graph --output` wrote to that one.
    func testArgumentsThatAreNotUTF8AreRefused() throws {
        let directory = try temporaryDirectory("not-utf8")
        let model = RepositoryModels.folder.appendingPathComponent("selftests/test-callbacks.klp").path
        let run = try ShellTool.run(#""$0" graph "$1" --output "$(printf 'x\377y.dot')""#, [model], in: directory)
        XCTAssertFalse(run.crashed)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(
            run.stderr, "klpcheck: error: argument 4 ('x\u{FFFD}y.dot') is not UTF-8 text; klpcheck reads paths and names as UTF-8\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [], "nothing written")
    }

    /// A return value wrapped in 100,000 parentheses imports as the plain
    /// one does; peeling them took a pass each (over a minute).
    func testDeeplyParenthesizedReturnValuesImport() throws {
        let directory = try temporaryDirectory("parentheses")
        let fixture = RepositoryModels.root.appendingPathComponent("Tests/Fixtures/import/callbacks-demo.c").path
        let plain = try String(contentsOfFile: fixture, encoding: .utf8)
        let depth = 100_000
        let wrapped = "return " + String(repeating: "(", count: depth) + "pre_patch_ret" + String(repeating: ")", count: depth) + ";"
        XCTAssertTrue(plain.contains("return pre_patch_ret;"))
        let deep = directory.appendingPathComponent("callbacks-demo.c").path
        try plain.replacingOccurrences(of: "return pre_patch_ret;", with: wrapped).write(toFile: deep, atomically: true, encoding: .utf8)
        let run = try Tool.run(["import", deep])
        check(run, exits: 0, "import")
        let expected = try Tool.run(["import", fixture])
        XCTAssertEqual(
            run.stdout.replacingOccurrences(of: deep, with: "SOURCE"), expected.stdout.replacingOccurrences(of: fixture, with: "SOURCE"))
    }

    /// A contract world whose pre_patch runs `set s=V` under `depth` nested `if-prev 1`.
    static func nestedConditions(_ depth: Int) -> String {
        """
        tasks 1
        setting s boot x
        patch p
          state 1 version 1
          object vmlinux: pre_patch post_unpatch
          on pre_patch: \(String(repeating: "if-prev 1 ", count: depth))set s=x
        """
    }

    /// Eight conditions around one action are allowed; a ninth is an error
    /// at its column, and fifty thousand are the same error, not a stack
    /// overflow (each condition was a level of recursion).
    func testConditionsNestAtMostEightDeep() throws {
        let directory = try temporaryDirectory("nesting")
        for (depth, status) in [(8, Int32(0)), (9, 2), (50_000, 2)] {
            let path = directory.appendingPathComponent("nested-\(depth).klp").path
            try Self.nestedConditions(depth).write(toFile: path, atomically: true, encoding: .utf8)
            let run = try Tool.run(["verify", path, "--quiet"])
            check(run, exits: status, "\(depth) conditions")
            if depth > 8 {
                // "  on pre_patch: " is 16 columns; each "if-prev 1 " 10 more.
                XCTAssertEqual(
                    run.stderr.split(separator: "\n").first.map(String.init),
                    "\(path):6:\(16 + 8 * 10 + 1): error: too many nested conditions: an action is inside at most 8 if-prev or unless-prev")
            }
        }
    }

    /// A setting value holding a control character is refused where it is
    /// declared: values reach traces, logs and graph labels as they are.
    func testSettingValuesHoldNoControlCharacters() throws {
        let path = try temporaryDirectory("control").appendingPathComponent("esc.klp").path
        try "tasks 1\nsetting s boot x\u{1B}[31my\npatch p\n  object vmlinux: pre_patch post_unpatch\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let run = try Tool.run(["verify", path])
        check(run, exits: 2, "verify")
        XCTAssertEqual(
            run.stderr.split(separator: "\n").first.map(String.init),
            "\(path):2:16: error: invalid value 'x\\u{1B}[31my'; a setting's values contain no control characters")
        XCTAssertFalse(run.stdout.contains("\u{1B}") || run.stderr.contains("\u{1B}"))
    }

    /// A world whose setting values end in a backslash and hold `;`, `:`
    /// and `"` (a `#` starts a comment).
    static let punctuatedSetting = """
        tasks 1
        setting s boot a\\ b;c:"q"
        patch p
          object vmlinux: pre_patch post_unpatch
          on pre_patch: set s=b;c:"q"
          on post_unpatch: set s=a\\
        """

    /// DOT labels escape backslashes and quotes, so a value ending in a
    /// backslash no longer escapes the label's closing quote.
    func testDotLabelsEscapeBackslashesAndQuotes() throws {
        let path = try temporaryDirectory("dot").appendingPathComponent("punct.klp").path
        try Self.punctuatedSetting.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try Tool.run(["graph", path])
        check(run, exits: 0, "graph")
        let labels = run.stdout.split(separator: "\n").filter { $0.contains("setting s: ") }
        XCTAssertTrue(labels.contains { $0.contains(#"setting s: a\\""#) }, run.stdout)
        XCTAssertTrue(labels.contains { $0.contains(#"setting s: b;c:\"q\""#) }, run.stdout)
        // Every label is one well-formed quoted string: unescaped quotes pair up.
        for line in run.stdout.split(separator: "\n") where line.contains("label=") {
            var quotes = 0
            var escaped = false
            for character in line {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { quotes += 1 }
            }
            XCTAssertEqual(quotes, 2, String(line))
        }
    }

    /// Mermaid state descriptions show `;` and `:` as entity codes, so
    /// a value cannot end a description early or start an entity.
    func testMermaidDescriptionsEscapeStatementEnds() throws {
        let path = try temporaryDirectory("mermaid").appendingPathComponent("punct.klp").path
        try Self.punctuatedSetting.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try Tool.run(["graph", path, "--format", "mermaid"])
        check(run, exits: 0, "graph --format mermaid")
        XCTAssertTrue(run.stdout.contains(#"setting s#colon; b#59;c#colon;"q""#), run.stdout)
        // Outside entity codes, no description holds a `;` or a `#`.
        let entity = try NSRegularExpression(pattern: "#([0-9]+|colon);")
        for line in run.stdout.split(separator: "\n") where line.hasPrefix("  s") && !line.contains("-->") {
            let text = String(line)
            let bare = entity.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
            XCTAssertFalse(bare.contains(";") || bare.contains("#"), text)
        }
    }
}
