import Foundation
import KLPEngine
import XCTest

@testable import Livepatch

/// What a contract search found.
struct ContractOutcome {
    /// Violated properties (findings left out).
    var violated: Set<String>
    /// Per violated property, its shortest trace as scenario step lines.
    var traces: [String: [String]]
    /// Per violated property, why (the replayed last step's reason).
    var reasons: [String: String]
    var states: UInt64
    var transitions: UInt64
}

extension XCTestCase {
    /// Explores a one-word contract world with every property checked.
    func contractSearch(_ text: String, symmetry: Bool, file: StaticString = #filePath, line: UInt = #line) throws -> ContractOutcome {
        let world = try ModelParser.parse(text, file: "tiny.klp")
        let compiled = CompiledWorld(world, symmetry: symmetry)
        XCTAssertEqual(compiled.wordCount, 1, "a tiny world fits one word", file: file, line: line)
        let report = try LivepatchModel<UInt64>(world: compiled).explore(options: SearchOptions(threads: 1))
        XCTAssertTrue(report.statistics.complete, file: file, line: line)
        var outcome = ContractOutcome(violated: [], traces: [:], reasons: [:], states: report.statistics.states,
            transitions: report.statistics.transitions)
        for (index, status) in report.statuses.enumerated() where status.isViolated {
            let property = LivepatchProperty.allCases[index]
            guard !property.isFinding else { continue }
            outcome.violated.insert(property.rawValue)
            guard let trace = status.trace else { continue }
            var before = trace.initial
            var lines: [String] = []
            for step in trace.steps {
                let record = try XCTUnwrap(compiled.replay(action: step.action, from: before))
                lines.append(record.event.stepLine(in: compiled, failed: record.failed))
                if step == trace.steps.last { outcome.reasons[property.rawValue] = record.reasons[property] }
                before = step.state
            }
            outcome.traces[property.rawValue] = lines
        }
        return outcome
    }

    /// Searches with symmetry on and off, asserts the same verdicts, returns the symmetric outcome.
    func contractCheck(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> ContractOutcome {
        let on = try contractSearch(text, symmetry: true, file: file, line: line)
        let off = try contractSearch(text, symmetry: false, file: file, line: line)
        XCTAssertEqual(on.violated, off.violated, "symmetry on and off disagree", file: file, line: line)
        for (property, trace) in on.traces {
            XCTAssertEqual(trace.count, off.traces[property]?.count, "\(property): shortest traces differ in length", file: file, line: line)
        }
        return on
    }
}

/// Section 8 (author contracts) on tiny worlds: each property's verdict and
/// shortest trace derived by hand, the corrected world passing, symmetry on
/// and off agreeing, and the canonical numbering of allocations.
final class ContractSemanticsTests: XCTestCase {
    static let callbacks = "pre_patch post_patch pre_unpatch post_unpatch"

    // MARK: data-ready

    /// Allocated in post_patch, used by the new code: after `load`, the only
    /// task is UNPATCHED and runs the original; its switch makes it run P's
    /// code with P's pointer still NULL (post_patch only runs at completion).
    /// It also leaks: a disable reversed before it completes runs no
    /// callback, and its completion runs post_patch again, whose `alloc`
    /// overwrites the only pointer to the first allocation.
    func testDataAllocatedInPostPatchIsNotReadyForTheNewCode() throws {
        let outcome = try contractCheck(
            """
            tasks 1
            data table
            patch P
              object vmlinux: \(Self.callbacks)
                on post_patch: alloc table
                on post_unpatch: free table
                code uses table
            """)
        XCTAssertEqual(outcome.violated, ["data-ready", "data-no-leak"])
        XCTAssertEqual(outcome.traces["data-ready"], ["step load P", "step switch task"])
        XCTAssertEqual(
            outcome.traces["data-no-leak"],
            ["step load P", "step switch task", "step complete", "step disable P", "step enable P", "step complete"])
        XCTAssertEqual(
            outcome.reasons["data-ready"],
            "a task in PATCHED runs the new code of 'P' for 'vmlinux', which uses table through P's pointer, which is NULL")
    }

