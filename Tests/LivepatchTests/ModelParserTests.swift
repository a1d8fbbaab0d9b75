import Foundation
import KLPEngine
import KLPTestSupport
import XCTest

@testable import Livepatch

final class ModelParserTests: XCTestCase {
    // MARK: Helpers

    static let exampleModel = """
        # Two target modules, one busy; a cumulative patch taking over a state.
        tasks 2
        force off

        module test_klp_callbacks_mod
        module test_klp_callbacks_busy busy

        patch demo
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
          object test_klp_callbacks_mod: pre_patch(may-fail -ENODEV) post_unpatch
          object test_klp_callbacks_busy: pre_patch post_patch patching(may-fail)

        patch demo2 replace
          state 1 version 2
          object vmlinux: pre_patch post_unpatch

        check all
        expect pass

        """

    /// The repository root: three levels up from this file.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The smallest valid model, to append lines to.
    static let minimal = "patch p\n  object vmlinux:\n"

    func parse(_ text: String, file: String = "t.klp", line: UInt = #line) -> World? {
        do {
            return try ModelParser.parse(text, file: file)
        } catch {
            XCTFail("unexpected errors:\n\(error)", line: line)
            return nil
        }
    }

    /// The rendered diagnostics of a model that must not parse.
    func errors(_ text: String, file: String = "t.klp", line: UInt = #line) -> [String] {
        do {
            let world = try ModelParser.parse(text, file: file)
            XCTFail("parsed, expected errors: \(world)", line: line)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func assertErrors(_ text: String, _ expected: [String], file: String = "t.klp", line: UInt = #line) {
        let actual = errors(text, file: file, line: line)
        XCTAssertEqual(actual, expected, "\n" + actual.joined(separator: "\n"), line: line)
    }

    func assertError(_ text: String, _ expected: String, file: String = "t.klp", line: UInt = #line) {
        assertErrors(text, [expected], file: file, line: line)
    }

    static let keywordList = "tasks, force, core, module, patch, state, object, check, expect, data, setting, on, code, original"
    static let callbackList =
        "pre_patch, pre_patch(may-fail ERRNO), pre_patch(fails ERRNO), post_patch, pre_unpatch, post_unpatch, patching(may-fail)"
    static let errnoList = "expected -ENODEV, -EBUSY, -EINVAL, -ENOMEM, -EPERM, -EAGAIN or a negative integer"
    static let allProperties = LivepatchProperty.allCases.map(\.rawValue).joined(separator: ", ")

    // MARK: Valid models

    func testExampleModelParsesToTheExpectedWorld() throws {
        let world = try XCTUnwrap(parse(Self.exampleModel, file: "example.klp"))
        func at(_ line: Int, _ column: Int) -> SourceLocation {
            SourceLocation(file: "example.klp", line: line, column: column)
        }
        XCTAssertEqual(world.file, "example.klp")
        XCTAssertEqual(world.tasks, 2)
        XCTAssertEqual(world.force, false)
        XCTAssertEqual(world.core, .upstream)
        XCTAssertEqual(world.modules, [
            ModuleDecl(name: "test_klp_callbacks_mod", busy: false, location: at(5, 8)),
            ModuleDecl(name: "test_klp_callbacks_busy", busy: true, location: at(6, 8)),
        ])
        XCTAssertEqual(world.patches.count, 2)
        XCTAssertEqual(world.patches[0], PatchDecl(
            name: "demo", replace: false, states: [],
            objects: [
                ObjectDecl(target: .vmlinux, callbacks: [.prePatch, .postPatch, .preUnpatch, .postUnpatch],
                           prePatch: .succeeds, patchingMayFail: false, location: at(9, 10)),
                ObjectDecl(target: .module(0), callbacks: [.prePatch, .postUnpatch],
                           prePatch: .mayFail(-19), patchingMayFail: false, location: at(10, 10)),
                ObjectDecl(target: .module(1), callbacks: [.prePatch, .postPatch],
                           prePatch: .succeeds, patchingMayFail: true, location: at(11, 10)),
            ],
            location: at(8, 7)))
        XCTAssertEqual(world.patches[1], PatchDecl(
            name: "demo2", replace: true, states: [SystemState(id: 1, version: 2)],
            objects: [
                ObjectDecl(target: .vmlinux, callbacks: [.prePatch, .postUnpatch], location: at(15, 10)),
            ],
            location: at(13, 7)))
        XCTAssertEqual(world.checked, [])
        XCTAssertEqual(world.expectation, .pass)
        XCTAssertEqual(world.expectationLocation, at(18, 1))
    }

    func testDefaults() throws {
        let world = try XCTUnwrap(parse(Self.minimal))
        XCTAssertEqual(world.tasks, 2)
        XCTAssertEqual(world.force, false)
        XCTAssertEqual(world.core, .upstream)
        XCTAssertEqual(world.checked, [])
        XCTAssertEqual(world.expectation, .pass)
        XCTAssertNil(world.expectationLocation)
        XCTAssertEqual(world.modules, [])
        XCTAssertEqual(world.patches.map(\.name), ["p"])
        XCTAssertEqual(world.patches[0].objects[0].callbacks, [])
        XCTAssertEqual(world.patches[0].objects[0].prePatch, .succeeds)
        XCTAssertFalse(world.patches[0].objects[0].patchingMayFail)
    }

    func testSettingsAndVerdicts() throws {
        let world = try XCTUnwrap(parse("""
            tasks 64
            force on
            core complete-before-switch
            check post-patch-all-tasks progress
            check post-patch-all-tasks loaded-only
            expect fail post-patch-all-tasks
            \(Self.minimal)
            """))
        XCTAssertEqual(world.tasks, 64)
        XCTAssertEqual(world.force, true)
        XCTAssertEqual(world.core, .completeBeforeSwitch)
        XCTAssertEqual(world.checked, [.postPatchAllTasks, .progress, .loadedOnly])
        XCTAssertEqual(world.expectation, .fail(.postPatchAllTasks))
        XCTAssertEqual(world.expectationLocation, SourceLocation(file: "t.klp", line: 6, column: 1))

        let finding = try XCTUnwrap(parse("  expect finding post-unpatch-after-patch-failure\ncheck progress\ncheck all\n" + Self.minimal))
        XCTAssertEqual(finding.expectation, .finding(.postUnpatchAfterPatchFailure))
        XCTAssertEqual(finding.expectationLocation, SourceLocation(file: "t.klp", line: 1, column: 3))
        XCTAssertEqual(finding.checked, [], "'all' among the check lines means every property")
        XCTAssertEqual(try XCTUnwrap(parse("tasks 1\n" + Self.minimal)).tasks, 1)
        for variant in CoreVariant.allCases {
            XCTAssertEqual(try XCTUnwrap(parse("core \(variant.rawValue)\n" + Self.minimal)).core, variant)
        }
    }

    func testCallbackForms() throws {
        let world = try XCTUnwrap(parse("""
            patch p
              object vmlinux: pre_patch(fails -EPERM) pre_unpatch
              object a: pre_patch(may-fail -EBUSY)
              object b: pre_patch(may-fail -EINVAL)
              object c: pre_patch(fails -ENOMEM) patching(may-fail)
              object d: pre_patch(may-fail -EAGAIN)
              object e: pre_patch(may-fail -5)
              object f: pre_patch( fails\t-2147483648 )
              object g: patching(may-fail) post_patch
            module a
            module b
            module c
            module d
            module e
            module f
            module g
            """))
        let objects = world.patches[0].objects
        XCTAssertEqual(objects.map(\.prePatch), [
            .fails(-1), .mayFail(-16), .mayFail(-22), .fails(-12), .mayFail(-11), .mayFail(-5), .fails(Int32.min), .succeeds,
        ])
        XCTAssertEqual(objects.map(\.target), [.vmlinux] + (0..<7).map { .module($0) })
        XCTAssertEqual(objects.map(\.patchingMayFail), [false, false, false, true, false, false, false, true])
        XCTAssertEqual(objects[0].callbacks, [.prePatch, .preUnpatch])
        XCTAssertEqual(objects[7].callbacks, [.postPatch])
    }

    func testTargetsResolveAfterTheWholeFile() throws {
        let world = try XCTUnwrap(parse("""
            patch p
              object late: post_patch
              object vmlinux: post_patch
            module early
            module late busy
            """))
        XCTAssertEqual(world.patches[0].objects.map(\.target), [.module(1), .vmlinux])
        XCTAssertEqual(world.modules.map(\.name), ["early", "late"])
    }

    func testCommentsBlankLinesTabsAndSpacing() throws {
        let text = "# header\r\n\r\n\t\ttasks\t3  # three\r\n   \t \r\n"
            + "patch\tp\treplace#comment right after\n"
            + "\tstate 0 version 0\n"
            + "\tobject vmlinux : pre_patch (may-fail\t-ENODEV)\tpost_patch # all\n"
            + "object m:pre_patch\n"
            + "\tstate 7 version 4294967295  # states may follow objects\n"
            + "module m# glued comment\n"
            + "module m2 busy"  // no final newline
        let world = try XCTUnwrap(parse(text))
        XCTAssertEqual(world.tasks, 3)
        XCTAssertEqual(world.patches[0].replace, true)
        XCTAssertEqual(world.patches[0].states, [SystemState(id: 0, version: 0), SystemState(id: 7, version: 4_294_967_295)])
        XCTAssertEqual(world.patches[0].objects[0].prePatch, .mayFail(-19))
        XCTAssertEqual(world.patches[0].objects[0].callbacks, [.prePatch, .postPatch])
        XCTAssertEqual(world.patches[0].objects[0].location, SourceLocation(file: "t.klp", line: 7, column: 9))
        XCTAssertEqual(world.patches[0].objects[1].target, .module(0))
        XCTAssertEqual(world.patches[0].objects[1].callbacks, [.prePatch])
        XCTAssertEqual(world.modules.map(\.busy), [false, true])
    }

    func testSelftestModelsParse() throws {
        let root = Self.repositoryRoot.appendingPathComponent("Models/selftests")
        let callbacks = try ModelParser.parse(contentsOf: root.appendingPathComponent("test-callbacks.klp").path)
        XCTAssertEqual(callbacks.modules.map(\.name), ["test_klp_callbacks_mod", "test_klp_callbacks_busy"])
        XCTAssertEqual(callbacks.patches.map(\.name), ["test_klp_callbacks_demo", "test_klp_callbacks_demo2"])
        XCTAssertEqual(callbacks.patches[0].objects.map(\.prePatch), Array(repeating: .mayFail(-19), count: 3))
        XCTAssertEqual(callbacks.patches.map(\.replace), [false, true])
        let state = try ModelParser.parse(contentsOf: root.appendingPathComponent("test-state.klp").path)
        XCTAssertEqual(state.patches.map(\.states), [
            [SystemState(id: 1, version: 1, carries: 0)], [SystemState(id: 1, version: 2, carries: 0)],
            [SystemState(id: 1, version: 2, carries: 0)],
        ])
        XCTAssertEqual(state.modules, [])
    }

    func testEveryRepositoryModelParses() throws {
        // The project's own models (intentionally broken ones would be named *bad*).
        let models = Self.repositoryRoot.appendingPathComponent("Models")
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: models.path))
        var count = 0
        for case let relative as String in enumerator where relative.hasSuffix(".klp") && !relative.contains("bad") {
            count += 1
            do {
                let world = try ModelParser.parse(contentsOf: models.appendingPathComponent(relative).path)
                XCTAssertFalse(world.patches.isEmpty, relative)
            } catch {
                XCTFail("\(relative):\n\(error)")
            }
        }
        XCTAssertGreaterThanOrEqual(count, 2)
    }

