import KLPEngine
import XCTest

@testable import Livepatch

/// The `run` command's progress check: after each line, from the current
/// state, a bounded breadth-first search looks for a state with no
/// transition.
final class ScenarioProgressTests: XCTestCase {
    /// A core on which no task switches once a transition was reversed:
    /// with two tasks, a reversed transition can end in neither direction.
    static let stuckWorld = """
        core no-switch-after-reverse
        tasks 2
        patch demo
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        check all

        """

    func outcome(_ lines: [String]) throws -> ScenarioOutcome {
        let world = try ModelParser.parse(Self.stuckWorld, file: "stuck.klp")
        let scenario = try Scenario.parse((["replay"] + lines).joined(separator: "\n") + "\n", file: "stuck.scenario")
        return try ScenarioRunner.run(scenario, file: "stuck.scenario", world: world)
    }

    func testAReversedTransitionThatCannotEndBreaksProgressWithTheStatesSearched() throws {
        let outcome = try outcome(["step load demo", "step switch task", "step disable demo"])
        XCTAssertEqual(outcome.violations.map(\.property), [.progress])
        XCTAssertEqual(outcome.violations.first?.location.line, 4)
        // From there only the other task's switch back is possible (2 states).
        XCTAssertEqual(
            outcome.violations.first?.reason,
            "from here no sequence of events ends the transition of 'demo' (2 reachable states searched)")
    }

    func testATransitionThatCanStillEndIsNoViolation() throws {
        // Mid-transition, not reversed: both tasks may switch and it completes.
        let outcome = try outcome(["step load demo", "step switch task"])
        XCTAssertEqual(outcome.violations.map(\.property), [])
    }

    func testASearchCutShortByItsBoundClaimsNothing() throws {
        let world = CompiledWorld(try ModelParser.parse(Self.stuckWorld, file: "stuck.klp"), symmetry: true)
        for (limit, expected) in [(1, 0), (2, 1)] {
            var execution = Execution<UInt64>(world: world, checked: [.progress])
            for event in [LivepatchEvent(.loadPatch, 0), LivepatchEvent(.switchTask, 0), LivepatchEvent(.disablePatch, 0)] {
                let result = execution.fire(event)
                XCTAssertEqual(result, EventResult.done, "\(event)")
            }
            // Two states are reachable: one state is too few to decide, two are enough.
            execution.checkProgress(limit: limit)
            XCTAssertEqual(execution.violations.count, expected, "limit \(limit)")
        }
    }
}
