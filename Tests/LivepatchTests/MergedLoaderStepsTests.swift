import Foundation
import KLPEngine
import KLPTestSupport
import XCTest

@testable import Livepatch

/// `insmod` and `rmmod` as one step each for modules that are not busy
/// (`MergedLoaderSteps`, `Reduction.exact`; `.auto` merges them too).
///
/// The reduction is sound when, for such a module, COMING, LIVE and GOING
/// look the same to every step but the module's own loader steps, and init
/// and exit change nothing but its state. The tests check that on every
/// reachable state of random worlds, then check what it promises: the full
/// search's verdicts, the full space's exact size from each state's weight,
/// and traces that replay to the same violation.
final class MergedLoaderStepsTests: XCTestCase {
    // MARK: Which modules merge

    func testModulesThatAreNotBusyMergeUnderAutoOnly() throws {
        let text = """
            tasks 1
            module a
            module b busy
            module c
            patch p
              object vmlinux: pre_patch(may-fail -ENOMEM)
              object a: pre_patch post_unpatch
              object b: post_patch
            """
        let world = try ModelParser.parse(text, file: "t.klp")
        XCTAssertEqual(CompiledWorld(world, symmetry: true, reduction: .exact).mergedModules, ["a", "c"])
        XCTAssertEqual(CompiledWorld(world, symmetry: true, reduction: .exact).reductionName, "merged-loader-steps")
        XCTAssertEqual(CompiledWorld(world, symmetry: true, reduction: .moduleSymmetry).mergedModules, [])
        XCTAssertEqual(CompiledWorld(world, symmetry: true, reduction: .none).mergedModules, [])
        XCTAssertEqual(CompiledWorld(world, symmetry: true, reduction: .none).reductionName, "none")
        // Author contracts may ask what a module's code sees: no merging there.
        let contracts = try ModelParser.parse(
            "tasks 1\nmodule a\ndata table\npatch p\n  object a: pre_patch post_unpatch\n    on pre_patch: alloc table\n    on post_unpatch: free table\n",
            file: "c.klp")
        XCTAssertEqual(CompiledWorld(contracts, symmetry: true, reduction: .exact).mergedModules, [])
    }

    /// One module and nothing else: the full space is its four loader
    /// states in a cycle (4 states, 4 steps); merged, UNLOADED and LIVE
    /// remain, LIVE standing for COMING, LIVE and GOING, and its one step
    /// (rmmod) for their three.
    func testOneModuleFoldsItsFourLoaderStatesIntoTwo() throws {
        let world = try ModelParser.parse("tasks 1\nmodule a\npatch p\n  object vmlinux: post_patch\ncheck loaded-only\n", file: "one.klp")
        var options = SearchOptions(threads: 1)
        options.checked = world.propertiesToCheck()
        let full = try CompiledWorld(world, symmetry: true, reduction: .none).verify(options: options, modelName: "one")
        let merged = try CompiledWorld(world, symmetry: true, reduction: .exact).verify(options: options, modelName: "one")
        XCTAssertEqual(merged.statistics.states * 2, full.statistics.states)
        XCTAssertEqual(merged.reduction?.fullStates, full.statistics.states)
        XCTAssertEqual(merged.reduction?.fullTransitions, full.statistics.transitions)
        XCTAssertEqual(merged.reduction?.name, "merged-loader-steps")
        XCTAssertEqual(merged.reduction?.mergedModules, ["a"])
    }

    // MARK: The rule, state by state

    /// On every reachable state of random worlds (searched without any
    /// reduction), setting a merged module to COMING, LIVE or GOING gives
    /// the same steps, apart from the module's own loader steps, to the same
    /// states up to that module's loaded state, with the same properties
    /// broken; and init and exit change nothing but that module's state.
    func testLoadedStatesOfAMergedModuleAreAlike() throws {
        var random = SplitMix64(state: 0x5EED_0101)
        var compared = 0
        for round in 0..<40 {
            let text = RandomWorld.text(&random, interchangeable: round % 2 == 0)
            let world = try ModelParser.parse(text, file: "random-\(round).klp")
            let compiled = CompiledWorld(world, symmetry: round % 3 != 0, reduction: .exact)
            guard !compiled.mergedModules.isEmpty else { continue }
            let check = try compiled.withModel(AlikeCheck(budget: 1_500))
            XCTAssertEqual(check.differences, [], "world \(round):\n\(text)")
            compared += check.states
        }
        XCTAssertGreaterThan(compared, 20_000, "too few states compared")
    }

