import Foundation
import KLPEngine
import KLPTestSupport
import XCTest

@testable import Livepatch

/// Exact state spaces of tiny worlds, counted by hand from what a state holds
/// (Livepatch.docc, WorldAndState) and the events (Livepatch.docc, Events), and the
/// engine's determinism and symmetry reduction on the real models.
///
/// Counting conventions of the engine (KLPEngine/SearchReport.swift):
/// `states` = distinct reachable states, the initial one included;
/// `transitions` = successors emitted by every expanded state, duplicates and
/// edges back to known states included; `depth` = the last non-empty BFS
/// level (the initial state is level 0). The model emits an event when it is
/// done, or when it is refused but ran a callback (a self-loop that must still
/// be checked); a refused event that changes nothing and runs no callback is
/// a self-loop and is not emitted (Livepatch.docc, Events: "it is no new state").
final class StateSpaceTests: XCTestCase {
    struct Counts: Equatable, CustomStringConvertible {
        var states: UInt64
        var transitions: UInt64
        var depth: Int
        var description: String { "\(states) states, \(transitions) transitions, depth \(depth)" }
    }

    /// Explores a one-word world with one thread and every property checked.
    func explore(
        _ text: String, symmetry: Bool, file: StaticString = #filePath, line: UInt = #line
    ) throws -> (counts: Counts, report: SearchReport<UInt64>) {
        let world = try ModelParser.parse(text, file: "tiny.klp")
        let compiled = CompiledWorld(world, symmetry: symmetry)
        XCTAssertEqual(compiled.wordCount, 1, "a tiny world fits one word", file: file, line: line)
        let report = try LivepatchModel<UInt64>(world: compiled).explore(options: SearchOptions(threads: 1))
        XCTAssertTrue(report.statistics.complete, file: file, line: line)
        XCTAssertFalse(
            report.hasViolation,
            "upstream tiny world violates \(zip(report.properties, report.statuses).filter { $0.1.isViolated }.map(\.0.name))",
            file: file, line: line)
        let s = report.statistics
        return (Counts(states: s.states, transitions: s.transitions, depth: s.depth), report)
    }

    // MARK: World 1: one patch, one vmlinux object, one task

