import Foundation
import KLPEngine
import KLPTestSupport
import XCTest

@testable import Livepatch

/// Symmetry over interchangeable modules (`ModuleSymmetry`, `Reduction.moduleSymmetry`).
///
/// The reduction is sound when swapping two members' parts of a state swaps
/// the parts of every successor, with the same properties broken. The
/// tests check that rule on every reachable state of random worlds, then
/// check what it promises: the same verdicts, levels and trace lengths as
/// the full search, the full space's exact size from the orbits, and traces
/// that replay.
final class ModuleSymmetryTests: XCTestCase {
    // MARK: Which modules are interchangeable

    func testClassesFollowTheRule() throws {
        func classes(_ text: String) throws -> [[String]] {
            CompiledWorld(try ModelParser.parse(text, file: "t.klp"), symmetry: true, reduction: .moduleSymmetry).interchangeableModules
        }
        let alike = """
            module a
            module b
            module c busy
            module d busy
            module e
            patch p
              object vmlinux: pre_patch(may-fail -ENOMEM) post_unpatch
              object a: pre_patch post_unpatch
              object b: pre_patch post_unpatch
              object c: post_patch
              object d: post_patch
              object e: pre_patch
            """
        XCTAssertEqual(try classes(alike), [["a", "b"], ["c", "d"]])
        XCTAssertEqual(CompiledWorld(try ModelParser.parse(alike, file: "t.klp"), symmetry: true).interchangeableModules, [])
        // Different callbacks, a may-fail object, a may-fail object between them, a busy one.
        XCTAssertEqual(try classes("module a\nmodule b\npatch p\n  object a: pre_patch\n  object b: post_patch\n"), [])
        XCTAssertEqual(
            try classes("module a\nmodule b\npatch p\n  object a: pre_patch(may-fail -ENODEV)\n  object b: pre_patch(may-fail -ENODEV)\n"), [])
        XCTAssertEqual(try classes("module a\nmodule b\npatch p\n  object a: pre_patch patching(may-fail)\n  object b: pre_patch\n"), [])
        XCTAssertEqual(
            try classes("module a\nmodule b\npatch p\n  object a: pre_patch\n  object vmlinux: pre_patch(may-fail -ENODEV)\n  object b: pre_patch\n"),
            [])
        XCTAssertEqual(
            try classes("module a\nmodule b\npatch p\n  object vmlinux: pre_patch(may-fail -ENODEV)\n  object a: pre_patch\n  object b: pre_patch\n"),
            [["a", "b"]])
        XCTAssertEqual(try classes("module a busy\nmodule b\npatch p\n  object a: pre_patch\n  object b: pre_patch\n"), [])
        // Modules no patch touches are alike too; a replace patch gives both a nop.
        XCTAssertEqual(
            try classes("module a\nmodule b\npatch p\n  object vmlinux: pre_patch\npatch q replace\n  object vmlinux: pre_patch\n"),
            [["a", "b"]])
    }

    // MARK: The rule, state by state

    /// Swapping two members of a class commutes with taking successors, on
    /// every state reachable in random worlds (each class's transpositions
    /// of neighbours generate all its permutations).
    func testSwappingModulesCommutesWithEverySuccessor() throws {
        var random = SplitMix64(state: 0x5EED_0001)
        var compared = 0
        for round in 0..<40 {
            let text = RandomWorld.text(&random, interchangeable: true)
            let world = try ModelParser.parse(text, file: "random-\(round).klp")
            for symmetry in [true, false] {
                let compiled = CompiledWorld(world, symmetry: symmetry, reduction: .moduleSymmetry)
                guard !compiled.interchangeableModules.isEmpty else { continue }
                let problems = try compiled.withModel(SwapCheck(budget: 800))
                XCTAssertEqual(problems.differences, [], "world \(round), symmetry \(symmetry):\n\(text)")
                compared += problems.states
            }
        }
        XCTAssertGreaterThan(compared, 10_000, "too few states compared")
    }