    // MARK: Errors, one kind per test

    func testUnknownKeyword() {
        assertError(Self.minimal + "patchh q\n",
                    "t.klp:3:1: error: unknown keyword 'patchh'; expected one of: \(Self.keywordList)")
    }

    func testUnknownCallback() {
        assertError("patch p\n  object vmlinux: pre_patch post_patchh\n",
                    "t.klp:2:29: error: unknown callback 'post_patchh'; expected one of: \(Self.callbackList)")
    }

    func testUnknownTargetExactForm() {
        let text = """
            # bad
            module test_klp_callbacks_mod
            module test_klp_callbacks_busy busy

            patch demo
              object vmlinux: pre_patch
              object test_klp_mod: pre_patch
            """
        assertError(text, "Models/bad.klp:7:10: error: unknown target 'test_klp_mod'; declared modules: test_klp_callbacks_mod, test_klp_callbacks_busy",
                    file: "Models/bad.klp")
    }

    func testUnknownTargetWithoutModules() {
        assertError("patch p\n object foo:\n",
                    "t.klp:2:9: error: unknown target 'foo'; no modules are declared (declare it with 'module foo')")
    }

    func testMalformedNumber() {
        assertError("tasks 3x\n" + Self.minimal, "t.klp:1:7: error: malformed number '3x'; expected tasks N with N from 1 to 64")
    }