    struct AlikeCheck: LivepatchModelVisitor {
        var budget: Int

        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (differences: [String], states: Int) {
            typealias Step = ComparedStep<State>
            let plain = LivepatchModel<State>(world: model.world, reducing: false)
            let merged = model.world.tables.pointee.mergedLoaderSteps
            let loaded = [ModuleState.coming, ModuleState.live, ModuleState.going]
            var sink = SuccessorSink<State>(capacity: plain.maxSuccessors)
            defer { sink.deallocate() }
            /// Every merged module that is loaded, LIVE.
            func alike(_ state: State) -> State {
                var state = state
                for i in 0..<merged.count where state[merged.stateFields[i]] != ModuleState.unloaded {
                    state[merged.stateFields[i]] = ModuleState.live
                }
                return state
            }
            func isOwnLoaderStep(_ action: UInt32, of module: Int) -> Bool {
                guard let (event, _) = LivepatchEvent.decode(action), event.operand == module else { return false }
                return [EventKind.moduleInit, .moduleExit, .moduleGoing].contains(event.kind)
            }
            /// The steps of `state`, except module `module`'s own, up to every merged module's loaded state.
            func steps(_ state: State, except module: Int) -> [Step: Int] {
                sink.reset()
                plain.successors(of: state, into: &sink)
                var steps: [Step: Int] = [:]
                for index in 0..<sink.count where !isOwnLoaderStep(sink.action(at: index), of: module) {
                    steps[Step(state: alike(sink.state(at: index)), violated: sink.violations(at: index).rawValue), default: 0] += 1
                }
                return steps
            }
            var differences: [String] = []
            let states = walkReachableStates(budget: budget, while: { differences.count < 3 }) { (state: State) in
                sink.reset()
                plain.successors(of: state, into: &sink)
                var successors: [State] = []
                for index in 0..<sink.count {
                    successors.append(sink.state(at: index))
                    // Init and exit of a merged module: only its state changes, nothing is broken.
                    guard let (event, _) = LivepatchEvent.decode(sink.action(at: index)),
                        event.kind == .moduleInit || event.kind == .moduleExit,
                        merged.isMerged[event.operand]
                    else { continue }
                    var back = sink.state(at: index)
                    back[model.world.tables.pointee.moduleState[event.operand]] =
                        event.kind == .moduleInit ? ModuleState.coming : ModuleState.live
                    if back != state || !sink.violations(at: index).isEmpty {
                        differences.append("\(event.kind) of module \(event.operand) does more, from \(model.world.describe(state))")
                    }
                }
                for i in 0..<merged.count where state[merged.stateFields[i]] != ModuleState.unloaded {
                    let module = Int(merged.modules[i])
                    let mine = steps(state, except: module)
                    for value in loaded where value != state[merged.stateFields[i]] {
                        var other = state
                        other[merged.stateFields[i]] = value
                        if steps(other, except: module) != mine {
                            differences.append("module \(module) \(value) differs from \(model.world.describe(state))")
                        }
                    }
                }
                return successors
            }
            return (differences, states)
        }
    }

    // MARK: What the rule promises

