import Foundation
import KLPEngine
import KLPTestSupport
import XCTest

@testable import Livepatch

/// A retired patch's module removed in the step that retires it
/// (`CompiledWorld.mergesRetirement`, `Reduction.auto`).
///
/// The reduction is sound when a retired patch that is not forced and its
/// removed twin look the same to every step but the patch's own `rmmod`
/// (the retired one's) and `insmod` (the removed one's), and the `rmmod`
/// changes nothing else and breaks nothing. The tests check that on every
/// reachable state of random worlds, then check what it promises: the full
/// search's verdicts, an unknown full size, and traces that replay.
final class MergedRetirementTests: XCTestCase {
    func testRetirementMergesUnderAutoOnlyWithoutContracts() throws {
        let text = "tasks 1\npatch p\n  object vmlinux: pre_patch\ncheck all\n"
        let world = try ModelParser.parse(text, file: "t.klp")
        XCTAssertTrue(CompiledWorld(world, symmetry: true, reduction: .auto).mergesRetirement)
        XCTAssertEqual(CompiledWorld(world, symmetry: true, reduction: .auto).reductionName, "merged-retirement")
        for reduction in [Reduction.exact, .moduleSymmetry, .none] {
            XCTAssertFalse(CompiledWorld(world, symmetry: true, reduction: reduction).mergesRetirement, "\(reduction)")
        }
        let contracts = try ModelParser.parse("data shadow\n" + text, file: "t.klp")
        XCTAssertFalse(CompiledWorld(contracts, symmetry: true, reduction: .auto).mergesRetirement)
    }

    /// One patch, one task: enable, complete, disable, complete, rmmod. With
    /// the retirement merged the last completion removes the module, so the
    /// retired state is never stored; the verdict stays and the full size
    /// is unknown.
    func testOnePatchLosesItsRetiredState() throws {
        let world = try ModelParser.parse("tasks 1\npatch p\n  object vmlinux: pre_patch post_unpatch\ncheck all\n", file: "one.klp")
        var options = SearchOptions(threads: 1)
        options.checked = world.propertiesToCheck()
        let full = try CompiledWorld(world, symmetry: true, reduction: .none).verify(options: options, modelName: "one")
        let merged = try CompiledWorld(world, symmetry: true, reduction: .auto).verify(options: options, modelName: "one")
        XCTAssertEqual(full.statistics.states - merged.statistics.states, 1, "only the retired state goes")
        XCTAssertEqual(merged.verdict, full.verdict)
        XCTAssertNotNil(full.reduction?.fullStates)
        XCTAssertNil(merged.reduction?.fullStates)
        XCTAssertNil(merged.reduction?.fullTransitions)
        XCTAssertEqual(merged.reduction?.shortestTraces, false)
    }

    // MARK: The rule, state by state

    /// On every reachable state of random worlds (searched without any
    /// reduction), a retired patch that may go and its removed twin have
    /// the same steps, apart from the patch's own `rmmod` and `insmod`, to
    /// twin states, with the same properties broken; and the `rmmod` only
    /// clears the patch's retired flag and breaks nothing.
    func testARetiredPatchAndItsRemovedTwinAreAlike() throws {
        var random = SplitMix64(state: 0x5EED_0201)
        var compared = 0
        for round in 0..<40 {
            let text = RandomWorld.text(&random, interchangeable: round % 2 == 0)
            let world = try ModelParser.parse(text, file: "random-\(round).klp")
            let compiled = CompiledWorld(world, symmetry: round % 3 != 0, reduction: .auto)
            guard compiled.mergesRetirement else { continue }
            let check = try compiled.withModel(TwinCheck(budget: 1_500))
            XCTAssertEqual(check.differences, [], "world \(round):\n\(text)")
            compared += check.retired
        }
        XCTAssertGreaterThan(compared, 5_000, "too few retired states compared")
    }