    func testTasksOutOfRange() {
        assertErrors("tasks 0\ntasks 65\ntasks -1\ntasks 99999999999999999999999\n" + Self.minimal, [
            "t.klp:1:7: error: tasks 0 out of range; expected 1 to 64",
            "t.klp:2:7: error: tasks 65 out of range; expected 1 to 64",
            "t.klp:3:7: error: tasks -1 out of range; expected 1 to 64",
            "t.klp:4:7: error: tasks 99999999999999999999999 out of range; expected 1 to 64",
        ])
    }

    func testMalformedErrno() {
        assertErrors("patch p\n object vmlinux: pre_patch(may-fail -ENODEVX)\n object m: pre_patch(fails ENODEV)\nmodule m\n", [
            "t.klp:2:37: error: malformed errno '-ENODEVX'; \(Self.errnoList)",
            "t.klp:3:28: error: malformed errno 'ENODEV'; \(Self.errnoList) (did you mean '-ENODEV'?)",
        ])
    }

    func testErrnoNotNegative() {
        assertErrors("patch p\n object vmlinux: pre_patch(may-fail 0)\n object m: pre_patch(fails 5)\nmodule m\n", [
            "t.klp:2:37: error: errno 0 is not negative; \(Self.errnoList)",
            "t.klp:3:28: error: errno 5 is not negative; \(Self.errnoList)",
        ])
    }

