import Foundation
import XCTest

@testable import Livepatch

/// Readings of Livepatch.docc (CallbackWrappers, Events, LogLines) pinned down on
/// small hand-built worlds, one event at a time: each test is a `replay`
/// scenario of `step ...` lines (nothing runs between them) or, where the
/// user-visible error matters, a command scenario as the selftests type it,
/// and every line the step prints is asserted exactly.
///
/// Expected lines are written from those articles and the kernel sources
/// it cites (kernel/livepatch/core.c, transition.c), not copied from klpcheck.
final class SemanticsTests: XCTestCase {
    // MARK: Helpers

    static let coming = "[MODULE_STATE_COMING] Full formed, running module_init"
    static let live = "[MODULE_STATE_LIVE] Normal state"
    static let going = "[MODULE_STATE_GOING] Going away"
    static let skipped = "klpcheck: this step cannot happen here (its guard does not hold); skipped"
    static let einval = "klpcheck: the step is refused: -EINVAL (Invalid parameters)"
    static let ebusy = "klpcheck: the step is refused: -EBUSY (Device or resource busy)"
    static let enodev = "klpcheck: the step is refused: -ENODEV (No such device)"

    /// One command (or step) and the lines it must print.
    struct Expect {
        var command: String
        var lines: [String]
        init(_ command: String, _ lines: [String] = []) {
            self.command = command
            self.lines = lines
        }
    }

    /// P loaded while only vmlinux of its targets is loaded, and its patching
    /// transition run to the end (one task): the opening of several scripts below.
    static let patchP = [
        Expect("step load P", [
            "livepatch: enabling patch 'P'",
            "livepatch: 'P': initializing patching transition",
            "P: pre_patch_callback: vmlinux",
            "livepatch: 'P': starting patching transition",
        ]),
        Expect("step switch task"),
        Expect("step complete", [
            "livepatch: 'P': completing patching transition",
            "P: post_patch_callback: vmlinux",
            "livepatch: 'P': patching complete",
        ]),
    ]

    /// Runs `expectations` against `model` and checks every command's lines,
    /// and that no property is violated. Returns the outcome for further checks.
    @discardableResult
    func run(
        _ model: String, replay: Bool = true, _ expectations: [Expect], violations: [LivepatchProperty] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> ScenarioOutcome {
        let world = try ModelParser.parse(model, file: "semantics.klp")
        let text = (replay ? ["replay"] : []) + expectations.map(\.command)
        let scenario = try Scenario.parse(text.joined(separator: "\n") + "\n", file: "semantics.scenario")
        let outcome = try ScenarioRunner.run(scenario, file: "semantics.scenario", world: world)
        // Split the output at the `% COMMAND` lines.
        var blocks: [(command: String, lines: [String])] = []
        for output in outcome.output {
            if output.hasPrefix("% ") {
                blocks.append((String(output.dropFirst(2)), []))
            } else if blocks.isEmpty {
                XCTFail("output before the first command: \(output)", file: file, line: line)
            } else {
                blocks[blocks.count - 1].lines.append(output)
            }
        }
        XCTAssertEqual(blocks.map(\.command), expectations.map(\.command), "commands echoed", file: file, line: line)
        for (index, (block, expected)) in zip(blocks, expectations).enumerated() {
            XCTAssertEqual(
                block.lines, expected.lines,
                "command \(index + 1) '\(expected.command)' printed:\n\(block.lines.joined(separator: "\n"))",
                file: file, line: line)
        }
        XCTAssertEqual(
            outcome.violations.map(\.property), violations,
            "violations: \(outcome.violations.map { "\($0.property.rawValue) at \($0.location.line): \($0.reason)" })",
            file: file, line: line)
        return outcome
    }

    /// One patch P with a vmlinux object and an object for module m, all four callbacks on each.
    static let onePatch = """
        tasks 1
        module m
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
          object m: pre_patch post_patch pre_unpatch post_unpatch
        """

    // MARK: 5. Enable

    /// EN, INIT, pre_patch of every loaded object in order, START; completion
    /// waits for every task, then COMPL, post_patch of every loaded object, DONE.
    func testEnableLogOrder() throws {
        try run(Self.onePatch, [
            Expect("step coming m"),
            Expect("step init m"),
            Expect("step load P", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: vmlinux",
                "P: pre_patch_callback: m -> \(Self.live)",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("step complete", [Self.skipped]),  // the task still runs the old code
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: 'P': completing patching transition",
                "P: post_patch_callback: vmlinux",
                "P: post_patch_callback: m -> \(Self.live)",
                "livepatch: 'P': patching complete",
            ]),
            Expect("step switch task", [Self.skipped]),  // no transition any more
        ])
    }