    struct SwapCheck: LivepatchModelVisitor {
        var budget: Int

        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (differences: [String], states: Int) {
            typealias Step = ComparedStep<State>
            let plain = LivepatchModel<State>(world: model.world, reducing: false)
            let symmetry = model.world.tables.pointee.moduleSymmetry
            var sink = SuccessorSink<State>(capacity: plain.maxSuccessors)
            defer { sink.deallocate() }
            func successors(_ state: State) -> [Step: Int] {
                sink.reset()
                plain.successors(of: state, into: &sink)
                var steps: [Step: Int] = [:]
                for index in 0..<sink.count {
                    steps[Step(state: sink.state(at: index), violated: sink.violations(at: index).rawValue), default: 0] += 1
                }
                return steps
            }
            // Swaps the parts of members k and k + 1 (flat indices) of class c.
            func swap(_ state: State, _ k: Int, count: Int) -> State {
                var result = state
                let first = Int(symmetry.firstField[k])
                let second = Int(symmetry.firstField[k + 1])
                for f in 0..<count {
                    result[symmetry.fields[first + f]] = state[symmetry.fields[second + f]]
                    result[symmetry.fields[second + f]] = state[symmetry.fields[first + f]]
                }
                return result
            }
            var differences: [String] = []
            let states = walkReachableStates(budget: budget, while: { differences.count < 3 }) { (state: State) in
                let mine = successors(state)
                for c in 0..<symmetry.classCount {
                    let count = Int(symmetry.fieldCount[c])
                    for k in Int(symmetry.bounds[c])..<(Int(symmetry.bounds[c + 1]) - 1) {
                        let swapped = Dictionary(
                            uniqueKeysWithValues: mine.map { (Step(state: swap($0.key.state, k, count: count), violated: $0.key.violated), $0.value) })
                        if successors(swap(state, k, count: count)) != swapped {
                            differences.append("class \(c), members \(k) and \(k + 1), from \(model.world.describe(state))")
                        }
                    }
                }
                return mine.keys.map(\.state)
            }
            return (differences, states)
        }
    }

    // MARK: What the rule promises

    /// The reduced search gives the full search's verdicts, property by
    /// property, its depth, its trace lengths, and, from the orbits, its
    /// exact numbers of states and transitions; on random worlds with
    /// interchangeable modules, every core variant, symmetry on and off.
    func testReducedSearchAgreesWithTheFullSearch() throws {
        var random = SplitMix64(state: 0x5EED_0002)
        var reducedWorlds = 0
        var failing = 0
        var smaller = 0
        var compared = 0
        for round in 0..<200 {
            let text = RandomWorld.text(&random, interchangeable: round % 5 != 0)
            let world = try ModelParser.parse(text, file: "random-\(round).klp")
            // Symmetry on and off take turns: each world is searched twice, not four times.
            for symmetry in [round % 2 == 0] {
                var options = SearchOptions(threads: 1 + (round / 2) % 2, maxStates: 4_000)
                options.checked = world.propertiesToCheck()
                let full = try CompiledWorld(world, symmetry: symmetry, reduction: .none).verify(options: options, modelName: "m")
                guard full.statistics.complete else { continue }
                let reduced = try CompiledWorld(world, symmetry: symmetry, reduction: .moduleSymmetry).verify(options: options, modelName: "m")
                compared += 1
                let context = "world \(round), symmetry \(symmetry):\n\(text)"
                XCTAssertEqual(reduced.verdict, full.verdict, context)
                XCTAssertEqual(reduced.properties.map(\.status), full.properties.map(\.status), context)
                XCTAssertEqual(
                    reduced.violations.map { $0.trace.steps.count }, full.violations.map { $0.trace.steps.count }, context)
                XCTAssertEqual(reduced.findings.map { $0.trace.steps.count }, full.findings.map { $0.trace.steps.count }, context)
                XCTAssertEqual(full.reduction?.name, "none")
                XCTAssertEqual(full.reduction?.fullStates, full.statistics.states)
                guard reduced.reduction?.name == "module-symmetry" else { continue }
                reducedWorlds += 1
                if reduced.verdict == .fail { failing += 1 }
                if reduced.statistics.states < full.statistics.states { smaller += 1 }
                if reduced.statistics.complete {
                    XCTAssertEqual(reduced.statistics.depth, full.statistics.depth, context)
                    XCTAssertEqual(reduced.reduction?.fullStates, full.statistics.states, context)
                    XCTAssertEqual(reduced.reduction?.fullTransitions, full.statistics.transitions, context)
                }
                XCTAssertEqual(reduced.reduction?.shortestTraces, true)
            }
        }
        XCTAssertGreaterThan(compared, 130, "too few worlds small enough for the full search")
        XCTAssertGreaterThan(reducedWorlds, 60, "too few worlds with interchangeable modules")
        XCTAssertGreaterThan(failing, 15, "too few failing worlds")
        XCTAssertGreaterThan(smaller, 60, "the reduction should fold almost every world it applies to")
    }