    func testErrnoOutOfRange() {
        assertError("patch p\nobject vmlinux: pre_patch(fails -2147483649)\n",
                    "t.klp:2:33: error: errno -2147483649 out of range; expected at least -2147483648")
    }

    func testObjectBeforeAnyPatch() {
        assertError("object vmlinux: pre_patch\n" + Self.minimal,
                    "t.klp:1:1: error: 'object' before any 'patch'; an object belongs to the patch declared above it")
    }

    func testStateBeforeAnyPatch() {
        assertError("  state 1 version 1\n" + Self.minimal,
                    "t.klp:1:3: error: 'state' before any 'patch'; a state belongs to the patch declared above it")
    }

    func testDuplicateModule() {
        assertError("module x\nmodule  x busy\n" + Self.minimal,
                    "t.klp:2:9: error: duplicate module 'x' (first declared at 1:8)")
    }

    func testDuplicatePatch() {
        assertError(Self.minimal + "patch p replace\n object vmlinux:\n",
                    "t.klp:3:7: error: duplicate patch 'p' (first declared at 1:7)")
    }

    func testDuplicateObjectTarget() {
        assertError("module m\npatch p\n object m: pre_patch\n object vmlinux:\n object m : post_patch\n",
                    "t.klp:5:9: error: duplicate object 'm' in patch 'p' (first declared at 3:9)")
    }

    func testPatchWithoutObject() {
        assertError("patch q replace\n  state 1 version 1\n" + Self.minimal,
                    "t.klp:1:7: error: patch 'q' has no object; expected at least one 'object TARGET: CALLBACK...' line after it")
    }

    func testUnknownProperty() {
        assertError(Self.minimal + "check loaded-only pre-patch-twice\n",
                    "t.klp:3:19: error: unknown property 'pre-patch-twice'; expected 'all' or one of: \(Self.allProperties)")
    }

    func testUnknownCoreVariant() {
        assertError("core downstream\n" + Self.minimal,
                    "t.klp:1:6: error: unknown core variant 'downstream'; expected one of: upstream, reverse-calls-pre-unpatch, ungated-post-unpatch, going-pre-unpatch-in-transition, coming-post-patch-in-transition, complete-ignores-loaded, cancel-skips-post-unpatch, enable-during-transition, replace-runs-old-callbacks, complete-before-switch, no-switch-after-reverse")
    }

    func testModuleNamedVmlinux() {
        assertError("module vmlinux\n" + Self.minimal,
                    "t.klp:1:8: error: a module cannot be named 'vmlinux': the name is reserved for the kernel image")
    }

    func testPatchNamedVmlinux() {
        assertError("patch vmlinux\n object vmlinux:\n",
                    "t.klp:1:7: error: a patch cannot be named 'vmlinux': the name is reserved for the kernel image")
    }

    func testInvalidNames() {
        assertErrors("module 3com\nmodule a.b\npatch -p\n object vmlinux:\n object x!:\n", [
            "t.klp:1:8: error: invalid module name '3com'; names match [A-Za-z_][A-Za-z0-9_-]*",
            "t.klp:2:8: error: invalid module name 'a.b'; names match [A-Za-z_][A-Za-z0-9_-]*",
            "t.klp:3:7: error: invalid patch name '-p'; names match [A-Za-z_][A-Za-z0-9_-]*",
            "t.klp:5:9: error: invalid target 'x!'; expected vmlinux or a module name matching [A-Za-z_][A-Za-z0-9_-]*",
        ])
    }

    func testMissingTokens() {
        assertErrors("tasks\nforce\ncore\nmodule\ncheck\nexpect\n" + Self.minimal, [
            "t.klp:1:6: error: missing number after 'tasks'; expected tasks N with N from 1 to 64",
            "t.klp:2:6: error: missing value after 'force'; expected 'on' or 'off'",
            "t.klp:3:5: error: missing variant after 'core'; expected one of: \(CoreVariant.allCases.map(\.rawValue).joined(separator: ", "))",
            "t.klp:4:7: error: missing name after 'module'; expected module NAME [busy]",
            "t.klp:5:6: error: missing property after 'check'; expected 'all' or one or more of: \(Self.allProperties)",
            "t.klp:6:7: error: missing verdict after 'expect'; expected pass, fail NAME or finding NAME",
        ])
        assertErrors("patch\n object vmlinux:\npatch q\n object\n", [
            "t.klp:1:6: error: missing name after 'patch'; expected patch NAME [replace]",
            "t.klp:4:8: error: missing target after 'object'; expected object TARGET: CALLBACK...",
        ])
    }