    /// The merged search gives the full search's verdicts, property by
    /// property, and, from each state's weight, its exact numbers of states
    /// and transitions; its traces are never shorter than the shortest, and
    /// it says they may be longer. Random worlds, every core variant,
    /// symmetry on and off.
    func testMergedSearchAgreesWithTheFullSearch() throws {
        var mergedWorlds = 0
        var failing = 0
        var smaller = 0
        var known = 0
        let compared = try compareRandomWorldsWithTheFullSearch(rounds: 200, seed: 0x5EED_0102, reduction: .exact) { search in
            guard !search.compiled.mergedModules.isEmpty else { return }
            mergedWorlds += 1
            XCTAssertEqual(search.reduced.reduction?.shortestTraces, false, search.context)
            XCTAssertEqual(search.reduced.reduction?.mergedModules, search.compiled.mergedModules, search.context)
            if search.reduced.verdict == .fail { failing += 1 }
            if search.reduced.statistics.states < search.full.statistics.states { smaller += 1 }
            XCTAssertEqual(search.reduced.reduction?.fullStates, search.full.reduction?.fullStates, search.context)
            XCTAssertEqual(search.reduced.reduction?.fullTransitions, search.full.reduction?.fullTransitions, search.context)
            if search.full.reduction?.fullStates != nil { known += 1 }
        }
        XCTAssertGreaterThan(compared, 130, "too few worlds small enough for the full search")
        XCTAssertGreaterThan(mergedWorlds, 100, "too few worlds with a module that is not busy")
        XCTAssertGreaterThan(failing, 20, "too few failing worlds")
        XCTAssertGreaterThan(smaller, 100, "merging should shrink almost every world it applies to")
        XCTAssertGreaterThan(known, 50, "too few worlds whose full space is known")
    }

    /// On every model of Models/variants, Models/selftests and
    /// Models/samples: the verdicts of `--reduction none`, its exact
    /// numbers of states and transitions from the weights, and traces that
    /// replay to the same violation.
    func testEveryReductionKeepsTheShippedModelsVerdicts() throws {
        var merged = 0
        for path in try StateSpaceTests.modelFiles(in: ["variants", "selftests", "samples"]) {
            let world = try ModelParser.parse(contentsOf: path)
            var options = SearchOptions(threads: 2)
            options.checked = world.propertiesToCheck()
            let full = try CompiledWorld(world, symmetry: true, reduction: .none).verify(options: options, modelName: path)
            let compiled = CompiledWorld(world, symmetry: true, reduction: .exact)
            let reduced = try compiled.verify(options: options, modelName: path)
            XCTAssertEqual(reduced.properties.map(\.status), full.properties.map(\.status), path)
            XCTAssertEqual(reduced.verdict, full.verdict, path)
            if !compiled.mergedModules.isEmpty {
                merged += 1
                XCTAssertLessThan(reduced.statistics.states, full.statistics.states, path)
            }
            // Both known (complete searches), or both unknown (stopped early, every property violated).
            XCTAssertEqual(reduced.reduction?.fullStates, full.reduction?.fullStates, path)
            XCTAssertEqual(reduced.reduction?.fullTransitions, full.reduction?.fullTransitions, path)
            for counterexample in reduced.violations + reduced.findings { try assertReplays(counterexample, in: world, path) }
        }
        XCTAssertGreaterThanOrEqual(merged, 9, "most shipped models have a module that is not busy")
    }

    /// Every counterexample of a merged search replays through `klpcheck
    /// run`'s library call to the same violation, each merged step as its
    /// two halves.
    func testMergedCounterexamplesReplay() throws {
        var random = SplitMix64(state: 0x5EED_0103)
        var replayed = 0
        for round in 0..<60 {
            let text = RandomWorld.text(&random, interchangeable: round % 2 == 0)
            let world = try ModelParser.parse(text, file: "random-\(round).klp")
            var options = SearchOptions(threads: 1, maxStates: 20_000)
            options.checked = world.propertiesToCheck()
            let compiled = CompiledWorld(world, symmetry: round % 2 == 0, reduction: .exact)
            guard !compiled.mergedModules.isEmpty else { continue }
            let result = try compiled.verify(options: options, modelName: "m")
            for counterexample in result.violations + result.findings {
                if try assertReplays(counterexample, in: world, "world \(round):\n\(text)") { replayed += 1 }
            }
        }
        XCTAssertGreaterThan(replayed, 30)
    }
}