    /// Every counterexample of a reduced search replays through `klpcheck
    /// run`'s library call to the same violation.
    func testReducedCounterexamplesReplay() throws {
        var random = SplitMix64(state: 0x5EED_0003)
        var replayed = 0
        for round in 0..<50 {
            let text = RandomWorld.text(&random, interchangeable: true)
            let world = try ModelParser.parse(text, file: "random-\(round).klp")
            var options = SearchOptions(threads: 1, maxStates: 20_000)
            options.checked = world.propertiesToCheck()
            let result = try CompiledWorld(world, symmetry: round % 2 == 0, reduction: .moduleSymmetry).verify(options: options, modelName: "m")
            guard result.reduction?.name == "module-symmetry" else { continue }
            for counterexample in result.violations + result.findings {
                if try assertReplays(counterexample, in: world, "world \(round):\n\(text)") { replayed += 1 }
            }
        }
        XCTAssertGreaterThan(replayed, 20)
    }

    /// Issue 16's series on 10 modules folds the nine that are not busy.
    func testTenModuleSeriesFoldsItsNineAlikeModules() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Models/scale/cumulative-series-m10.klp.in")
        let world = try ModelParser.parse(String(contentsOf: url, encoding: .utf8), file: "series.klp")
        XCTAssertEqual(
            CompiledWorld(world, symmetry: true, reduction: .moduleSymmetry).interchangeableModules, [(2...10).map { "mod\($0)" }])
    }

    /// The scale family's 6×6 world folds its odd and even modules.
    func testScaleFamilyClasses() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Models/scale/family/p6-m6.klp.in")
        let world = try ModelParser.parse(String(contentsOf: url, encoding: .utf8), file: "p6-m6.klp")
        XCTAssertEqual(
            CompiledWorld(world, symmetry: true, reduction: .moduleSymmetry).interchangeableModules, [["mod2", "mod4", "mod6"], ["mod3", "mod5"]])
    }
}

/// Small random worlds for the reduction's tests: modules of two or three
/// kinds, every module of a kind declared alike unless `interchangeable` is
/// false, so that most worlds have classes to fold.
enum RandomWorld {
    static func text(_ random: inout SplitMix64, interchangeable: Bool) -> String {
        func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        let callbacks = ["pre_patch", "post_patch", "pre_unpatch", "post_unpatch"]
        func someCallbacks() -> String {
            let chosen = callbacks.filter { _ in pick(3) != 0 }
            return chosen.isEmpty ? "post_patch" : chosen.joined(separator: " ")
        }
        let cores = CoreVariant.allCases
        var lines = ["core \(cores[pick(2) == 0 ? 0 : pick(cores.count)].rawValue)", "tasks \(1 + pick(2))"]
        let kinds = 1 + pick(2)
        var kindOf: [Int] = []
        for m in 0..<(2 + pick(2)) {
            let kind = m < kinds ? m % kinds : pick(kinds)
            kindOf.append(kind)
            lines.append("module m\(m)\(kind == 0 && pick(2) == 0 ? " busy" : "")")
        }
        // Busy must agree within a kind for a class: make it so most of the time.
        let busyKind0 = lines.contains { $0.hasPrefix("module m0") && $0.hasSuffix("busy") }
        for (m, kind) in kindOf.enumerated() where kind == 0 && m > 0 && interchangeable {
            lines[lines.firstIndex { $0.hasPrefix("module m\(m)") }!] = "module m\(m)\(busyKind0 ? " busy" : "")"
        }
        let patches = 1 + pick(2)
        for p in 0..<patches {
            lines.append("patch p\(p)\(p == patches - 1 && p > 0 && pick(2) == 0 ? " replace" : "")")
            let vmlinux = someCallbacks()
            lines.append("  object vmlinux: " + (pick(2) == 0 ? vmlinux.replacingOccurrences(of: "pre_patch", with: "pre_patch(may-fail -ENOMEM)") : vmlinux))
            var kindText: [Int: String] = [:]
            for kind in 0..<kinds where pick(3) != 0 {
                var text = someCallbacks() + (pick(8) == 0 ? " patching(may-fail)" : "")
                if pick(8) == 0 { text = text.replacingOccurrences(of: "pre_patch", with: "pre_patch(may-fail -ENODEV)") }
                kindText[kind] = text
            }
            for (m, kind) in kindOf.enumerated() {
                guard var text = kindText[kind] else { continue }
                if !interchangeable && pick(2) == 0 { text = someCallbacks() }
                lines.append("  object m\(m): \(text)")
            }
        }
        lines.append("check all")
        return lines.joined(separator: "\n") + "\n"
    }
}