    func testExtraTokens() {
        assertErrors("tasks 2 3\nforce off now\ncore upstream x\nmodule m bsy\nmodule n busy x\npatch p rep\n object vmlinux:\nexpect pass 1\n", [
            "t.klp:1:9: error: unexpected '3'; expected end of line",
            "t.klp:2:11: error: unexpected 'now'; expected end of line",
            "t.klp:3:15: error: unexpected 'x'; expected end of line",
            "t.klp:4:10: error: unexpected 'bsy'; expected 'busy' or end of line",
            "t.klp:5:15: error: unexpected 'x'; expected end of line",
            "t.klp:6:9: error: unexpected 'rep'; expected 'replace' or end of line",
            "t.klp:8:13: error: unexpected '1'; expected end of line",
        ])
    }

    func testUnknownForceValue() {
        assertError("force yes\n" + Self.minimal, "t.klp:1:7: error: unknown force value 'yes'; expected 'on' or 'off'")
    }

    func testDuplicateCallback() {
        assertError("patch p\n object vmlinux: post_patch pre_unpatch post_patch\n",
                    "t.klp:2:41: error: duplicate callback 'post_patch' (first given at 2:18)")
    }

    func testPrePatchInDifferentForms() {
        assertErrors("patch p\n object vmlinux: pre_patch pre_patch(fails -EBUSY)\n object m: pre_patch(may-fail -19) pre_patch(may-fail -ENODEV)\nmodule m\n", [
            "t.klp:2:28: error: pre_patch given twice in different forms: 'pre_patch' at 2:18 and 'pre_patch(fails -EBUSY)'; give it once",
            "t.klp:3:36: error: duplicate callback 'pre_patch(may-fail -ENODEV)' (first given at 3:12)",
        ])
    }

    func testDuplicateState() {
        assertError(Self.minimal + " state 3 version 1\n state 3 version 2\n",
                    "t.klp:4:8: error: duplicate state 3 in patch 'p' (first declared at 3:8)")
    }

    func testNegativeStateIdAndVersion() {
        assertErrors(Self.minimal + "state -1 version 1\nstate 1 version -2\nstate 2 version 4294967296\nstate x version 1\n", [
            "t.klp:3:7: error: negative state id -1; expected an integer 0 or more",
            "t.klp:4:17: error: negative state version -2; expected an integer 0 or more",
            "t.klp:5:17: error: state version 4294967296 too large; expected at most 4294967295",
            "t.klp:6:7: error: malformed number 'x'; expected a state id, an integer 0 or more",
        ])
    }

    func testMalformedStateLine() {
        assertErrors(Self.minimal + "state 1\nstate 1 vers 2\nstate 1 version\nstate\n", [
            "t.klp:3:8: error: missing 'version' after the state id; expected state ID version V",
            "t.klp:4:9: error: unexpected 'vers'; expected 'version' (state ID version V)",
            "t.klp:5:16: error: missing version number after 'version'; expected state ID version V",
            "t.klp:6:6: error: missing id after 'state'; expected state ID version V",
        ])
    }

    func testSettingsGivenTwice() {
        assertErrors("tasks 2\ntasks 3\nforce on\nforce on\ncore upstream\n core upstream\nexpect pass\nexpect pass\n" + Self.minimal, [
            "t.klp:2:1: error: duplicate 'tasks' (first given at 1:1)",
            "t.klp:4:1: error: duplicate 'force' (first given at 3:1)",
            "t.klp:6:2: error: duplicate 'core' (first given at 5:1)",
            "t.klp:8:1: error: duplicate 'expect' (first given at 7:1)",
        ])
    }

    func testModuleLimit() {
        let limit = World.Limits.modules
        let modules = (1...limit + 2).map { "module m\($0)\n" }.joined()
        assertError(modules + Self.minimal, "t.klp:\(limit + 1):8: error: too many modules: at most \(limit) may be declared")
    }

    func testPatchLimit() {
        let limit = World.Limits.patches
        let patches = (1...limit + 2).map { "patch p\($0)\n object vmlinux:\n" }.joined()
        assertError(patches, "t.klp:\(2 * limit + 1):7: error: too many patches: at most \(limit) may be declared")
    }

