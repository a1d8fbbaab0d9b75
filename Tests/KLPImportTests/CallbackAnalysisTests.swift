import Livepatch
import XCTest

@testable import KLPImport

/// What the import reads from callback bodies: how a pre_patch can fail,
/// and the contract actions it suggests.
final class CallbackAnalysisTests: XCTestCase {
    func analysis(_ text: String, _ function: String) -> CallbackAnalysis {
        CallbackAnalysis(function: function, in: CReaderTests.read(text), stateDataName: { "state_\($0)" })
    }

    func testFailuresThroughVariablesHelpersTernariesAndParameters() {
        let file = """
            static int knob;
            module_param(knob, int, 0600);
            static int helper(void)
            {
            \tif (x)
            \t\treturn -EBUSY;
            \treturn (0);
            }
            static int by_variable(void *o)
            {
            \tint ret = 0;
            \tret = helper();
            \treturn ret;
            }
            static int by_ternary(void *o) { return p ? 0 : -EFAULT; }
            static int by_parameter(void *o) { return knob; }
            static int never(void *o) { int ret = 0; return ret; }
            static int unseen(void *o) { return other_module_call(o); }
            """
        let variable = analysis(file, "by_variable").failures
        XCTAssertEqual(variable.map(\.errno), [-16])
        XCTAssertEqual(variable.map { "\($0.line):\($0.column) \($0.reason)" }, ["6:3 returns -EBUSY"])
        XCTAssertEqual(analysis(file, "by_ternary").failures.map(\.errno), [-14])
        XCTAssertEqual(ErrnoTable.token(-14, name: "EFAULT"), "-14")
        let parameter = analysis(file, "by_parameter").failures
        XCTAssertEqual(parameter.count, 1)
        XCTAssertNil(parameter.first?.errno)
        XCTAssertEqual(parameter.first?.reason, "returns the module parameter knob (module_param at t.c:2), which can be set non-zero")
        XCTAssertEqual(analysis(file, "never").failures, [])
        XCTAssertEqual(analysis(file, "unseen").failures.map(\.reason), ["returns what other_module_call() returns, which this import cannot see"])
    }

    func testActionsOnGlobalsAndStateData() {
        let file = """
            static int *table;
            static long saved;
            static void cb(void *o)
            {
            \tstruct klp_state *s = klp_get_state(&patch, 4);
            \ttable = kmalloc_array(8, sizeof(int), GFP_KERNEL);
            \ts->data = kzalloc(4, GFP_KERNEL);
            \t*(long *)s->data = jiffies_limit;
            \tsaved = tick_mode;
            \ttick_mode = TICK_ONESHOT;
            \tjiffies_limit = *(long *)s->data;
            \ttick_mode = saved;
            \tkfree(s->data);
            \tvfree(table);
            \ttable = NULL;
            \tlocal_thing = 3 + 4;
            }
            """
        let found = analysis(file, "cb")
        XCTAssertEqual(
            found.actions.map { "\($0.line): \($0.text)" },
            [
                "6: alloc table", "7: alloc state_4", "8: save jiffies_limit in state_4", "9: save tick_mode in saved",
                "10: set tick_mode=TICK_ONESHOT", "11: restore jiffies_limit from state_4", "12: restore tick_mode from saved",
                "13: free state_4", "14: free table",
            ])
        XCTAssertEqual(found.data.map { "\($0.name) \($0.allocated)" }, ["table true", "state_4 true", "saved false"])
        XCTAssertEqual(found.settings.map { "\($0.name)=\($0.values)" }, ["jiffies_limit=[]", "tick_mode=[\"TICK_ONESHOT\"]"])
    }

    func testAdoptingThePreviousStateIsSuggestedWithACheck() {
        let file = """
            #define ID 2
            static void takeover(void *o)
            {
            	struct klp_state *s, *prev;
            	s = klp_get_state(&patch, ID);
            	prev = klp_get_prev_state(ID);
            	if (prev) {
            		s->data = prev->data;
            		return;
            	}
            }
            """
        let found = analysis(file, "takeover")
        XCTAssertEqual(found.actions.map { "\($0.line):\($0.column): \($0.text) <- \($0.source)" }, ["8:3: adopt state_2 <- s->data = prev->data;"])
        XCTAssertEqual(found.previousStateQuery.map { "\($0.line):\($0.column)" }, "6:9")
        XCTAssertEqual(found.failures, [])
    }

