import Foundation
import KLPEngine
import XCTest

@testable import Livepatch

/// The model's successor generator skips events whose guard is not open and
/// takes a fast path for task switches. Neither may change a transition:
/// from every state, its successors must be exactly those of a plain
/// generator that runs every event, once per outcome, through the machine
/// (no guard read first, no fast path), action for action, with the same
/// violated step properties. Symmetry, paged sets and thread counts all
/// share the model's generator, so only this comparison catches a wrong guard.
final class SuccessorEquivalenceTests: XCTestCase {
    /// One successor: the action fired, the state reached, the step properties violated.
    struct Successor<State: PackedState>: Hashable {
        var action: UInt32
        var state: State
        var violated: UInt64
    }

    /// States compared per world and symmetry setting: the whole state space
    /// of the small worlds, a breadth-first prefix of the scale worlds (and
    /// of the many variations of one world below), so the test stays fast.
    static let stateBudget = 2_000
    static let variationBudget = 300

    /// The plain generator: every event of the world, run through `Machine`
    /// with each outcome, kept when it is done, runs a callback or changes
    /// the state (a refusal that does none of these is a self-loop).
    static func plainSuccessors<State: PackedState>(of state: State, in model: LivepatchModel<State>) -> [Successor<State>] {
        var result: [Successor<State>] = []
        for event in model.events {
            var failAt = 0
            var outcomes = 0
            repeat {
                var machine = Machine(
                    world: model.world, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: failAt))
                let outcome = machine.apply(event)
                if outcome == .disabled { break }
                if outcome == .done || machine.ranCallback || machine.state != state {
                    result.append(Successor(action: event.code | UInt32(failAt), state: machine.state, violated: machine.violated))
                }
                if failAt == 0 { outcomes = machine.oracle.choicePoints }
                failAt += 1
            } while failAt <= outcomes
        }
        return result
    }

    /// Compares both generators on the states reachable from the initial
    /// one, breadth first, up to `stateBudget` states; returns the
    /// differences (at most three) and the number of states compared.
    struct Compare: LivepatchModelVisitor {
        var budget: Int
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (differences: [String], states: Int) {
            var sink = SuccessorSink<State>(capacity: model.maxSuccessors)
            defer { sink.deallocate() }
            model.initialStates(into: &sink)
            var frontier = (0..<sink.count).map { sink.state(at: $0) }
            var seen = Set(frontier)
            var differences: [String] = []
            var compared = 0
            while !frontier.isEmpty && compared < budget && differences.count < 3 {
                var next: [State] = []
                for state in frontier where compared < budget {
                    compared += 1
                    sink.reset()
                    model.successors(of: state, into: &sink)
                    let fast = (0..<sink.count).map {
                        Successor(action: sink.action(at: $0), state: sink.state(at: $0), violated: sink.violations(at: $0).rawValue)
                    }
                    let plain = SuccessorEquivalenceTests.plainSuccessors(of: state, in: model)
                    if Set(fast) != Set(plain) || fast.count != plain.count {
                        let facts = model.world.facts(of: state).map(\.text).joined(separator: "; ")
                        let describe = { (steps: Set<Successor<State>>) in
                            steps.map { step in
                                let event = LivepatchEvent.decode(step.action).map { $0.event.stepLine(in: model.world) } ?? "?"
                                return "\(event) [\(step.action & 0xff)] violating \(step.violated)"
                            }.sorted()
                        }
                        differences.append(
                            "from \(facts): only the model: \(describe(Set(fast).subtracting(plain))), only the machine: \(describe(Set(plain).subtracting(fast))), counts \(fast.count) and \(plain.count)")
                    }
                    for successor in plain where seen.insert(successor.state).inserted { next.append(successor.state) }
                }
                frontier = next
            }
            return (differences, compared)
        }
    }

    /// Compares `world` with symmetry on and off; returns the states compared with symmetry off.
    @discardableResult
    func check(
        _ world: World, _ name: String, budget: Int = stateBudget, file: StaticString = #filePath, line: UInt = #line
    ) throws -> Int {
        var named = 0
        for symmetry in [true, false] {
            let result = try CompiledWorld(world, symmetry: symmetry).withModel(Compare(budget: budget))
            XCTAssertEqual(result.differences, [], "\(name), symmetry \(symmetry ? "on" : "off")", file: file, line: line)
            XCTAssertGreaterThan(result.states, 1, "\(name): states compared", file: file, line: line)
            if !symmetry { named = result.states }
        }
        return named
    }

    /// Every shipped model, under Models/ at any depth.
    func testEveryShippedWorld() throws {
        let root = StateSpaceTests.models
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: root.path))
        let paths = enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".klp") }.sorted()
        XCTAssertGreaterThanOrEqual(paths.count, 21, "5 samples, 3 scale, 3 selftest and 10 variant worlds: \(paths)")
        var budgetReached = 0
        for path in paths {
            let world = try ModelParser.parse(contentsOf: root.appendingPathComponent(path).path)
            if try check(world, path) == Self.stateBudget { budgetReached += 1 }
        }
        // The scale worlds are compared on a prefix only; everything else whole.
        XCTAssertGreaterThanOrEqual(budgetReached, 3, "scale worlds reach the budget")
    }

    /// The worlds the other tests write out, and worlds whose named tasks
    /// do not lie in one run of one state word (the fast path's other side).
    func testEveryTestWorld() throws {
        let worlds: [(String, String)] = [
            ("StateSpaceTests.onePatchOneTask", StateSpaceTests.onePatchOneTask),
            ("StateSpaceTests.onePatchTwoTasks", StateSpaceTests.onePatchTwoTasks),
            ("StateSpaceTests.onePatchOneModule", StateSpaceTests.onePatchOneModule),
            ("StateSpaceTests.mayFail", StateSpaceTests.mayFail),
            ("StateSpaceTests.busy", StateSpaceTests.busy),
            ("SemanticsTests.onePatch", SemanticsTests.onePatch),
            ("SemanticsTests.cancelWorld", SemanticsTests.cancelWorld),
            ("SemanticsTests.threePatches", SemanticsTests.threePatches),
            ("SemanticsTests.moduleOnly", SemanticsTests.moduleOnly),
            ("SemanticsTests.replaceWorld", SemanticsTests.replaceWorld),
            ("SemanticsTests.mayFailWorld", SemanticsTests.mayFailWorld),
            ("SemanticsTests.busyWorld", SemanticsTests.busyWorld),
            ("SemanticsTests.stateWorld", SemanticsTests.stateWorld),
            ("ModelParserTests.exampleModel", ModelParserTests.exampleModel),
        ]
        for (name, text) in worlds {
            try check(try ModelParser.parse(text, file: "\(name).klp"), name)
        }
        // Every core variant on one world with a busy module, a may-fail
        // pre_patch, a replace patch and force writes.
        for core in CoreVariant.allCases {
            var world = try ModelParser.parse(ModelParserTests.exampleModel, file: "example.klp")
            world.core = core
            world.force = true
            try check(world, "example, core \(core.rawValue), force on", budget: Self.variationBudget)
        }
        // Named tasks split over two state words: no single run, so task
        // switches go through the machine like every other event.
        var split = 0
        for tasks in 2...World.Limits.tasks.upperBound {
            var world = try ModelParser.parse(ModelParserTests.exampleModel, file: "example.klp")
            world.tasks = tasks
            guard try CompiledWorld(world, symmetry: false).withModel(TaskRunVisit()) == 0 else { continue }
            try check(world, "example with \(tasks) tasks", budget: Self.variationBudget)
            split += 1
            if split == 2 { break }
        }
        XCTAssertEqual(split, 2, "worlds whose tasks are not one run")
    }

    /// The bits of the model's named tasks when they form one run in one word, else 0.
    struct TaskRunVisit: LivepatchModelVisitor {
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> UInt64 { model.taskRunMask }
    }
}