    /// Freed in pre_unpatch: the disable sets every task PATCHED, so right
    /// after it a task runs P's code through a freed allocation. Reversing
    /// that disable and disabling again frees it twice; and a load reversed
    /// at once never frees (no post_unpatch frees): a leak.
    func testDataFreedInPreUnpatchWhileTasksRunTheNewCode() throws {
        let outcome = try contractCheck(
            """
            tasks 1
            data table
            patch P
              object vmlinux: \(Self.callbacks)
                on pre_patch: alloc table
                on pre_unpatch: free table
                code uses table
            """)
        XCTAssertEqual(outcome.violated, ["data-ready", "data-freed-once", "data-no-leak"])
        XCTAssertEqual(outcome.traces["data-ready"], ["step load P", "step switch task", "step complete", "step disable P"])
        XCTAssertEqual(
            outcome.traces["data-freed-once"],
            [
                "step load P", "step switch task", "step complete", "step disable P", "step enable P", "step complete",
                "step disable P",
            ])
        XCTAssertEqual(outcome.traces["data-no-leak"], ["step load P", "step disable P", "step complete"])
        XCTAssertEqual(
            outcome.reasons["data-ready"],
            "a task in PATCHED runs the new code of 'P' for 'vmlinux', which uses table through P's pointer, which points to freed allocation #1")
    }

    /// The corrected table: allocated in pre_patch, freed in post_unpatch.
    func testDataAllocatedInPrePatchAndFreedInPostUnpatchPasses() throws {
        let outcome = try contractCheck(
            """
            tasks 2
            data table
            patch P
              object vmlinux: \(Self.callbacks)
                on pre_patch: alloc table
                on post_unpatch: free table
                code uses table
            """)
        XCTAssertEqual(outcome.violated, [])
    }

    /// Static storage lives while its patch module is inserted: B adopts
    /// A's static buffer; once A is replaced (retired, still inserted) the
    /// buffer lives on, and `rmmod A` leaves B's pointer dangling while every
    /// task runs B's code.
    func testAdoptedStaticStorageDanglesAfterItsModuleIsRemoved() throws {
        let outcome = try contractCheck(
            """
            tasks 1
            data buf static
            patch A
              state 1 version 1 carries buf
              object vmlinux: \(Self.callbacks)
            patch B replace
              state 1 version 1 carries buf
              object vmlinux: \(Self.callbacks)
                on post_patch: if-prev 1 adopt buf
                code uses buf
            """)
        XCTAssertEqual(outcome.violated, ["data-ready"])
        XCTAssertEqual(
            outcome.traces["data-ready"],
            ["step load A", "step switch task", "step complete", "step load B", "step switch task", "step complete", "step unload A"])
        XCTAssertEqual(
            outcome.reasons["data-ready"],
            "a task runs the new code of 'B' for 'vmlinux', which uses buf through B's pointer, which points to the static storage of a removed patch module")
    }

    // MARK: data-freed-once

    /// A takes the allocation; B adopts it in pre_patch and frees it in
    /// post_unpatch. Reversing B's transition runs B's post_unpatch (B's
    /// pre_patch succeeded), which frees the allocation A still holds;
    /// disabling A frees it a second time.
    static let adoptAndFreeOnReversal = """
        tasks 1
        data table
        patch A
          state 1 version 1 carries table
          object vmlinux: \(callbacks)
            on pre_patch: alloc table
            on post_unpatch: free table
        patch B replace
          state 1 version 1 carries table
          object vmlinux: \(callbacks)
            on pre_patch: adopt table
            on post_unpatch: free table
        """

    func testAdoptedDataFreedTwiceAfterAReversal() throws {
        let outcome = try contractCheck(Self.adoptAndFreeOnReversal)
        XCTAssertEqual(outcome.violated, ["data-freed-once"])
        XCTAssertEqual(
            outcome.traces["data-freed-once"],
            [
                "step load A", "step switch task", "step complete", "step load B", "step disable B", "step complete",
                "step disable A", "step switch task", "step complete",
            ])
        XCTAssertEqual(
            outcome.reasons["data-freed-once"],
            "post_unpatch of 'A' on 'vmlinux' frees table through A's pointer, allocation #1, which is already freed")
        // Corrected: B frees only when no previous patch takes the data back.
        let fixed = Self.adoptAndFreeOnReversal.replacingOccurrences(
            of: "    on pre_patch: adopt table\n    on post_unpatch: free table",
            with: "    on pre_patch: adopt table\n    on post_unpatch: unless-prev 1 free table")
        XCTAssertEqual(try contractCheck(fixed).violated, [])
    }

