import KLPTestSupport
import Foundation
import XCTest

/// `klpcheck import`: livepatch module sources and kpatch patches of
/// Tests/Fixtures/import/ become `.klp` worlds, byte for byte the golden
/// files of Tests/Fixtures/import/expected/, and `klpcheck verify` of each
/// gives the verdict written here.
final class ImportCommandTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/import")

    /// `klpcheck import ARGUMENTS` run in the fixtures folder, so that the
    /// positions in the output are the fixtures' own names.
    func importing(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> ToolRun {
        let run = try ShellTool.run(#""$0" "$@""#, ["import"] + arguments, in: Self.fixtures, file: file, line: line)
        XCTAssertFalse(run.crashed, "import crashed:\n\(run.stderr.prefix(2000))", file: file, line: line)
        return run
    }

    func golden(_ name: String) throws -> String {
        try String(contentsOf: Self.fixtures.appendingPathComponent("expected/\(name).klp.expected"), encoding: .utf8)
    }

    func temporaryFile(_ text: String, named name: String = "imported.klp") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `klpcheck verify` of `model`: its exit status and its verdict line.
    func verify(_ model: String, file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, verdict: String) {
        let run = try Tool.run(["verify", try temporaryFile(model)], file: file, line: line)
        let verdict = run.stdout.split(separator: "\n").first { $0.hasPrefix("verdict:") }.map(String.init) ?? "(no verdict)\n\(run.stderr)"
        return (run.status, verdict)
    }

    /// The model with its commented contract suggestions taken in: `# data`,
    /// `# setting` and `# on` lines uncommented, and each `# state ... carries`
    /// line in place of the state line above it.
    static func acceptingSuggestions(_ model: String) -> String {
        var lines: [String] = []
        for line in model.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let body = line.drop { $0 == " " }
            let indent = String(line.prefix(line.count - body.count))
            if body.hasPrefix("# state ") && body.contains(" carries ") {
                lines.removeLast()
                lines.append(indent + body.dropFirst(2))
            } else if body.hasPrefix("# data ") || body.hasPrefix("# setting ") || body.hasPrefix("# on ") {
                lines.append(indent + body.dropFirst(2))
            } else {
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Livepatch modules (kernel API)

    func testCallbackDemoWithThreeObjectsAndTwoTargetModules() throws {
        let run = try importing(["callbacks-demo.c"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertEqual(run.stdout, try golden("callbacks-demo"))
        let verdict = try verify(run.stdout)
        XCTAssertEqual(verdict.status, 0)
        XCTAssertEqual(verdict.verdict, "verdict: PASS: every checked property holds over all 32 reachable states")
    }

    func testReplacePatchWithTwoStatesGivenByMacros() throws {
        let run = try importing(["state-replace.c"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertEqual(run.stdout, try golden("state-replace"))
        let verdict = try verify(run.stdout)
        XCTAssertEqual(verdict.status, 0)
        XCTAssertEqual(verdict.verdict, "verdict: PASS: every checked property holds over all 8 reachable states")
        // The suggestions, taken as they are, make a valid contract world that holds.
        let accepted = Self.acceptingSuggestions(run.stdout)
        XCTAssertTrue(accepted.contains("\n  state 1 version 2 carries loglevel_state  # state-replace.c:96"), accepted)
        let withContracts = try verify(accepted)
        XCTAssertEqual(withContracts.status, 0)
        XCTAssertEqual(withContracts.verdict, "verdict: PASS: every checked property holds over all 16 reachable states")
    }

    // MARK: kpatch patches

    func testKpatchDiffWithPrePatchAndPostUnpatchOnAModule() throws {
        let run = try importing(["--module", "drivers/misc/widget/=widget", "widget-resets.patch"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertEqual(run.stdout, try golden("widget-resets"))
        let verdict = try verify(run.stdout)
        XCTAssertEqual(verdict.status, 0)
        XCTAssertEqual(verdict.verdict, "verdict: PASS: every checked property holds over all 16 reachable states")
        let withContracts = try verify(Self.acceptingSuggestions(run.stdout))
        XCTAssertEqual(withContracts.status, 0)
        XCTAssertEqual(withContracts.verdict, "verdict: PASS: every checked property holds over all 43 reachable states")
    }

    func testKpatchDiffWithoutAHintIsVmlinuxWithACommentAndNoReplaceTurnsReplaceOff() throws {
        let run = try importing(["--no-replace", "widget-resets.patch"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "# Written by: klpcheck import --no-replace widget-resets.patch")
        XCTAssertFalse(run.stdout.contains("\nmodule "), run.stdout)
        XCTAssertTrue(
            lines.contains(
                "patch widget_resets  # widget-resets.patch:50: named after the file name; --no-replace: built as a non-cumulative module"),
            run.stdout)
        XCTAssertTrue(
            lines.contains(
                "  object vmlinux: pre_patch(may-fail -ENOMEM) post_unpatch  # widget-resets.patch:50: check: drivers/misc/widget/widget-core.c is taken as built into vmlinux; if a module builds it, import with --module PATH_PREFIX=MODULE"
            ), run.stdout)
        let verdict = try verify(run.stdout)
        XCTAssertEqual(verdict.status, 0)
        XCTAssertEqual(verdict.verdict, "verdict: PASS: every checked property holds over all 8 reachable states")
    }

    func testCumulativeSeriesOfThreePatchesInTheOrderGiven() throws {
        let run = try importing(["sched-quirk-v1.patch", "sched-quirk-v2.patch", "sched-quirk-v3.patch"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertEqual(run.stdout, try golden("sched-quirk-series"))
        let verdict = try verify(run.stdout)
        XCTAssertEqual(verdict.status, 0)
        XCTAssertEqual(verdict.verdict, "verdict: PASS: every checked property holds over all 58 reachable states")
        // Taken without a look, the suggestions show why they are only
        // suggestions: 'boot' is not the sysctl's boot value (0), and v3's
        // table leaks when an older cumulative patch replaces v3.
        let withContracts = try verify(Self.acceptingSuggestions(run.stdout))
        XCTAssertEqual(withContracts.status, 1)
        XCTAssertEqual(withContracts.verdict, "verdict: FAIL: 2 violated (data-no-leak, setting-restored)")
        // The order given is the order of the patches; the same input gives the same bytes.
        let reversed = try importing(["sched-quirk-v3.patch", "sched-quirk-v2.patch", "sched-quirk-v1.patch"])
        let patches = reversed.stdout.split(separator: "\n").filter { $0.hasPrefix("patch ") }.map { $0.split(separator: " ")[1] }
        XCTAssertEqual(patches, ["sched_quirk_v3", "sched_quirk_v2", "sched_quirk_v1"])
        let again = try importing(["sched-quirk-v1.patch", "sched-quirk-v2.patch", "sched-quirk-v3.patch"])
        XCTAssertEqual(again.stdout, run.stdout)
    }

    // MARK: Malformed inputs

    func testAFileWithNothingToImportIsBadInput() throws {
        let plain = try importing(["not-a-livepatch.c"])
        XCTAssertEqual(plain.status, 2)
        XCTAssertEqual(plain.stdout, "")
        XCTAssertEqual(
            plain.stderr,
            """
            not-a-livepatch.c:1:1: error: no klp_patch, no klp_object and no callback macro (KPATCH_*_CALLBACK, KLP_*_CALLBACK) found; nothing to import
            klpcheck: 1 error(s); nothing imported

            """)
        let diff = try importing(["callbacks-demo.c", "no-callbacks.patch"])
        XCTAssertEqual(diff.status, 2)
        XCTAssertEqual(diff.stdout, "")
        XCTAssertEqual(
            diff.stderr,
            """
            no-callbacks.patch:1:1: error: no callback macro (KPATCH_PRE_PATCH_CALLBACK, KLP_PRE_PATCH_CALLBACK and their siblings) in the diff's added lines; nothing to import
            klpcheck: 1 error(s); nothing imported

            """)
        let empty = try importing(["no-objects.c"])
        XCTAssertEqual(empty.status, 2)
        XCTAssertEqual(empty.stdout, "")
        XCTAssertEqual(
            empty.stderr,
            "no-objects.c:8:25: error: patch 'no_objects' has no klp_object that could be read; nothing to import\nklpcheck: 1 error(s); nothing imported\n")
        let missing = try importing(["no-such-file.c"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(
            missing.stderr,
            "no-such-file.c:1:1: error: cannot read source file: No such file or directory\nklpcheck: 1 error(s); nothing imported\n")
    }

    func testWhatCannotBeReadIsAWarningAtItsPositionAndTheRestIsImported() throws {
        let run = try importing(["damaged.c"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(
            run.stderr,
            """
            damaged.c:11:3: warning: cannot read .name = damaged_target_name(); object skipped
            damaged.c:17:4: warning: cannot read .post_patch = hooks[1]; callback skipped
            damaged.c:18:20: warning: the body of external_cleanup is not in the file; nothing it does is suggested (check)
            damaged.c:21:3: warning: a second object for 'damaged_target'; skipped
            damaged.c:27:2: warning: cannot read the .id of this klp_state; skipped
            damaged.c:28:13: warning: cannot read .version = "two"; written as version 0 (check)
            damaged.c:34:2: warning: cannot read .replace = replace_flag; written without 'replace' (check)
            damaged.c:37:25: warning: a second klp_patch 'second'; only 'patch' is imported
            damaged.c:40:1: warning: unterminated '{'; the rest of the file is skipped

            """)
        XCTAssertEqual(run.stdout, try golden("damaged"))
        let verdict = try verify(run.stdout)
        XCTAssertEqual(verdict.status, 0)
        XCTAssertEqual(verdict.verdict, "verdict: PASS: every checked property holds over all 16 reachable states")
    }

    func testMalformedOptionsAreUsageErrors() throws {
        for hint in ["widget", "=widget", "drivers/="] {
            let run = try importing(["--module", hint, "widget-resets.patch"])
            XCTAssertEqual(run.status, 2, hint)
            XCTAssertTrue(
                run.stderr.hasPrefix("klpcheck: error: malformed --module '\(hint)'; expected PATH_PREFIX=MODULE"), run.stderr)
        }
        let none = try importing([])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.hasPrefix("klpcheck: error: missing argument SOURCE... for 'import'"), none.stderr)
    }

    // MARK: --output

    func testOutputWritesTheFileAndRefusesADevice() throws {
        let path = try temporaryFile("old contents\n", named: "out.klp")
        let run = try importing(["--output", path, "callbacks-demo.c"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), try golden("callbacks-demo"))
        let device = try importing(["--output", "/dev/null", "callbacks-demo.c"])
        XCTAssertEqual(device.status, 2)
        XCTAssertEqual(device.stdout, "")
        XCTAssertEqual(device.stderr, "klpcheck: error: cannot write /dev/null: it is a character device, not a regular file\n")
        let dash = try importing(["--output", "-", "callbacks-demo.c"])
        XCTAssertEqual(dash.stdout, try golden("callbacks-demo"))
    }

    func testStandardInputIsNamedStdin() throws {
        let run = try ShellTool.run(
            #""$0" "$@" < widget-resets.patch"#, ["import", "--module", "drivers/misc/widget/=widget", "-"], in: Self.fixtures)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "# Written by: klpcheck import --module drivers/misc/widget/=widget -")
        XCTAssertEqual(
            lines.filter { $0.hasPrefix("patch ") || $0.hasPrefix("  object ") },
            [
                "patch stdin replace  # <stdin>:50: named after nothing (check: standard input has no file name); kpatch builds cumulative (replace) modules by default; import with --no-replace if this one is built without",
                "  object widget: pre_patch(may-fail -ENOMEM) post_unpatch  # <stdin>:50: drivers/misc/widget/widget-core.c is in --module drivers/misc/widget/=widget",
            ])
    }

    func testHelpListsImport() throws {
        let run = try Tool.run(["--help"])
        XCTAssertTrue(run.stdout.contains("import"), run.stdout)
        let own = try Tool.run(["import", "--help"])
        XCTAssertEqual(own.status, 0)
        XCTAssertTrue(own.stdout.contains("--module PATH_PREFIX=MODULE"), own.stdout)
        XCTAssertTrue(own.stdout.contains("--no-replace"), own.stdout)
    }

    func testCompletionsOfferFilesForEverySource() throws {
        let bash = try Tool.run(["completions", "bash"]).stdout
        let function = bash.components(separatedBy: "_klpcheck_import() {\n").last?.components(separatedBy: "\n}\n").first ?? ""
        XCTAssertTrue(function.contains("\n        *) _klpcheck_files \"\" ;;"), function)
        XCTAssertTrue(function.contains("_klpcheck_words \"--output --module --no-replace --help\""), function)
        let zsh = try Tool.run(["completions", "zsh"]).stdout
        XCTAssertTrue(zsh.contains("\n        '*:SOURCE...:_files'\n"), zsh)
        let man = try Tool.run(["help", "--man"]).stdout
        XCTAssertTrue(man.contains("\\fBklpcheck import\\fR"), man)
    }
}