    static let onePatchOneTask = """
        tasks 1
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// Derivation. No modules, so a state is P's stage, the transition, the
    /// task's ps and the object's bits (patched, flag, preOpen, postOpen).
    /// Writing the bits as a 4-letter word (1 = set) and the task as U/P:
    ///
    ///   S0 unloaded, no transition, task U, 0000            (initial)
    ///   S1 listed, (P, PATCHED),   task U, 1110   S0 --load--> (pre_patch opens preOpen, sets flag, patches)
    ///   S2 listed, (P, UNPATCHED), task U, 1110   S1 --write 0--> (reverse: no callback, ps unchanged)
    ///   S3 listed, (P, PATCHED),   task P, 1110   S1 --switch-->
    ///   S4 retired, no transition, task U, 0000   S2 --complete--> (post_unpatch closes preOpen; unlisted)
    ///   S5 listed, (P, UNPATCHED), task P, 1110   S3 --write 0--> (reverse)
    ///   S6 listed, no transition,  task U, 1111   S3 --complete--> (post_patch opens postOpen; ps reset)
    ///
    /// Successors (refused writes and rmmod of a listed patch change nothing: not emitted):
    ///   S0: load -> S1                                          1
    ///   S1: write 0 -> S2, switch -> S3 (complete: task not switched)  2
    ///   S2: write 1 -> S1 (reverse), complete -> S4             2
    ///   S3: write 0 -> S5, complete -> S6                       2
    ///   S4: rmmod -> S0 (load: retired, no)                     1
    ///   S5: write 1 -> S3, switch -> S2 (task back to U)        2
    ///   S6: write 0 -> S5 (disable: ps := P, pre_unpatch closes postOpen: exactly S5)  1
    /// = 7 states, 11 transitions. BFS levels: {S0} {S1} {S2,S3} {S4,S5,S6}: depth 3.
    func testOnePatchOneTask() throws {
        let expected = Counts(states: 7, transitions: 11, depth: 3)
        XCTAssertEqual(try explore(Self.onePatchOneTask, symmetry: false).counts, expected)
        // One task: counting it or naming it is the same.
        XCTAssertEqual(try explore(Self.onePatchOneTask, symmetry: true).counts, expected)
    }

    // MARK: World 2: the same with two tasks, symmetry off and on

    static let onePatchTwoTasks = """
        tasks 2
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// Derivation. As in world 1, outside a transition the tasks are U and the
    /// bits are 0000 (unloaded, retired) or 1111 (listed); inside one the bits
    /// are always 1110 (postOpen is closed by the disable's pre_unpatch before
    /// any unpatching transition, and opened only by the completion). So the
    /// states (WorldAndState's table) are: unloaded, retired, listed-idle, and
    /// {PATCHED, UNPATCHED} x {ps of task 1} x {ps of task 2} = 8 transition
    /// states, every one reachable (load, switch either task, reverse):
    /// 3 + 8 = 11 distinct states of that table; with symmetry the transition
    /// states only count PATCHED tasks (0, 1, 2): 3 + 2 x 3 = 9.
    ///
    /// Transitions, symmetry off: unloaded 1 (load), retired 1 (rmmod),
    /// listed-idle 1 (write 0 -> UNPATCHED with both tasks P); a transition
    /// state has the reverse (1), one switch per task not at the target, and
    /// complete when both are at it:
    ///   PATCHED:   UU 1+2, PU 1+1, UP 1+1, PP 1+1(complete) = 9
    ///   UNPATCHED: UU 1+1(complete), PU 1+1, UP 1+1, PP 1+2 = 9
    /// = 3 + 9 + 9 = 21. With symmetry the switch is one event ("a task
    /// switches"): PATCHED 0,1,2 = 2+2+2, UNPATCHED 0,1,2 = 2+2+2: 3 + 12 = 15.
    ///
    /// Depth, off: {unloaded} {PAT UU} {UNPAT UU, PAT PU, PAT UP}
    /// {retired, UNPAT PU, UNPAT UP, PAT PP} {UNPAT PP, listed-idle}: 4.
    /// On: {unloaded} {PAT 0} {UNPAT 0, PAT 1} {retired, UNPAT 1, PAT 2} {UNPAT 2, listed-idle}: 4.
    func testOnePatchTwoTasksSymmetryOffCountsEverySectionTwoState() throws {
        XCTAssertEqual(
            try explore(Self.onePatchTwoTasks, symmetry: false).counts, Counts(states: 11, transitions: 21, depth: 4))
    }

    func testOnePatchTwoTasksSymmetryOnCountsFewer() throws {
        let on = try explore(Self.onePatchTwoTasks, symmetry: true)
        let off = try explore(Self.onePatchTwoTasks, symmetry: false)
        XCTAssertEqual(on.counts, Counts(states: 9, transitions: 15, depth: 4))
        XCTAssertLessThan(on.counts.states, off.counts.states)
        XCTAssertEqual(on.report.statuses.map(Self.verdict), off.report.statuses.map(Self.verdict))
    }

    // MARK: World 3: one patch, one module