    // MARK: data-no-leak

    /// A replacement with no state to carry A's allocation: completing B
    /// retires A, the only patch whose pointer reaches it.
    func testReplacementWithoutAStateLeaks() throws {
        let outcome = try contractCheck(
            """
            tasks 1
            data table
            patch A
              object vmlinux: \(Self.callbacks)
                on pre_patch: alloc table
                on post_unpatch: free table
            patch B replace
              object vmlinux: \(Self.callbacks)
            """)
        XCTAssertEqual(outcome.violated, ["data-no-leak"])
        XCTAssertEqual(
            outcome.traces["data-no-leak"],
            ["step load A", "step switch task", "step complete", "step load B", "step switch task", "step complete"])
        XCTAssertEqual(
            outcome.reasons["data-no-leak"],
            "allocation #1 of table is live, but no listed patch's pointer reaches it (leaked)")
    }

    /// `alloc` over the only pointer to a live allocation leaks it at once.
    func testAllocOverTheOnlyPointerLeaks() throws {
        let outcome = try contractCheck(
            """
            tasks 1
            data table
            patch P
              object vmlinux: \(Self.callbacks)
                on pre_patch: alloc table
                on post_patch: alloc table
                on post_unpatch: free table
            """)
        XCTAssertEqual(outcome.violated, ["data-no-leak"])
        XCTAssertEqual(outcome.traces["data-no-leak"], ["step load P", "step switch task", "step complete"])
    }

    // MARK: setting-compatible

    static let challengeAck = """
        tasks 1
        setting challenge old new
        patch P
          object vmlinux: \(callbacks)
            on pre_patch: set challenge=new
            on post_unpatch: set challenge=old
            code needs challenge=old|new
            original needs challenge=old
        """

    /// Set in pre_patch: right after the load the UNPATCHED task runs the
    /// original code, which must never see the new value.
    func testSettingChangedInPrePatchIsSeenByTheOriginalCode() throws {
        let outcome = try contractCheck(Self.challengeAck)
        XCTAssertEqual(outcome.violated, ["setting-compatible"])
        XCTAssertEqual(outcome.traces["setting-compatible"], ["step load P"])
        XCTAssertEqual(
            outcome.reasons["setting-compatible"],
            "a task in UNPATCHED runs the original code of 'vmlinux' with challenge=new; it needs challenge=old")
        // Done right: post_patch sets, pre_unpatch restores.
        let right = Self.challengeAck.replacingOccurrences(of: "on pre_patch: set", with: "on post_patch: set")
            .replacingOccurrences(of: "on post_unpatch: set", with: "on pre_unpatch: set")
        XCTAssertEqual(try contractCheck(right).violated, [])
    }

    // MARK: setting-restored

    /// Changed in post_patch and never restored: once P is disabled and
    /// gone, the setting is not at its boot value.
    func testSettingNotRestored() throws {
        let outcome = try contractCheck(
            """
            tasks 1
            setting level quiet loud
            patch P
              object vmlinux: \(Self.callbacks)
                on post_patch: set level=loud
            """)
        XCTAssertEqual(outcome.violated, ["setting-restored"])
        XCTAssertEqual(
            outcome.traces["setting-restored"],
            ["step load P", "step switch task", "step complete", "step disable P", "step switch task", "step complete"])
        XCTAssertEqual(
            outcome.reasons["setting-restored"],
            "no patch is listed and no transition runs, but level is loud, not its boot value quiet")
    }

    /// `restore` from live data that holds no saved value.
    func testRestoreWithoutASavedValue() throws {
        let outcome = try contractCheck(
            """
            tasks 1
            data saved
            setting level quiet loud
            patch P
              object vmlinux: \(Self.callbacks)
                on pre_patch: alloc saved
                on pre_unpatch: restore level from saved
                on post_unpatch: free saved
            """)
        XCTAssertEqual(outcome.violated, ["setting-restored"])
        XCTAssertEqual(outcome.traces["setting-restored"], ["step load P", "step switch task", "step complete", "step disable P"])
        XCTAssertEqual(
            outcome.reasons["setting-restored"],
            "pre_unpatch of 'P' on 'vmlinux' restores level from saved (allocation #1), which holds no saved value")
    }