    func testObjectLimit() throws {
        // Patches of vmlinux plus every module, until one object too many.
        let (modules, limit) = (World.Limits.modules, World.Limits.objects)
        let perPatch = modules + 1
        let patchCount = (limit + 1 + perPatch - 1) / perPatch
        try XCTSkipIf(patchCount > World.Limits.patches, "the object limit cannot be reached")
        let text = (1...modules).map { "module m\($0)\n" }.joined()
            + (1...patchCount).map { p in
                "patch p\(p)\n object vmlinux:\n" + (1...modules).map { " object m\($0):\n" }.joined()
            }.joined()
        // The object one past the limit: its patch and its place in that patch.
        let (patch, place) = (limit / perPatch, limit % perPatch)
        let line = modules + patch * (perPatch + 1) + 1 + place + 1
        assertError(text, "t.klp:\(line):2: error: too many objects: at most \(limit) over all patches")
    }

    func testExpectKinds() {
        assertErrors(Self.minimal + "expect fail replaced-abandons-brackets\n", [
            "t.klp:3:13: error: 'replaced-abandons-brackets' is a finding, not a property; use 'expect finding replaced-abandons-brackets'",
        ])
        assertErrors(Self.minimal + "expect finding progress\n", [
            "t.klp:3:16: error: 'progress' is a property, not a finding; use 'expect fail progress' (findings: replaced-abandons-brackets, post-unpatch-after-patch-failure)",
        ])
        assertErrors(Self.minimal + "expect success\n", [
            "t.klp:3:8: error: unknown verdict 'success'; expected pass, fail NAME or finding NAME",
        ])
        let violations = LivepatchProperty.allCases.filter { !$0.isFinding }.map(\.rawValue).joined(separator: ", ")
        assertErrors(Self.minimal + "expect fail\n", [
            "t.klp:3:12: error: missing property after 'expect fail'; expected one of: \(violations)",
        ])
        assertErrors(Self.minimal + "expect finding brackets\n", [
            "t.klp:3:16: error: unknown finding 'brackets'; expected one of: replaced-abandons-brackets, post-unpatch-after-patch-failure",
        ])
    }

    func testExpectedFailureNotChecked() {
        assertError(Self.minimal + "expect fail progress\ncheck loaded-only\n",
                    "t.klp:3:13: error: expected failure 'progress' is not checked; add it to a 'check' line or use 'check all'")
    }

    func testUnterminatedParenthesis() {
        assertError("patch p\n object vmlinux: post_patch pre_patch(may-fail -EBUSY # oops )\n",
                    "t.klp:2:38: error: unterminated '('; expected ')' before the end of the line")
    }

    func testMissingColon() {
        assertErrors("patch p\n object vmlinux pre_patch\n object vmlinux\n object :\n", [
            "t.klp:2:17: error: missing ':' after object target 'vmlinux'; expected object TARGET: CALLBACK...",
            "t.klp:3:9: error: duplicate object 'vmlinux' in patch 'p' (first declared at 2:9)",
            "t.klp:3:16: error: missing ':' after object target 'vmlinux'; expected object TARGET: CALLBACK...",
            "t.klp:4:9: error: missing target before ':'; expected vmlinux or a declared module",
        ])
    }

    func testCallbackOptions() {
        assertErrors("patch p\n object vmlinux: patching post_patch(may-fail) pre_patch() patching(may-fail x)\n object m: pre_patch(may-fail) pre_patch(maybe -1) patching(fails) pre_patch(fails -1)x\nmodule m\n", [
            "t.klp:2:18: error: missing '(may-fail)' after 'patching'; expected patching(may-fail)",
            "t.klp:2:37: error: callback 'post_patch' takes no options; expected 'post_patch'",
            "t.klp:2:57: error: empty options after 'pre_patch'; expected pre_patch(may-fail ERRNO) or pre_patch(fails ERRNO)",
            "t.klp:2:78: error: unexpected 'x'; expected ')'",
            "t.klp:3:30: error: missing errno after 'may-fail'; expected pre_patch(may-fail ERRNO)",
            "t.klp:3:42: error: unknown pre_patch option 'maybe'; expected pre_patch(may-fail ERRNO) or pre_patch(fails ERRNO)",
            "t.klp:3:61: error: unknown patching option 'fails'; expected patching(may-fail)",
            "t.klp:3:87: error: unexpected 'x' after ')'; expected a blank before the next callback",
        ])
    }

    func testNoPatch() {
        assertError("", "t.klp:1:1: error: no patch declared; expected at least one 'patch NAME' line with its 'object' lines")
        assertError("# only a comment\nmodule m\n",
                    "t.klp:1:1: error: no patch declared; expected at least one 'patch NAME' line with its 'object' lines")
    }

    func testPatchAndModuleShareAName() {
        assertErrors("module p\n" + Self.minimal + "patch q\n object vmlinux:\nmodule q\n", [
            "t.klp:2:7: error: patch 'p' has the same name as module 'p' (declared at 1:8); module names are unique",
            "t.klp:6:8: error: module 'q' has the same name as patch 'q' (declared at 4:7); module names are unique",
        ])
    }