    static let onePatchOneModule = """
        tasks 1
        module m
        patch P
          object m: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// Derivation. The object's bits follow from P's phase and whether m is
    /// loaded (COMING, LIVE or GOING): a module event patches or unpatches the
    /// object when P is listed (COMING: pre_patch, and post_patch unless P is
    /// in transition; GOING: pre_unpatch unless in transition, post_unpatch),
    /// and the enable, disable and completion treat a loaded object exactly
    /// as they treat vmlinux in world 1. So a state is (phase, m's state) with
    /// the 7 phases of world 1 (S0..S6) and m in {UNLOADED, COMING, LIVE,
    /// GOING}; nothing couples them (no busy worker, no failure), so all
    /// 7 x 4 = 28 are reachable.
    ///
    /// Transitions: the 11 patch-event edges of world 1 for each of the 4
    /// module states (44), plus exactly one module event in every state
    /// (COMING from UNLOADED, init from COMING, exit from LIVE, GOING from
    /// GOING: 28) = 72.
    ///
    /// Depth: each step moves either the phase or m, so the distance is the
    /// sum: max phase distance 3 (world 1) + max module distance 3 (GOING) = 6.
    func testOnePatchOneModule() throws {
        XCTAssertEqual(
            try explore(Self.onePatchOneModule, symmetry: true).counts, Counts(states: 28, transitions: 72, depth: 6))
    }

    // MARK: World 4: a pre_patch that may fail

    static let mayFail = """
        tasks 1
        patch P
          object vmlinux: pre_patch(may-fail -ENODEV) post_patch pre_unpatch post_unpatch
        """

    /// Derivation. World 1, plus the failing outcome of the load in S0: EN,
    /// INIT, pre_patch fails (flag clear, preOpen untouched), PREFAIL, cancel:
    /// the completion runs no post_unpatch (flag clear) and P is unloaded
    /// again, not retired: exactly S0. A refused event that ran a callback is
    /// emitted (its callbacks must be checked), so this is one more edge, a
    /// self-loop: 7 states, 11 + 1 = 12 transitions, depth 3. (pre_patch runs
    /// nowhere else: a module-less world has no COMING notifier.)
    func testMayFailAddsOneSelfLoop() throws {
        XCTAssertEqual(try explore(Self.mayFail, symmetry: true).counts, Counts(states: 7, transitions: 12, depth: 3))
    }

    // MARK: World 5: a busy module

    static let busy = """
        tasks 1
        module b busy
        patch P
          object b: pre_patch post_patch pre_unpatch post_unpatch
        """

    /// Derivation. As in world 3 the object's bits follow from (phase, b's
    /// state); on top, the worker has its ps w and, while b is LIVE, whether
    /// it sleeps in the original work function (s), set at b's init: s = 1
    /// when it runs the original there (P not listed or not patching it, or P
    /// in transition and w = U), s = 0 when it runs P's function (P enabled,
    /// or P in transition and w = P). It blocks exactly when s = 1 and P's
    /// transition targets PATCHED (P patches b, no patch below). Phases:
    /// A (unloaded), R (retired), L (listed, idle), T(target, t, w) with the
    /// task's ps t.
    ///
    /// Idle phases (t = w = U): A and R: b UNLOADED, COMING, GOING, LIVE with
    /// s = 1 (init while A/R) and LIVE with s = 0 (init while L or with w = P,
    /// then disable or reverse to retire) = 5 each; L: LIVE only with s = 0
    /// (with s = 1 the worker can never switch to PATCHED before b's exit, so
    /// the patching transition cannot complete) = 4. 14 idle states.
    ///
    /// Transition phases: b UNLOADED, COMING, GOING (s = 0): all 2 x 2 x 2
    /// (target, t, w) = 8 each, 24; b LIVE with s = 0: 8; b LIVE with s = 1:
    /// only w = U (s = 1 needs w = U at init, and w cannot become P while
    /// blocked or while targeting UNPATCHED), t and target free: 4. 36.
    /// Total 14 + 36 = 50.
    ///
    /// Transitions: each state has exactly one module event. Idle states have
    /// one patch event (load / rmmod / write 0): 14 x 2 = 28. A transition
    /// state has the reverse, a switch per task or worker not at the target
    /// (unless blocked), complete when both are at it, and its module event:
    /// per target, (t, w) at target: none 4, one 3, the other 3, both 3 = 13;
    /// so 26 for each of b UNLOADED, COMING, GOING and LIVE s = 0: 104. LIVE
    /// s = 1: PAT UU 3 (reverse, task, exit; worker blocked), PAT PU 2,
    /// UNPAT UU 3 (reverse, complete, exit), UNPAT PU 3 = 11.
    /// Total 28 + 104 + 11 = 143.
    ///
    /// Depth: a step moves the phase or b. The farthest states need the
    /// worker to be PATCHED when b inits (s = 0) and then back at U:
    /// A with b LIVE, s = 0: load, switch w, reverse, switch w back, complete,
    /// rmmod (6 patch steps) + COMING, init (2) = 8; T(PATCHED, t = P, w = U)
    /// with b LIVE, s = 0: load, switch w, reverse, switch w, reverse, switch t
    /// (6) + 2 = 8. Every other state is nearer (at most 7). Depth 8.
    func testBusyModule() throws {
        XCTAssertEqual(try explore(Self.busy, symmetry: true).counts, Counts(states: 50, transitions: 143, depth: 8))
    }

    // MARK: The real models

    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models")

    static func verdict<State>(_ status: PropertyStatus<State>) -> String {
        switch status {
        case .holds: return "holds"
        case .violated: return "violated"
        case .undecided: return "undecided"
        case .notChecked: return "not-checked"
        }
    }

    /// The properties a model's `check` lines select (all when none).
    static func checked(_ world: World) -> PropertySet {
        world.checked.isEmpty
            ? .first(LivepatchProperty.allCases.count) : PropertySet(indices: world.checked.map(\.index))
    }

    /// Threads 1 and 2 give the same counts and the same status and trace for every property.
    func testThreadsOneAndTwoAgreeOnTestCallbacks() throws {
        let world = try ModelParser.parse(contentsOf: Self.models.appendingPathComponent("selftests/test-callbacks.klp").path)
        struct Visit: LivepatchModelVisitor {
            let checked: PropertySet
            func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> [String] {
                let one = try model.explore(options: SearchOptions(threads: 1, checked: checked))
                let two = try model.explore(options: SearchOptions(threads: 2, checked: checked))
                var differences: [String] = []
                let a = one.statistics
                let b = two.statistics
                if (a.states, a.transitions, a.depth, a.complete) != (b.states, b.transitions, b.depth, b.complete) {
                    differences.append(
                        "counts: 1 thread \(a.states)/\(a.transitions)/\(a.depth), 2 threads \(b.states)/\(b.transitions)/\(b.depth)")
                }
                if !a.complete { differences.append("search incomplete") }
                for (index, property) in one.properties.enumerated() where one.statuses[index] != two.statuses[index] {
                    differences.append(
                        "\(property.name): 1 thread \(StateSpaceTests.verdict(one.statuses[index])) (\(one.statuses[index].trace?.steps.count ?? -1) steps), 2 threads \(StateSpaceTests.verdict(two.statuses[index])) (\(two.statuses[index].trace?.steps.count ?? -1) steps)")
                }
                // The model expects the replaced-abandons-brackets finding: at least one trace is compared.
                if !one.statuses.contains(where: { $0.trace != nil }) { differences.append("no trace to compare") }
                return differences
            }
        }
        let differences = try CompiledWorld(world, symmetry: true).withModel(Visit(checked: Self.checked(world)))
        XCTAssertEqual(differences, [])
    }

    /// The paths of the `.klp` files of these folders of Models/, sorted within each.
    static func modelFiles(in directories: [String]) throws -> [String] {
        try directories.flatMap { directory in
            let url = models.appendingPathComponent(directory)
            return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".klp") }.sorted()
                .map { url.appendingPathComponent($0).path }
        }
    }

    /// Symmetry reduction changes no verdict: every model of Models/variants, Models/selftests and Models/samples.
    func testSymmetryOnAndOffGiveTheSameVerdicts() throws {
        let files = try Self.modelFiles(in: ["variants", "selftests", "samples"])
        XCTAssertGreaterThanOrEqual(files.count, 12, "10 variants and 2 selftest worlds: \(files)")
        struct Visit: LivepatchModelVisitor {
            let checked: PropertySet
            func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (verdicts: [String], states: UInt64) {
                let report = try model.explore(options: SearchOptions(threads: 2, checked: checked))
                return (report.statuses.map(StateSpaceTests.verdict), report.statistics.states)
            }
        }
        for path in files {
            let world = try ModelParser.parse(contentsOf: path)
            let visit = Visit(checked: Self.checked(world))
            let on = try CompiledWorld(world, symmetry: true).withModel(visit)
            let off = try CompiledWorld(world, symmetry: false).withModel(visit)
            let names = LivepatchProperty.allCases.map(\.rawValue)
            let differing = names.indices.filter { on.verdicts[$0] != off.verdicts[$0] }
                .map { "\(names[$0]): on \(on.verdicts[$0]), off \(off.verdicts[$0])" }
            XCTAssertEqual(differing, [], "\(path)")
            XCTAssertLessThanOrEqual(on.states, off.states, "\(path): symmetry must not add states")
            if case .fail(let property) = world.expectation {
                XCTAssertEqual(on.verdicts[property.index], "violated", "\(path): expect fail \(property.rawValue)")
            }
            if world.tasks >= 2 {
                XCTAssertLessThan(on.states, off.states, "\(path): \(world.tasks) interchangeable tasks")
            }
        }
    }

    /// The paged and plain hash sets of `model` give the very same counts,
    /// statuses and traces; the page field has a number of bits in `bits`.
    /// One line per difference.
    struct PagedAgainstHash: LivepatchModelVisitor {
        let checked: PropertySet
        let bits: ClosedRange<Int>
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> [String] {
            guard let page = model.pageField else { return ["no page field"] }
            // Small worlds take a bitmap under `auto`: ask for each set by name.
            var options = SearchOptions(threads: 2, checked: checked)
            options.visited = .paged
            let paged = try model.explore(options: options)
            options.visited = .hash
            let hash = try model.explore(options: options)
            var differences: [String] = []
            if paged.statistics.visited != .paged || hash.statistics.visited != .hash {
                differences.append("visited: \(paged.statistics.visited), \(hash.statistics.visited)")
            }
            if !bits.contains(page.bits) { differences.append("page of \(page.bits) bits, not \(bits)") }
            let a = paged.statistics
            let b = hash.statistics
            if (a.states, a.transitions, a.depth, a.complete) != (b.states, b.transitions, b.depth, b.complete) {
                differences.append("counts: paged \(a.states)/\(a.transitions)/\(a.depth), hash \(b.states)/\(b.transitions)/\(b.depth)")
            }
            for (index, property) in paged.properties.enumerated() where paged.statuses[index] != hash.statuses[index] {
                differences.append("\(property.name): paged \(StateSpaceTests.verdict(paged.statuses[index])), hash \(StateSpaceTests.verdict(hash.statuses[index]))")
            }
            return differences
        }
    }

    /// With tasks named, the visited set can be paged (six tasks' bits a
    /// page, or fewer tasks' and the busy modules' workers' bits after them);
    /// the plain hash set gives the very same counts, statuses and traces,
    /// on every variant and selftest world with two tasks or more.
    func testPagedAndHashSetsAgreeWithTasksNamed() throws {
        let files = try Self.modelFiles(in: ["variants", "selftests"])
        func visit(_ world: World) -> PagedAgainstHash {
            let workers = world.tasks < 6 ? 2 * world.modules.filter(\.busy).count : 0
            return PagedAgainstHash(checked: Self.checked(world), bits: min(6, world.tasks)...min(6, world.tasks + workers))
        }
        var compared = 0
        for path in files {
            let world = try ModelParser.parse(contentsOf: path)
            guard world.tasks >= 2 else { continue }
            compared += 1
            let differences = try CompiledWorld(world, symmetry: false).withModel(visit(world))
            XCTAssertEqual(differences, [], "\(path)")
        }
        XCTAssertGreaterThanOrEqual(compared, 3, "worlds with named tasks compared")
        // Seven tasks: full pages of six tasks' bits, and a task outside them.
        let seven = try ModelParser.parse(
            """
            tasks 7
            module m
            patch P
              object vmlinux: pre_patch(may-fail -ENOMEM) post_patch pre_unpatch post_unpatch
              object m: pre_patch post_unpatch
            """, file: "seven.klp")
        let differences = try CompiledWorld(seven, symmetry: false).withModel(visit(seven))
        XCTAssertEqual(differences, [], "seven tasks")
    }

    /// With tasks counted (symmetry on) and no module folded or merged, the
    /// page is the states of up to three modules, which every state's loader
    /// steps change; the plain hash set gives the very same counts, statuses
    /// and traces on every shipped world with two modules or more, and on
    /// 60 random worlds of two or three modules.
    func testPagedAndHashSetsAgreeWithTasksCounted() throws {
        var worlds = try Self.modelFiles(in: ["variants", "selftests", "samples"]).map { try ModelParser.parse(contentsOf: $0) }
        var random = SplitMix64(state: 0x9a6e)
        for round in 0..<60 {
            worlds.append(try ModelParser.parse(RandomWorld.text(&random, interchangeable: round % 2 == 0), file: "random-\(round).klp"))
        }
        var compared = 0
        for world in worlds where world.modules.count >= 2 {
            compared += 1
            let pageBits = 2 * min(3, world.modules.count)
            let visit = PagedAgainstHash(checked: Self.checked(world), bits: pageBits...pageBits)
            XCTAssertEqual(try CompiledWorld(world, symmetry: true).withModel(visit), [], "\(world.file)")
        }
        XCTAssertGreaterThanOrEqual(compared, 62, "worlds with two modules or more compared")
    }

    /// Which bits a page holds: named tasks first (with the busy modules'
    /// workers' bits after them when they fit); else module states, but
    /// never when a reduction folds or merges modules (their pages would be
    /// sparse); none with fewer than two of either.
    func testPageFieldChoice() throws {
        struct Page: LivepatchModelVisitor {
            func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> Int { model.pageField?.bits ?? 0 }
        }
        func bits(tasks: Int, modules: Int, busy: Int = 0, symmetry: Bool, reduction: Reduction = .none) throws -> Int {
            var text = "tasks \(tasks)\n"
            for m in 0..<modules { text += "module m\(m)\(m < busy ? " busy" : "")\n" }
            text += "patch P\n  object vmlinux: pre_patch post_patch\n"
            for m in 0..<modules { text += "  object m\(m): pre_patch post_unpatch\n" }
            let world = try ModelParser.parse(text, file: "page.klp")
            return try CompiledWorld(world, symmetry: symmetry, reduction: reduction).withModel(Page())
        }
        XCTAssertEqual(try bits(tasks: 3, modules: 4, symmetry: false), 3)
        XCTAssertEqual(try bits(tasks: 8, modules: 4, symmetry: false), 6)
        XCTAssertEqual(try bits(tasks: 3, modules: 4, busy: 1, symmetry: false), 5, "the worker's two bits follow the tasks'")
        XCTAssertEqual(try bits(tasks: 3, modules: 4, busy: 2, symmetry: false), 6, "at most six bits")
        XCTAssertEqual(try bits(tasks: 6, modules: 4, busy: 1, symmetry: false), 6)
        XCTAssertEqual(try bits(tasks: 3, modules: 4, symmetry: true), 6)
        XCTAssertEqual(try bits(tasks: 3, modules: 2, symmetry: true), 4)
        XCTAssertEqual(try bits(tasks: 1, modules: 3, symmetry: false), 6, "one named task is no page: the modules are")
        XCTAssertEqual(try bits(tasks: 3, modules: 1, symmetry: true), 0)
        XCTAssertEqual(try bits(tasks: 3, modules: 4, symmetry: true, reduction: .exact), 0, "merged modules")
        XCTAssertEqual(try bits(tasks: 3, modules: 4, symmetry: true, reduction: .moduleSymmetry), 0, "folded modules")
        XCTAssertEqual(try bits(tasks: 3, modules: 4, symmetry: false, reduction: .exact), 3, "tasks page under any reduction")
    }
}