    /// A module-owned setting goes back to its boot value whenever the module
    /// loads: a fix-up made in post_patch is lost when the module reloads,
    /// and the patched probe function must handle new devices itself.
    func testModuleOwnedSettingResetsAtComing() throws {
        let world = """
            tasks 1
            module drv
            setting quirk in drv off on
            patch P
              object drv: \(Self.callbacks)
                on post_patch: set quirk=on
                on pre_unpatch: set quirk=off
                code needs quirk=on
                original needs quirk=off
            """
        // post_patch runs in the COMING notifier only when P is not the
        // transition patch. drv coming while P is in transition: quirk is
        // off (its boot value), no post_patch runs, and the task that
        // switches runs P's code for drv with quirk=off. (drv coming first
        // and P loading second fails as fast: the switch comes before the
        // completion's post_patch.)
        let outcome = try contractCheck(world)
        XCTAssertEqual(outcome.violated, ["setting-compatible"])
        XCTAssertEqual(outcome.traces["setting-compatible"]?.count, 3)
        XCTAssertEqual(
            outcome.reasons["setting-compatible"],
            "a task in PATCHED runs the new code of 'P' for 'drv' with quirk=off; it needs quirk=on")
    }

    // MARK: Encoding

    /// Two patches that each allocate in pre_patch and free in post_unpatch:
    /// the data follows the core's state exactly (a pointer is live while
    /// its pre_patch bracket is open), so with allocations numbered
    /// canonically the world has exactly the states of the same world
    /// without data, whichever patch allocated first.
    func testCanonicalNumberingAddsNoStates() throws {
        let core = """
            tasks 1
            patch A
              object vmlinux: \(Self.callbacks)
            patch B
              object vmlinux: \(Self.callbacks)
            """
        let withData = """
            tasks 1
            data table
            patch A
              object vmlinux: \(Self.callbacks)
                on pre_patch: alloc table
                on post_unpatch: free table
            patch B
              object vmlinux: \(Self.callbacks)
                on pre_patch: alloc table
                on post_unpatch: free table
            """
        let plain = try contractSearch(core, symmetry: false)
        let data = try contractSearch(withData, symmetry: false)
        XCTAssertEqual(data.violated, [])
        XCTAssertEqual(data.states, plain.states)
    }

    /// The challenge-ACK sysctl done right, with one task: the core states
    /// are those of StateSpaceTests' world 1 (S0..S6: 7 states, 11
    /// transitions), and the sysctl is a function of them: 1000 exactly in
    /// S6 (post_patch ran; the disable from S6 runs pre_unpatch, which sets
    /// 100 and lands in S5 as the reversal from S3 does). No state is added.
    func testADeterminedSettingAddsNoStates() throws {
        let outcome = try contractSearch(
            """
            tasks 1
            setting limit 100 1000
            patch P
              object vmlinux: \(Self.callbacks)
                on post_patch: set limit=1000
                on pre_unpatch: set limit=100
                code needs limit=100|1000
                original needs limit=100
            """, symmetry: false)
        XCTAssertEqual(outcome.violated, [])
        XCTAssertEqual(outcome.states, 7)
        XCTAssertEqual(outcome.transitions, 11)
    }

    /// A world without data or settings takes no contract bits.
    func testWorldsWithoutContractsTakeNoBits() throws {
        let plain = CompiledWorld(try ModelParser.parse("patch P\n  object vmlinux: pre_patch\n", file: "t.klp"), symmetry: true)
        XCTAssertFalse(plain.contracts.enabled)
        let withSetting = CompiledWorld(
            try ModelParser.parse("setting s a b c\npatch P\n  object vmlinux: pre_patch\n", file: "t.klp"), symmetry: true)
        XCTAssertTrue(withSetting.contracts.enabled)
        XCTAssertEqual(withSetting.bitCount, plain.bitCount + 2)
    }
}

/// The shipped contract models: each mistake fails with its property and
/// the shortest trace its comment derives, and passes once corrected.
final class ContractModelTests: XCTestCase {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/samples")

    func text(_ name: String) throws -> String {
        try String(contentsOf: Self.samples.appendingPathComponent(name + ".klp"), encoding: .utf8)
    }