    func testManyErrorsAreAllReportedInFileOrder() {
        let text = """
            tasks 0
            patch demo
              object vmlinux: pre_patch post_patchh
              object missing_mod: pre_patch
            frobnicate
            module vmlinux
            patch empty
            check everything
            core upstream-ish
            """
        assertErrors(text, [
            "t.klp:1:7: error: tasks 0 out of range; expected 1 to 64",
            "t.klp:3:29: error: unknown callback 'post_patchh'; expected one of: \(Self.callbackList)",
            "t.klp:4:10: error: unknown target 'missing_mod'; no modules are declared (declare it with 'module missing_mod')",
            "t.klp:5:1: error: unknown keyword 'frobnicate'; expected one of: \(Self.keywordList)",
            "t.klp:6:8: error: a module cannot be named 'vmlinux': the name is reserved for the kernel image",
            "t.klp:7:7: error: patch 'empty' has no object; expected at least one 'object TARGET: CALLBACK...' line after it",
            "t.klp:8:7: error: unknown property 'everything'; expected 'all' or one of: \(Self.allProperties)",
            "t.klp:9:6: error: unknown core variant 'upstream-ish'; expected one of: \(CoreVariant.allCases.map(\.rawValue).joined(separator: ", "))",
        ])
        do {
            _ = try ModelParser.parse(text, file: "t.klp")
        } catch {
            XCTAssertEqual(error.description.split(separator: "\n").count, 8)
            XCTAssertEqual(error.description, error.diagnostics.map(\.description).joined(separator: "\n"))
        }
    }

    // MARK: Files

    func testUnreadableAndNonUTF8Files() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("klp-parser-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let missing = directory.appendingPathComponent("missing.klp").path
        XCTAssertThrowsError(try ModelParser.parse(contentsOf: missing)) { error in
            XCTAssertEqual("\(error)", "\(missing):1:1: error: cannot read model file: No such file or directory")
        }
        XCTAssertThrowsError(try ModelParser.parse(contentsOf: directory.path)) { error in
            XCTAssertEqual("\(error)", "\(directory.path):1:1: error: cannot read model file: Is a directory")
        }
        let binary = directory.appendingPathComponent("latin1.klp")
        try Data("patch p\n  object vmlinux: # caf".utf8 + [0xE9] + "\n".utf8).write(to: binary)
        XCTAssertThrowsError(try ModelParser.parse(contentsOf: binary.path)) { error in
            XCTAssertEqual("\(error)", "\(binary.path):2:24: error: model file is not valid UTF-8 text (invalid byte 0xE9)")
        }
        let good = directory.appendingPathComponent("good.klp")
        try Data(Self.exampleModel.utf8).write(to: good)
        let world = try ModelParser.parse(contentsOf: good.path)
        XCTAssertEqual(world.file, good.path)
        XCTAssertEqual(world.patches.count, 2)
    }

    // MARK: Fuzzing


    static let interestingBytes: [UInt8] = Array(" \t\n\r#():-_0123456789aAvz".utf8) + [0x00, 0x7F, 0xC3, 0xE9, 0xFF]

    /// Applies one to three mutations; returns the text and what was done.
    static func mutate(_ original: [UInt8], _ rng: inout SplitMix64) -> ([UInt8], [String]) {
        var bytes = original
        var done: [String] = []
        for _ in 0...rng.below(3) {
            switch rng.below(6) {
            case 0:
                let at = rng.below(bytes.count + 1)
                bytes.removeSubrange(at...)
                done.append("truncate at \(at)")
            case 1 where !bytes.isEmpty:
                let at = rng.below(bytes.count)
                let bit = UInt8(1) << UInt8(rng.below(8))
                bytes[at] ^= bit
                done.append("flip bit \(bit) of byte \(at)")
            case 2:
                let at = rng.below(bytes.count + 1)
                let byte = rng.below(2) == 0 ? interestingBytes[rng.below(interestingBytes.count)] : UInt8(rng.below(256))
                bytes.insert(byte, at: at)
                done.append("insert \(byte) at \(at)")
            case 3 where !bytes.isEmpty:
                let at = rng.below(bytes.count)
                bytes.remove(at: at)
                done.append("delete byte \(at)")
            case 4:
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                let at = rng.below(lines.count)
                lines.insert(lines[at], at: at)
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
                done.append("duplicate line \(at + 1)")
            default:
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                let (a, b) = (rng.below(lines.count), rng.below(lines.count))
                lines.swapAt(a, b)
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
                done.append("swap lines \(a + 1) and \(b + 1)")
            }
        }
        return (bytes, done)
    }