    func testDiffHunksKeepTheirPositionsAndMayCutDeclarations() throws {
        let diff = """
            --- a/x.c
            +++ b/drivers/x/x.c
            @@ -1,2 +1,3 @@
             int a(void)
            +{ /* the body runs past the hunk
            @@ -10,1 +11,3 @@
            -old();
            +KLP_POST_PATCH_CALLBACK(fix);
            +
            """
        let parsed = UnifiedDiff(diff.split(separator: "\n", omittingEmptySubsequences: false))
        XCTAssertEqual(parsed.files.map(\.path), ["drivers/x/x.c"])
        XCTAssertEqual(parsed.files[0].hunks.map { $0.map(\.line) }, [[4, 5], [8, 9]])
        let file = CSourceFile(path: "d.patch", chunks: parsed.files[0].hunks, partial: true)
        XCTAssertEqual(file.warnings, [], "a hunk's edge is no error")
        XCTAssertEqual(file.macros.map { "\($0.line):\($0.column) \($0.function)" }, ["8:2 fix"])
        // The same diff with CRLF line ends, through the importer: the same macro at the same place.
        let crlf = diff.replacingOccurrences(of: "\n", with: "\r\n")
        let result = try LivepatchImporter.importTexts([("d.patch", crlf)], options: ImportOptions(command: "c"))
        XCTAssertTrue(
            result.text.contains("\n  object vmlinux: post_patch  # d.patch:8: check: drivers/x/x.c is taken as built into vmlinux;"),
            result.text)
    }

    /// Every prefix of every fixture either imports into a model the .klp
    /// parser accepts or fails with a diagnostic: never a crash, never an
    /// invalid model.
    func testTruncatedFixturesNeverCrashOrWriteAnInvalidModel() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/import")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".c") || $0.hasSuffix(".patch") }.sorted()
        XCTAssertEqual(names.count, 10)
        var imported = 0
        for name in names {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            for end in stride(from: 0, through: bytes.count, by: 13) {
                let text = String(decoding: bytes[..<end], as: UTF8.self)
                do {
                    _ = try LivepatchImporter.importTexts([(name, text)], options: ImportOptions(command: "test"))
                    imported += 1
                } catch {
                    XCTAssertFalse(error.description.contains("not valid .klp"), "\(name) cut at \(end): \(error)")
                }
            }
        }
        XCTAssertGreaterThan(imported, 100)
    }

    /// Nesting and call chains far deeper than any livepatch are read
    /// without exhausting the stack.
    func testHostileNestingAndCallChainsDoNotCrash() throws {
        let depth = 50_000
        var text = "static struct klp_object objs[] = " + String(repeating: "{", count: depth) + String(repeating: "}", count: depth) + ";\n"
        text += "#define DEEP " + String(repeating: "(-", count: depth) + "1" + String(repeating: ")", count: depth) + "\n"
        text += "static struct klp_state states[] = { { .id = DEEP, .version = 1 }, { } };\n"
        for n in 0..<2_000 { text += "static int f\(n)(void) { return f\(n + 1)() ? 0 : -EIO; }\n" }
        text += "static int f2000(void) { return " + String(repeating: "a ? 0 : ", count: depth) + "-EBUSY; }\n"
        text += "static struct klp_object more[] = { { .callbacks = { .pre_patch = f0 } }, { } };\n"
        text += "static struct klp_patch patch = { .objs = more, .states = states };\n"
        let result = try LivepatchImporter.importTexts([("deep.c", text)], options: ImportOptions(command: "c"))
        XCTAssertTrue(result.text.contains("\n  object vmlinux: pre_patch(may-fail -5)  # deep.c:"), result.text)
        XCTAssertEqual(result.warnings.map(\.description), ["deep.c:3:38: warning: cannot read the .id of this klp_state; skipped"])
    }
}