    struct TwinCheck: LivepatchModelVisitor {
        var budget: Int

        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (differences: [String], retired: Int) {
            typealias Step = ComparedStep<State>
            let plain = LivepatchModel<State>(world: model.world, reducing: false)
            let tables = model.world.tables.pointee
            var sink = SuccessorSink<State>(capacity: plain.maxSuccessors)
            defer { sink.deallocate() }
            func isOwnLoaderStep(_ action: UInt32, of p: Int) -> Bool {
                guard let (event, _) = LivepatchEvent.decode(action), event.operand == p else { return false }
                return event.kind == .loadPatch || event.kind == .unloadPatch
            }
            /// The steps of `state`, except patch `p`'s own, with `p` removed in each.
            func steps(_ state: State, except p: Int) -> [Step: Int] {
                sink.reset()
                plain.successors(of: state, into: &sink)
                var steps: [Step: Int] = [:]
                for index in 0..<sink.count where !isOwnLoaderStep(sink.action(at: index), of: p) {
                    var next = sink.state(at: index)
                    next[flag: tables.retired[p]] = false
                    steps[Step(state: next, violated: sink.violations(at: index).rawValue), default: 0] += 1
                }
                return steps
            }
            var differences: [String] = []
            var retired = 0
            _ = walkReachableStates(budget: budget, while: { differences.count < 3 }) { (state: State) in
                for p in 0..<tables.patchCount where state[flag: tables.retired[p]] && !state[flag: tables.forced[p]] {
                    retired += 1
                    var twin = state
                    twin[flag: tables.retired[p]] = false
                    var machine = Machine(world: model.world, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: 0))
                    if machine.apply(LivepatchEvent(.unloadPatch, p)) != .done || machine.state != twin || machine.violated != 0 {
                        differences.append("rmmod \(p) from \(state) does more than remove it")
                    }
                    if steps(state, except: p) != steps(twin, except: p) {
                        differences.append("patch \(p) retired in \(state) and removed differ")
                    }
                }
                sink.reset()
                plain.successors(of: state, into: &sink)
                return (0..<sink.count).map { sink.state(at: $0) }
            }
            return (differences, retired)
        }
    }

    // MARK: What the rule promises

    /// The default search gives the full search's verdicts, property by
    /// property, stores no more states than `--reduction exact`, leaves the
    /// full size unknown, and its traces are never shorter than the
    /// shortest and replay to their violation. Random worlds, every core
    /// variant, symmetry on and off.
    func testMergedSearchAgreesWithTheFullSearch() throws {
        var failing = 0
        var smaller = 0
        var replayed = 0
        let compared = try compareRandomWorldsWithTheFullSearch(rounds: 200, seed: 0x5EED_0202, reduction: .auto) { search in
            let exact = try CompiledWorld(search.world, symmetry: search.symmetry, reduction: .exact)
                .verify(options: search.options, modelName: "m")
            XCTAssertLessThanOrEqual(search.reduced.statistics.states, exact.statistics.states, search.context)
            guard search.compiled.mergesRetirement else { return }
            XCTAssertNil(search.reduced.reduction?.fullStates, search.context)
            XCTAssertEqual(search.reduced.reduction?.shortestTraces, false, search.context)
            if search.reduced.verdict == .fail { failing += 1 }
            if search.reduced.statistics.states < exact.statistics.states { smaller += 1 }
            for counterexample in search.reduced.violations + search.reduced.findings {
                if try assertReplays(counterexample, in: search.world, search.context) { replayed += 1 }
            }
        }
        XCTAssertGreaterThan(compared, 130, "too few worlds small enough for the full search")
        XCTAssertGreaterThan(failing, 20, "too few failing worlds")
        XCTAssertGreaterThan(smaller, 60, "removing retired patches should shrink most worlds")
        XCTAssertGreaterThan(replayed, 30, "too few traces replayed")
    }

    /// Every shipped model (variants, selftests, samples): the verdicts of
    /// `--reduction none`, and traces that replay.
    func testTheShippedModelsKeepTheirVerdicts() throws {
        for path in try StateSpaceTests.modelFiles(in: ["variants", "selftests", "samples"]) {
            let world = try ModelParser.parse(contentsOf: path)
            var options = SearchOptions(threads: 2)
            options.checked = world.propertiesToCheck()
            let full = try CompiledWorld(world, symmetry: true, reduction: .none).verify(options: options, modelName: path)
            let reduced = try CompiledWorld(world, symmetry: true, reduction: .auto).verify(options: options, modelName: path)
            XCTAssertEqual(reduced.properties.map(\.status), full.properties.map(\.status), path)
            XCTAssertEqual(reduced.verdict, full.verdict, path)
            for counterexample in reduced.violations + reduced.findings { try assertReplays(counterexample, in: world, path) }
        }
    }
}