    func replacing(_ text: String, _ pairs: [(String, String)], file: StaticString = #filePath, line: UInt = #line) -> String {
        var result = text
        for (old, new) in pairs {
            XCTAssertTrue(result.contains(old), "'\(old)' not in the model", file: file, line: line)
            result = result.replacingOccurrences(of: old, with: new)
        }
        return result
    }

    func testMistakesFailWithTheirPropertyAndShortestTrace() throws {
                let expected: [(String, String, Int)] = [
            ("mistake-cumulative-uname-restore", "setting-restored", 9),
            ("mistake-adopt-then-free-on-reversal", "data-freed-once", 9),
            ("mistake-alloc-in-post-patch", "data-ready", 2),
            ("mistake-free-in-pre-unpatch", "data-ready", 5),
            ("mistake-replace-without-state", "data-no-leak", 6),
            ("mistake-module-object-allocates-for-vmlinux", "data-ready", 2),
            ("tcp-challenge-ack-wrong", "setting-compatible", 1),
        ]
        for (name, property, steps) in expected {
            let outcome = try contractCheck(try text(name))
            XCTAssertTrue(outcome.violated.contains(property), "\(name): \(outcome.violated)")
            XCTAssertEqual(outcome.traces[property]?.count, steps, "\(name): \(outcome.traces[property] ?? [])")
        }
        for name in ["tcp-challenge-ack-right", "probe-fixup-module-setting"] {
            XCTAssertEqual(try contractCheck(try text(name)).violated, [], name)
        }
    }

    func testCorrectedMistakesPass() throws {
                let corrected = [
            replacing(try text("mistake-adopt-then-free-on-reversal"), [
                ("    on pre_patch: adopt table\n    on post_unpatch: free table", "    on pre_patch: adopt table\n    on post_unpatch: unless-prev 1 free table")
            ]),
            replacing(try text("mistake-alloc-in-post-patch"), [
                ("object vmlinux: post_patch post_unpatch", "object vmlinux: pre_patch post_unpatch"),
                ("on post_patch: alloc table", "on pre_patch: alloc table"),
            ]),
            replacing(try text("mistake-free-in-pre-unpatch"), [
                ("object vmlinux: pre_patch pre_unpatch", "object vmlinux: pre_patch post_unpatch"),
                ("on pre_unpatch: free table", "on post_unpatch: free table"),
            ]),
            replacing(try text("mistake-replace-without-state"), [
                ("patch fix1\n  object", "patch fix1\n  state 1 version 1 carries table\n  object"),
                ("patch fix2 replace\n  object vmlinux: pre_patch post_unpatch\n",
                 "patch fix2 replace\n  state 1 version 1 carries table\n  object vmlinux: pre_patch post_unpatch\n    on pre_patch: if-prev 1 adopt table, unless-prev 1 alloc table\n    on post_unpatch: unless-prev 1 free table\n"),
            ]),
            replacing(try text("mistake-module-object-allocates-for-vmlinux"), [
                ("  object vmlinux: pre_patch post_unpatch\n    code uses table\n",
                 "  object vmlinux: pre_patch post_unpatch\n    on pre_patch: alloc table\n    on post_unpatch: free table\n    code uses table\n"),
                ("    on pre_patch: alloc table\n    on post_unpatch: free table\n    code uses table\n\ncheck", "    code uses table\n\ncheck"),
            ]),
            // uname done right: the original travels in klp_state 1; v2 adopts
            // it, and hands the release back to v1 when its own load is reversed.
            """
            tasks 1
            data saved
            setting uts_release original v1 v2
            patch livepatch_v1 replace
              state 1 version 1 carries saved
              object vmlinux: pre_patch post_unpatch
                on pre_patch: alloc saved, save uts_release in saved, set uts_release=v1
                on post_unpatch: restore uts_release from saved, free saved
            patch livepatch_v2 replace
              state 1 version 2 carries saved
              object vmlinux: pre_patch post_unpatch
                on pre_patch: if-prev 1 adopt saved, unless-prev 1 alloc saved, unless-prev 1 save uts_release in saved, set uts_release=v2
                on post_unpatch: if-prev 1 set uts_release=v1, unless-prev 1 restore uts_release from saved, unless-prev 1 free saved
            """,
        ]
        for (index, world) in corrected.enumerated() {
            XCTAssertEqual(try contractCheck(world).violated, [], "corrected model \(index)")
        }
    }
}
