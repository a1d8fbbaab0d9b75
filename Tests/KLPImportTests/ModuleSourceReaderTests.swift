import Livepatch
import XCTest

@testable import KLPImport

/// Patches read from kernel-API sources through `LivepatchImporter`: names,
/// `replace`, and what the import says instead of guessing.
final class ModuleSourceReaderTests: XCTestCase {
    static let minimal = """
        static void cb(struct klp_object *obj) { }
        static struct klp_object objs[] = { { .callbacks = { .post_patch = cb } }, { } };
        static struct klp_patch patch = { .mod = THIS_MODULE, .objs = objs };

        """

    func imported(_ inputs: [(String, String)]) throws -> ImportResult {
        try LivepatchImporter.importTexts(inputs, options: ImportOptions(command: "klpcheck import test"))
    }

    func patchLines(_ result: ImportResult) -> [String] {
        result.text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("patch ") }
    }

    func testReplaceSetAtRunTimeIsAWarningAndACheck() throws {
        let text = Self.minimal + """
            static int init(void)
            {
            \tpatch.replace = replace_param;
            \treturn klp_enable_patch(&patch);
            }
            """
        let result = try imported([("fix-a.c", text)])
        XCTAssertEqual(
            result.warnings.map(\.description),
            ["fix-a.c:6:2: warning: patch.replace is set at run time; written without 'replace' as the initializer says (check)"])
        XCTAssertEqual(
            patchLines(result),
            ["patch fix_a  # fix-a.c:3: named after the module built from fix-a.c; check: .replace is also set at run time at fix-a.c:6"])
    }

    func testNamesFromKbuildModnameAndTwoInputsWithOneName() throws {
        let named = "#define KBUILD_MODNAME \"klp_named\"\n" + Self.minimal
        let result = try imported([("a.c", named), ("b/a.c", Self.minimal), ("c/a.c", Self.minimal)])
        XCTAssertEqual(
            patchLines(result),
            [
                "patch klp_named  # a.c:4: named after KBUILD_MODNAME at a.c:1",
                "patch a  # b/a.c:3: named after the module built from a.c",
                "patch a_2  # c/a.c:3: named after the module built from a.c; renamed from a, taken by an earlier input",
            ])
        XCTAssertEqual(result.warnings.map(\.description), ["c/a.c:3:25: warning: a second patch named 'a'; written as 'a_2'"])
        XCTAssertNoThrow(try ModelParser.parse(result.text, file: "x.klp"))
    }

    /// A klp-build source (livepatch_helpers.h macros, no klp_object): the
    /// object comes from the `--module` hint that the file's own path matches.
    func testKlpBuildMacrosInACFileTakeTheModuleOfTheirPath() throws {
        let text = """
            #include <linux/livepatch_helpers.h>
            static int setup(struct klp_object *obj) { return -EAGAIN; }
            static void teardown(struct klp_object *obj) { }
            KLP_PRE_PATCH_CALLBACK(setup)
            KLP_POST_UNPATCH_CALLBACK(teardown)
            KLP_POST_UNPATCH_CALLBACK(setup);
            """
        let options = ImportOptions(moduleHints: [("net/", "vmlinux_net"), ("net/foo/", "foo")], replace: false, command: "c")
        let result = try LivepatchImporter.importTexts([("net/foo/fix.c", text)], options: options)
        let lines = result.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(
            lines.filter { $0.hasPrefix("patch ") || $0.hasPrefix("  object ") || $0.hasPrefix("module ") },
            [
                "module foo  # net/foo/fix.c:4 (check: add 'busy' if a task can sleep in a function the patch replaces)",
                "patch fix  # net/foo/fix.c:4: named after the file name; --no-replace: built as a non-cumulative module",
                "  object foo: pre_patch(may-fail -EAGAIN) post_unpatch  # net/foo/fix.c:4: net/foo/fix.c is in --module net/foo/=foo",
            ])
        XCTAssertEqual(
            result.warnings.map(\.description),
            ["net/foo/fix.c:6:1: warning: a second post_unpatch callback for foo (the first, teardown, is at net/foo/fix.c:5); skipped"])
    }
}
