import Livepatch
import XCTest

/// The `run` command's progress check: after each line, from the current
/// state, the engine's search (rooted there) looks for a state with no
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
}