    /// An object whose module is not loaded gets no callback at enable or completion.
    func testEnableSkipsObjectsNotLoaded() throws {
        try run(Self.onePatch, Self.patchP + [
        ])
    }

    // MARK: 6. Disable

    /// INIT unpatching, pre_unpatch only for patched objects (m was not loaded
    /// at enable, so its object is not patched), START; then COMPL, post_unpatch, DONE.
    func testDisableRunsPreUnpatchOnlyForPatchedObjects() throws {
        try run(Self.onePatch, Self.patchP + [
            Expect("step disable P", [
                "livepatch: 'P': initializing unpatching transition",
                "P: pre_unpatch_callback: vmlinux",
                "livepatch: 'P': starting unpatching transition",
            ]),
            Expect("step complete", [Self.skipped]),  // the task was set PATCHED and must switch back
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: 'P': completing unpatching transition",
                "P: post_unpatch_callback: vmlinux",
                "livepatch: 'P': unpatching complete",
            ]),
            Expect("step disable P", [Self.skipped]),  // retired: not listed
            Expect("step unload P"),
            Expect("step unload P", [Self.skipped]),
        ])
    }

    /// A module loaded after the patch completed is patched by the COMING
    /// notifier (pre_patch and post_patch, COMING state); a later disable
    /// runs its pre_unpatch and post_unpatch in the LIVE state.
    func testDisableCoversAModuleLoadedAfterTheEnable() throws {
        try run(Self.onePatch, Self.patchP + [
            Expect("step coming m", [
                "livepatch: applying patch 'P' to loading module 'm'",
                "P: pre_patch_callback: m -> \(Self.coming)",
                "P: post_patch_callback: m -> \(Self.coming)",
            ]),
            Expect("step init m"),
            Expect("step disable P", [
                "livepatch: 'P': initializing unpatching transition",
                "P: pre_unpatch_callback: vmlinux",
                "P: pre_unpatch_callback: m -> \(Self.live)",
                "livepatch: 'P': starting unpatching transition",
            ]),
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: 'P': completing unpatching transition",
                "P: post_unpatch_callback: vmlinux",
                "P: post_unpatch_callback: m -> \(Self.live)",
                "livepatch: 'P': unpatching complete",
            ]),
        ])
    }

    // MARK: 7-8. Reversal and `enabled`

    /// Write 0 during the patching transition reverses it: REVERSE and START,
    /// no callback, task states unchanged (a switched task must switch back).
    /// Completing the reversed transition runs post_unpatch, never pre_unpatch.
    func testReversePatchingToUnpatching() throws {
        try run(Self.onePatch, [
            Expect("step load P", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: vmlinux",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("step switch task"),
            Expect("step disable P", [
                "livepatch: 'P': reversing transition from patching to unpatching",
                "livepatch: 'P': starting unpatching transition",
            ]),
            Expect("step complete", [Self.skipped]),  // the task switched to PATCHED and keeps it
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: 'P': completing unpatching transition",
                "P: post_unpatch_callback: vmlinux",
                "livepatch: 'P': unpatching complete",
            ]),
            Expect("step unload P"),  // the reversed enable retired it like a disable
        ])
    }

    /// `enabled` flips: write 1 is -EINVAL on an enabled patch, write 0 starts
    /// unpatching, write 0 again is -EINVAL (no longer enabled), write 1
    /// reverses the unpatching transition, write 0 reverses it back, and so on.
    func testEnabledWritesFlipTheTransition() throws {
        try run(Self.onePatch, [
            Expect("step load P", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: vmlinux",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("step enable P", [Self.einval]),  // enabled, patching: nothing to reverse
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: 'P': completing patching transition",
                "P: post_patch_callback: vmlinux",
                "livepatch: 'P': patching complete",
            ]),
            Expect("step enable P", [Self.einval]),  // no re-enabling since v5.1
            Expect("step disable P", [
                "livepatch: 'P': initializing unpatching transition",
                "P: pre_unpatch_callback: vmlinux",
                "livepatch: 'P': starting unpatching transition",
            ]),
            Expect("step disable P", [Self.einval]),  // unpatching: enabled(P) is false
            Expect("step enable P", [
                "livepatch: 'P': reversing transition from unpatching to patching",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("step disable P", [
                "livepatch: 'P': reversing transition from patching to unpatching",
                "livepatch: 'P': starting unpatching transition",
            ]),
            Expect("step enable P", [
                "livepatch: 'P': reversing transition from unpatching to patching",
                "livepatch: 'P': starting patching transition",
            ]),
            // The disable set the task PATCHED; no reversal touched it: the patching transition may complete.
            Expect("step complete", [
                "livepatch: 'P': completing patching transition",
                "P: post_patch_callback: vmlinux",
                "livepatch: 'P': patching complete",
            ]),
        ])
    }

    /// The same writes as the selftests type them: a refused write prints
    /// bash's error, and a patch with no sysfs directory cannot be written.
    func testEnabledWritesAsCommands() throws {
        try run(Self.onePatch, replay: false, [
            Expect("insmod test_modules/P.ko", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: vmlinux",
                "livepatch: 'P': starting patching transition",
                "livepatch: 'P': completing patching transition",
                "P: post_patch_callback: vmlinux",
                "livepatch: 'P': patching complete",
            ]),
            Expect("echo 1 > /sys/kernel/livepatch/P/enabled", ["bash: echo: write error: Invalid argument"]),
            Expect("echo 0 > /sys/kernel/livepatch/P/enabled", [
                "livepatch: 'P': initializing unpatching transition",
                "P: pre_unpatch_callback: vmlinux",
                "livepatch: 'P': starting unpatching transition",
                "livepatch: 'P': completing unpatching transition",
                "P: post_unpatch_callback: vmlinux",
                "livepatch: 'P': unpatching complete",
            ]),
            Expect("echo 0 > /sys/kernel/livepatch/P/enabled", [
                "bash: /sys/kernel/livepatch/P/enabled: No such file or directory"
            ]),
        ])
    }

    // MARK: 5. Cancel

    static let cancelWorld = """
        tasks 1
        module m
        module m2
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
          object m: pre_patch(may-fail -ENODEV) post_patch pre_unpatch post_unpatch
          object m2: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// A failing pre_patch cancels the enable: PREFAIL, ENFAIL, CANCEL, COMPL
    /// unpatching, post_unpatch only for vmlinux (whose pre_patch succeeded;
    /// m's failed and m2's never ran), DONE; the load fails and P is unloaded
    /// again (not retired: there is nothing to rmmod, and it can be loaded again).
    func testCancelOnPrePatchFailure() throws {
        try run(Self.cancelWorld, [
            Expect("step coming m"),
            Expect("step init m"),
            Expect("step coming m2"),
            Expect("step init m2"),
            Expect("step load P fail pre_patch P m", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: vmlinux",
                "P: pre_patch_callback: m -> \(Self.live)",
                "livepatch: pre-patch callback failed for object 'm'",
                "livepatch: failed to enable patch 'P'",
                "livepatch: 'P': canceling patching transition, going to unpatch",
                "livepatch: 'P': completing unpatching transition",
                "P: post_unpatch_callback: vmlinux",
                "livepatch: 'P': unpatching complete",
                Self.enodev,
            ]),
            Expect("step unload P", [Self.skipped]),
            Expect("step switch task", [Self.skipped]),  // no transition left behind
            Expect("step load P", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: vmlinux",
                "P: pre_patch_callback: m -> \(Self.live)",
                "P: pre_patch_callback: m2 -> \(Self.live)",
                "livepatch: 'P': starting patching transition",
            ]),
        ])
    }

    /// As a command, the cancelled load makes insmod fail with the errno's text.
    func testCancelledInsmodFails() throws {
        try run("""
            tasks 1
            module m
            patch P
              object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
              object m: pre_patch(fails -ENODEV) post_unpatch
            """, replay: false, [
            Expect("insmod test_modules/m.ko"),
            Expect("insmod test_modules/P.ko", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: vmlinux",
                "P: pre_patch_callback: m -> \(Self.live)",
                "livepatch: pre-patch callback failed for object 'm'",
                "livepatch: failed to enable patch 'P'",
                "livepatch: 'P': canceling patching transition, going to unpatch",
                "livepatch: 'P': completing unpatching transition",
                "P: post_unpatch_callback: vmlinux",
                "livepatch: 'P': unpatching complete",
                "insmod: ERROR: could not insert module test_modules/P.ko: No such device",
            ]),
            Expect("rmmod P", ["rmmod: ERROR: Module P is not currently loaded"]),
        ])
    }

    // MARK: 1. Module COMING

    static let threePatches = """
        tasks 1
        module m
        patch A
          object m: pre_patch post_patch pre_unpatch post_unpatch
        patch B
          object m: pre_patch(may-fail -ENODEV) post_patch pre_unpatch post_unpatch
        patch C
          object m: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// Enables A, B and C in turn while m is not loaded (no callbacks).
    static let enableABC: [Expect] = ["A", "B", "C"].flatMap { p in
        [
            Expect("step load \(p)", [
                "livepatch: enabling patch '\(p)'",
                "livepatch: '\(p)': initializing patching transition",
                "livepatch: '\(p)': starting patching transition",
            ]),
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: '\(p)': completing patching transition",
                "livepatch: '\(p)': patching complete",
            ]),
        ]
    }

    /// B's pre_patch refuses m: REFUSE, then A (before B on the list) is rolled
    /// back as the GOING notifier does, its callbacks printing m's COMING
    /// state; C never sees m; m stays unloaded.
    func testComingRefusalRollsBackEarlierPatches() throws {
        try run(Self.threePatches, Self.enableABC + [
            Expect("step coming m fail pre_patch B m", [
                "livepatch: applying patch 'A' to loading module 'm'",
                "A: pre_patch_callback: m -> \(Self.coming)",
                "A: post_patch_callback: m -> \(Self.coming)",
                "livepatch: applying patch 'B' to loading module 'm'",
                "B: pre_patch_callback: m -> \(Self.coming)",
                "livepatch: pre-patch callback failed for object 'm'",
                "livepatch: patch 'B' failed for module 'm', refusing to load module 'm'",
                "A: pre_unpatch_callback: m -> \(Self.coming)",
                "livepatch: reverting patch 'A' on unloading module 'm'",
                "A: post_unpatch_callback: m -> \(Self.coming)",
                Self.enodev,
            ]),
            Expect("step init m", [Self.skipped]),  // m is UNLOADED again
            Expect("step coming m", [
                "livepatch: applying patch 'A' to loading module 'm'",
                "A: pre_patch_callback: m -> \(Self.coming)",
                "A: post_patch_callback: m -> \(Self.coming)",
                "livepatch: applying patch 'B' to loading module 'm'",
                "B: pre_patch_callback: m -> \(Self.coming)",
                "B: post_patch_callback: m -> \(Self.coming)",
                "livepatch: applying patch 'C' to loading module 'm'",
                "C: pre_patch_callback: m -> \(Self.coming)",
                "C: post_patch_callback: m -> \(Self.coming)",
            ]),
            Expect("step init m"),
        ])
    }

    /// The same refusal as the selftests cause it (callbacks-07): pre_patch_ret
    /// written through sysfs, and insmod of the module fails.
    func testComingRefusalAsCommands() throws {
        let load: (String) -> Expect = { p in
            Expect("insmod test_modules/\(p).ko", [
                "livepatch: enabling patch '\(p)'",
                "livepatch: '\(p)': initializing patching transition",
                "livepatch: '\(p)': starting patching transition",
                "livepatch: '\(p)': completing patching transition",
                "livepatch: '\(p)': patching complete",
            ])
        }
        try run(Self.threePatches, replay: false, [
            load("A"), load("B"), load("C"),
            Expect("echo -19 > /sys/module/B/parameters/pre_patch_ret"),
            Expect("insmod test_modules/m.ko", [
                "livepatch: applying patch 'A' to loading module 'm'",
                "A: pre_patch_callback: m -> \(Self.coming)",
                "A: post_patch_callback: m -> \(Self.coming)",
                "livepatch: applying patch 'B' to loading module 'm'",
                "B: pre_patch_callback: m -> \(Self.coming)",
                "livepatch: pre-patch callback failed for object 'm'",
                "livepatch: patch 'B' failed for module 'm', refusing to load module 'm'",
                "A: pre_unpatch_callback: m -> \(Self.coming)",
                "livepatch: reverting patch 'A' on unloading module 'm'",
                "A: post_unpatch_callback: m -> \(Self.coming)",
                "insmod: ERROR: could not insert module test_modules/m.ko: No such device",
            ]),
            Expect("rmmod m", ["rmmod: ERROR: Module m is not currently loaded"]),
        ])
    }

    /// A module loaded during the patching transition gets pre_patch but not
    /// post_patch (the completion runs it once every task switched).
    func testComingDuringTransitionDefersPostPatch() throws {
        try run(Self.onePatch, [
            Expect("step load P", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: vmlinux",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("step coming m", [
                "livepatch: applying patch 'P' to loading module 'm'",
                "P: pre_patch_callback: m -> \(Self.coming)",
            ]),
            Expect("step switch task"),
            Expect("step complete", [  // between the COMING notifier and module_init
                "livepatch: 'P': completing patching transition",
                "P: post_patch_callback: vmlinux",
                "P: post_patch_callback: m -> \(Self.coming)",
                "livepatch: 'P': patching complete",
            ]),
            Expect("step init m"),
        ])
    }

    // MARK: 4. Module GOING

    static let moduleOnly = """
        tasks 1
        module m
        patch P
          object m: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// Unloading m while P is the transition patch skips pre_unpatch (its
    /// post_patch has not run); once P is enabled, GOING runs all three.
    func testGoingSkipsPreUnpatchForTheTransitionPatch() throws {
        try run(Self.moduleOnly, [
            Expect("step coming m"),
            Expect("step init m"),
            Expect("step load P", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: m -> \(Self.live)",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("step exit m"),
            Expect("step going m", [
                "livepatch: reverting patch 'P' on unloading module 'm'",
                "P: post_unpatch_callback: m -> \(Self.going)",
            ]),
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: 'P': completing patching transition",
                "livepatch: 'P': patching complete",
            ]),
            Expect("step coming m", [
                "livepatch: applying patch 'P' to loading module 'm'",
                "P: pre_patch_callback: m -> \(Self.coming)",
                "P: post_patch_callback: m -> \(Self.coming)",
            ]),
            Expect("step init m"),
            Expect("step exit m"),
            Expect("step going m", [
                "P: pre_unpatch_callback: m -> \(Self.going)",
                "livepatch: reverting patch 'P' on unloading module 'm'",
                "P: post_unpatch_callback: m -> \(Self.going)",
            ]),
        ])
    }

    // MARK: 9. Atomic replace

    static let replaceWorld = """
        tasks 1
        module m
        patch old
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
          object m: pre_patch post_patch pre_unpatch post_unpatch
        patch new replace
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// The replacing completion runs only the new patch's callbacks; the old
    /// patch retires silently with its brackets open (the finding
    /// replaced-abandons-brackets, not a violation), can be removed with rmmod
    /// without being disabled, and never runs a callback again.
    func testAtomicReplaceRetiresOlderPatchesSilently() throws {
        let outcome = try run(Self.replaceWorld, [
            Expect("step coming m"),
            Expect("step init m"),
            Expect("step load old", [
                "livepatch: enabling patch 'old'",
                "livepatch: 'old': initializing patching transition",
                "old: pre_patch_callback: vmlinux",
                "old: pre_patch_callback: m -> \(Self.live)",
                "livepatch: 'old': starting patching transition",
            ]),
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: 'old': completing patching transition",
                "old: post_patch_callback: vmlinux",
                "old: post_patch_callback: m -> \(Self.live)",
                "livepatch: 'old': patching complete",
            ]),
            Expect("step load new", [
                "livepatch: enabling patch 'new'",
                "livepatch: 'new': initializing patching transition",
                "new: pre_patch_callback: vmlinux",
                "livepatch: 'new': starting patching transition",
            ]),
            Expect("step switch task"),
            Expect("step complete", [  // line 9 of the scenario
                "livepatch: 'new': completing patching transition",
                "new: post_patch_callback: vmlinux",
                "livepatch: 'new': patching complete",
            ]),
            Expect("step disable old", [Self.skipped]),  // retired: no sysfs directory
            Expect("step unload new", [Self.ebusy]),  // listed: in use
            Expect("step unload old"),  // retired: can go
            Expect("step exit m"),
            Expect("step going m"),  // nobody patches m any more: no callback, no "reverting"
            Expect("step disable new", [
                "livepatch: 'new': initializing unpatching transition",
                "new: pre_unpatch_callback: vmlinux",
                "livepatch: 'new': starting unpatching transition",
            ]),
        ])
        XCTAssertEqual(outcome.findings.map(\.property), [.replacedAbandonsBrackets])
        XCTAssertEqual(outcome.findings.first?.location.line, 9, "the finding belongs to the replacing completion")
    }

    // MARK: Patching failure (doc versus code)

    static let mayFailWorld = """
        tasks 1
        module m
        patch P
          object m: pre_patch post_patch pre_unpatch post_unpatch patching(may-fail)
        """

    /// Patching fails while m loads: MODFAIL, then post_unpatch (its pre_patch
    /// succeeded: the flag is set), then REFUSE; the finding
    /// post-unpatch-after-patch-failure, which callbacks.rst denies.
    func testPatchingFailureAtModuleLoadRunsPostUnpatch() throws {
        let outcome = try run(Self.mayFailWorld, [
            Expect("step load P", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("step coming m fail patching P m", [  // line 3
                "livepatch: applying patch 'P' to loading module 'm'",
                "P: pre_patch_callback: m -> \(Self.coming)",
                "livepatch: failed to apply patch 'P' to module 'm' (-16)",
                "P: post_unpatch_callback: m -> \(Self.coming)",
                "livepatch: patch 'P' failed for module 'm', refusing to load module 'm'",
                Self.ebusy,
            ]),
            Expect("step init m", [Self.skipped]),
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: 'P': completing patching transition",
                "livepatch: 'P': patching complete",
            ]),
        ])
        XCTAssertEqual(outcome.findings.map(\.property), [.postUnpatchAfterPatchFailure])
        XCTAssertEqual(outcome.findings.first?.location.line, 3)
    }

    /// Patching fails at enable: PATCHFAIL cancels, and the cancel's completion
    /// runs post_unpatch for the object: the same finding.
    func testPatchingFailureAtEnableCancelsAndRunsPostUnpatch() throws {
        let outcome = try run(Self.mayFailWorld, [
            Expect("step coming m"),
            Expect("step init m"),
            Expect("step load P fail patching P m", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: m -> \(Self.live)",
                "livepatch: failed to patch object 'm'",
                "livepatch: failed to enable patch 'P'",
                "livepatch: 'P': canceling patching transition, going to unpatch",
                "livepatch: 'P': completing unpatching transition",
                "P: post_unpatch_callback: m -> \(Self.live)",
                "livepatch: 'P': unpatching complete",
                Self.ebusy,
            ]),
        ])
        XCTAssertEqual(outcome.findings.map(\.property), [.postUnpatchAfterPatchFailure])
    }

    // MARK: 10. Busy worker

    static let busyWorld = """
        tasks 1
        module b busy
        patch P
          object b: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// The worker sleeps in the original work function that P replaces: it
    /// cannot switch, so the transition cannot complete, until b's exit wakes it.
    func testBusyWorkerBlocksUntilItsModuleExits() throws {
        try run(Self.busyWorld, [
            Expect("step coming b"),
            Expect("step init b"),
            Expect("step load P", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: b -> \(Self.live)",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("step switch task"),
            Expect("step switch worker b", [Self.skipped]),  // blocked
            Expect("step complete", [Self.skipped]),
            Expect("step exit b"),  // wakes the worker
            Expect("step switch worker b"),
            Expect("step complete", [  // b is GOING but still loaded
                "livepatch: 'P': completing patching transition",
                "P: post_patch_callback: b -> \(Self.going)",
                "livepatch: 'P': patching complete",
            ]),
            Expect("step going b", [
                "P: pre_unpatch_callback: b -> \(Self.going)",
                "livepatch: reverting patch 'P' on unloading module 'b'",
                "P: post_unpatch_callback: b -> \(Self.going)",
            ]),
        ])
    }

    /// As commands: insmod of P stalls (no completion), rmmod of b unloads it
    /// (no pre_unpatch: P is in transition) and then the transition completes.
    /// No property breaks: the stalled state can still progress.
    func testBusyWorkerStallsUntilRmmodAsCommands() throws {
        try run(Self.busyWorld, replay: false, [
            Expect("insmod test_modules/b.ko"),
            Expect("insmod test_modules/P.ko", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: b -> \(Self.live)",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("rmmod P", ["rmmod: ERROR: Module P is in use"]),
            Expect("rmmod b", [
                "livepatch: reverting patch 'P' on unloading module 'b'",
                "P: post_unpatch_callback: b -> \(Self.going)",
                "livepatch: 'P': completing patching transition",
                "livepatch: 'P': patching complete",
            ]),
        ])
    }

    /// A nop (dynamic object) stands for the original function: a worker that
    /// inits while running new's nop sleeps in the original, and when new's
    /// transition is reversed to UNPATCHED it cannot switch back (the nop's
    /// new function is the original) until its module exits.
    func testNopBlocksASleepingWorkerWhenUnpatching() throws {
        try run("""
            tasks 1
            module b busy
            patch old
              object b: pre_patch post_patch pre_unpatch post_unpatch
            patch new replace
              object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
            """, [
            Expect("step load old", [
                "livepatch: enabling patch 'old'",
                "livepatch: 'old': initializing patching transition",
                "livepatch: 'old': starting patching transition",
            ]),
            Expect("step switch task"),
            Expect("step switch worker b"),
            Expect("step complete", [
                "livepatch: 'old': completing patching transition",
                "livepatch: 'old': patching complete",
            ]),
            Expect("step load new", [
                "livepatch: enabling patch 'new'",
                "livepatch: 'new': initializing patching transition",
                "new: pre_patch_callback: vmlinux",
                "livepatch: 'new': starting patching transition",
            ]),
            Expect("step switch task"),
            Expect("step switch worker b"),  // not sleeping: b is not loaded
            Expect("step coming b", [
                "livepatch: applying patch 'old' to loading module 'b'",
                "old: pre_patch_callback: b -> \(Self.coming)",
                "old: post_patch_callback: b -> \(Self.coming)",
                "livepatch: applying patch 'new' to loading module 'b'",  // the nop: no callbacks
            ]),
            Expect("step init b"),  // the worker (PATCHED) runs new's nop: the original; it sleeps there
            Expect("step disable new", [
                "livepatch: 'new': reversing transition from patching to unpatching",
                "livepatch: 'new': starting unpatching transition",
            ]),
            Expect("step switch task"),
            Expect("step switch worker b", [Self.skipped]),  // blocked by the nop
            Expect("step complete", [Self.skipped]),
            Expect("step exit b"),
            Expect("step switch worker b"),
            Expect("step complete", [
                "livepatch: 'new': completing unpatching transition",
                "new: post_unpatch_callback: vmlinux",
                "livepatch: 'new': unpatching complete",
            ]),
            Expect("step going b", [  // old is still enabled; new is gone with its nop
                "old: pre_unpatch_callback: b -> \(Self.going)",
                "livepatch: reverting patch 'old' on unloading module 'b'",
                "old: post_unpatch_callback: b -> \(Self.going)",
            ]),
        ])
    }

    /// Forcing (event 12): FORCE, every task and the blocked worker switch,
    /// and completion follows. Forcing an unpatching transition marks the
    /// patch forced: once retired it can never be removed.
    func testForceCompletesAStalledTransitionAndPinsAForcedPatch() throws {
        try run("""
            tasks 1
            force on
            module b busy
            patch P
              object b: pre_patch post_patch pre_unpatch post_unpatch
            """, replay: false, [
            Expect("insmod test_modules/b.ko"),
            Expect("insmod test_modules/P.ko", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: b -> \(Self.live)",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("echo 1 > /sys/kernel/livepatch/P/force", [
                "livepatch: forcing remaining tasks to the patched state",
                "livepatch: 'P': completing patching transition",
                "P: post_patch_callback: b -> \(Self.live)",
                "livepatch: 'P': patching complete",
            ]),
            Expect("echo 1 > /sys/kernel/livepatch/P/force", ["bash: echo: write error: Invalid argument"]),
            Expect("echo 0 > /sys/kernel/livepatch/P/enabled", [
                "livepatch: 'P': initializing unpatching transition",
                "P: pre_unpatch_callback: b -> \(Self.live)",
                "livepatch: 'P': starting unpatching transition",
                "livepatch: 'P': completing unpatching transition",
                "P: post_unpatch_callback: b -> \(Self.live)",
                "livepatch: 'P': unpatching complete",
            ]),
            Expect("rmmod P"),  // forced only while patching: removable
        ])
        try run("""
            tasks 1
            force on
            patch P
              object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
            """, Self.patchP + [
            Expect("step disable P", [
                "livepatch: 'P': initializing unpatching transition",
                "P: pre_unpatch_callback: vmlinux",
                "livepatch: 'P': starting unpatching transition",
            ]),
            Expect("step force P", ["livepatch: forcing remaining tasks to the patched state"]),
            Expect("step complete", [
                "livepatch: 'P': completing unpatching transition",
                "P: post_unpatch_callback: vmlinux",
                "livepatch: 'P': unpatching complete",
            ]),
            Expect("step unload P", [Self.ebusy]),  // retired but forced: in use forever
            Expect("step load P", [Self.skipped]),
        ])
    }

    // MARK: 5. klp_state compatibility and -EBUSY

    static let stateWorld = """
        tasks 1
        patch S1 replace
          state 1 version 1
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        patch S2 replace
          state 1 version 2
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        patch S3 replace
          state 1 version 3
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        patch R replace
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        patch N
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// A lower version of an installed state, or a replace patch lacking it, is
    /// refused with INCOMPAT and -EINVAL before anything else; a non-replace
    /// patch lacking it is compatible; a compatible patch during another
    /// transition gets -EBUSY and nothing is logged, as does disabling another patch.
    func testIncompatibleStatesAreRefused() throws {
        try run(Self.stateWorld, [
            Expect("step load S2", [
                "livepatch: enabling patch 'S2'",
                "livepatch: 'S2': initializing patching transition",
                "S2: pre_patch_callback: vmlinux",
                "livepatch: 'S2': starting patching transition",
            ]),
            Expect("step switch task"),
            Expect("step complete", [
                "livepatch: 'S2': completing patching transition",
                "S2: post_patch_callback: vmlinux",
                "livepatch: 'S2': patching complete",
            ]),
            Expect("step load S1", [
                "livepatch: Livepatch patch (S1) is not compatible with the already installed livepatches.",
                Self.einval,
            ]),
            Expect("step load R", [
                "livepatch: Livepatch patch (R) is not compatible with the already installed livepatches.",
                Self.einval,
            ]),
            Expect("step load N", [
                "livepatch: enabling patch 'N'",
                "livepatch: 'N': initializing patching transition",
                "N: pre_patch_callback: vmlinux",
                "livepatch: 'N': starting patching transition",
            ]),
            Expect("step load S3", [Self.ebusy]),  // compatible, but N's transition runs
            Expect("step disable S2", [Self.ebusy]),  // enabled, but N's transition runs
            Expect("step load S1", [  // the state check comes first
                "livepatch: Livepatch patch (S1) is not compatible with the already installed livepatches.",
                Self.einval,
            ]),
        ])
    }

    /// As a command (state-04): insmod reports -EINVAL as "Invalid parameters".
    func testIncompatibleInsmodFails() throws {
        try run(Self.stateWorld, replay: false, [
            Expect("insmod test_modules/S2.ko", [
                "livepatch: enabling patch 'S2'",
                "livepatch: 'S2': initializing patching transition",
                "S2: pre_patch_callback: vmlinux",
                "livepatch: 'S2': starting patching transition",
                "livepatch: 'S2': completing patching transition",
                "S2: post_patch_callback: vmlinux",
                "livepatch: 'S2': patching complete",
            ]),
            Expect("insmod test_modules/S1.ko", [
                "livepatch: Livepatch patch (S1) is not compatible with the already installed livepatches.",
                "insmod: ERROR: could not insert module test_modules/S1.ko: Invalid parameters",
            ]),
        ])
    }

    // MARK: 11. rmmod of a patch

    /// rmmod of a listed patch fails "in use"; once disabled (retired) it
    /// succeeds; a replaced (retired) patch goes without being disabled.
    func testRmmodOfListedAndRetiredPatches() throws {
        try run(Self.replaceWorld, replay: false, [
            Expect("insmod test_modules/old.ko", [
                "livepatch: enabling patch 'old'",
                "livepatch: 'old': initializing patching transition",
                "old: pre_patch_callback: vmlinux",
                "livepatch: 'old': starting patching transition",
                "livepatch: 'old': completing patching transition",
                "old: post_patch_callback: vmlinux",
                "livepatch: 'old': patching complete",
            ]),
            Expect("rmmod old", ["rmmod: ERROR: Module old is in use"]),
            Expect("insmod test_modules/new.ko", [
                "livepatch: enabling patch 'new'",
                "livepatch: 'new': initializing patching transition",
                "new: pre_patch_callback: vmlinux",
                "livepatch: 'new': starting patching transition",
                "livepatch: 'new': completing patching transition",
                "new: post_patch_callback: vmlinux",
                "livepatch: 'new': patching complete",
            ]),
            Expect("echo 0 > /sys/kernel/livepatch/old/enabled", [
                "bash: /sys/kernel/livepatch/old/enabled: No such file or directory"
            ]),
            Expect("rmmod old"),
            Expect("rmmod new", ["rmmod: ERROR: Module new is in use"]),
            Expect("echo 0 > /sys/kernel/livepatch/new/enabled", [
                "livepatch: 'new': initializing unpatching transition",
                "new: pre_unpatch_callback: vmlinux",
                "livepatch: 'new': starting unpatching transition",
                "livepatch: 'new': completing unpatching transition",
                "new: post_unpatch_callback: vmlinux",
                "livepatch: 'new': unpatching complete",
            ]),
            Expect("rmmod new"),
            Expect("rmmod new", ["rmmod: ERROR: Module new is not currently loaded"]),
        ])
    }

    /// As one step: unloading a listed patch is refused with -EBUSY.
    func testUnloadStepOfAListedPatchIsRefused() throws {
        try run(Self.onePatch, [
            Expect("step load P", [
                "livepatch: enabling patch 'P'",
                "livepatch: 'P': initializing patching transition",
                "P: pre_patch_callback: vmlinux",
                "livepatch: 'P': starting patching transition",
            ]),
            Expect("step unload P", [Self.ebusy]),
        ])
    }
}