    final class Outcome: @unchecked Sendable {
        var result: Result<World, ModelErrors>?
    }

    /// Parses on another thread and gives up after `seconds`: a hang fails instead of blocking.
    static func parseWithBudget(_ text: String, file: String, seconds: Double) -> Result<World, ModelErrors>? {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do throws(ModelErrors) {
                outcome.result = .success(try ModelParser.parse(text, file: file))
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return outcome.result
    }

    func testLargeGarbageStaysFast() throws {
        // Many distinct unknown targets and bad lines: no quadratic work, every error reported.
        let text = "patch p\n" + (0..<20_000).map { " object t\($0): post_patch\nzz\($0)\n" }.joined()
        let result = try XCTUnwrap(Self.parseWithBudget(text, file: "big.klp", seconds: 10), "parser exceeded 10 s")
        guard case .failure(let errors) = result else { return XCTFail("parsed garbage") }
        XCTAssertEqual(errors.diagnostics.count, 40_001)  // 20000 targets, 20000 keywords, the object limit
        XCTAssertEqual(errors.diagnostics.first?.description,
                       "big.klp:2:9: error: unknown target 't0'; no modules are declared (declare it with 'module t0')")
    }

    func testFuzzedModelsNeverCrashOrHang() throws {
        var inputs: [(String, [UInt8])] = [("example.klp", Array(Self.exampleModel.utf8))]
        let models = Self.repositoryRoot.appendingPathComponent("Models")
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: models.path))
        for case let relative as String in enumerator where relative.hasSuffix(".klp") {
            let data = try Data(contentsOf: models.appendingPathComponent(relative))
            inputs.append(("Models/" + relative, Array(data)))
        }
        XCTAssertGreaterThanOrEqual(inputs.count, 3, "the selftest models should be found under \(models.path)")
        var parsedWorlds = 0
        var rejected = 0
        let started = Date()
        for (index, (name, original)) in inputs.enumerated() {
            for iteration in 0..<300 {
                let seed = 0x6B6C_7063_6865_636B ^ (UInt64(index) << 32) ^ UInt64(iteration)
                var rng = SplitMix64(state: seed)
                let (bytes, mutations) = Self.mutate(original, &rng)
                let text = String(decoding: bytes, as: UTF8.self)
                let context = "input \(name), seed 0x\(String(seed, radix: 16)), mutations: \(mutations.joined(separator: "; "))"
                guard let result = Self.parseWithBudget(text, file: name, seconds: 5) else {
                    XCTFail("parser exceeded its 5 s budget: \(context)")
                    return
                }
                let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                switch result {
                case .success(let world):
                    parsedWorlds += 1
                    XCTAssertTrue(World.Limits.tasks.contains(world.tasks), context)
                    XCTAssertFalse(world.patches.isEmpty, context)
                    XCTAssertLessThanOrEqual(world.patches.count, World.Limits.patches, context)
                    XCTAssertLessThanOrEqual(world.modules.count, World.Limits.modules, context)
                    XCTAssertLessThanOrEqual(world.patches.reduce(0) { $0 + $1.objects.count }, World.Limits.objects, context)
                    for patch in world.patches {
                        XCTAssertFalse(patch.objects.isEmpty, context)
                        for object in patch.objects {
                            if case .module(let i) = object.target {
                                XCTAssertTrue(world.modules.indices.contains(i), context)
                            }
                        }
                    }
                case .failure(let errors):
                    rejected += 1
                    XCTAssertFalse(errors.diagnostics.isEmpty, context)
                    var previous = (0, 0)
                    for diagnostic in errors.diagnostics {
                        let l = diagnostic.location
                        XCTAssertEqual(l.file, name, context)
                        XCTAssertFalse(diagnostic.message.isEmpty, context)
                        guard l.line >= 1 && l.line <= lines.count else {
                            XCTFail("line out of bounds in '\(diagnostic)' (\(lines.count) lines): \(context)")
                            continue
                        }
                        let width = lines[l.line - 1].count
                        XCTAssertTrue(l.column >= 1 && l.column <= width + 1,
                                      "column out of bounds in '\(diagnostic)' (line has \(width) bytes): \(context)")
                        XCTAssertTrue(previous <= (l.line, l.column), "diagnostics out of order at '\(diagnostic)': \(context)")
                        previous = (l.line, l.column)
                    }
                }
            }
        }
        XCTAssertGreaterThan(parsedWorlds, 0, "some mutations should still parse")
        XCTAssertGreaterThan(rejected, 0, "some mutations should be rejected")
        print("fuzz: \(inputs.count) inputs, \(parsedWorlds) parsed, \(rejected) rejected in \(Date().timeIntervalSince(started)) s")
    }
}
