import Foundation
import XCTest

@testable import Livepatch

/// A replay reproduces a trace: where it belongs in a scenario, and a step
/// that cannot happen where the replay has got to.
final class ScenarioReplayTests: XCTestCase {
    static let world = """
        tasks 1
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        """

    func diagnostics(_ text: String) -> [String] {
        do {
            _ = try Scenario.parse(text, file: "s.txt")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    /// BUG: `step` lines ran in a file without `replay`, and `replay` was
    /// taken anywhere and any number of times.
    func testReplayComesFirstAndOnce() {
        XCTAssertEqual(
            diagnostics("step load P\n"),
            ["s.txt:1:1: error: a 'step' line runs only in a replay file: begin the file with a 'replay' line"])
        XCTAssertEqual(
            diagnostics("insmod test_modules/P.ko\n  replay\nstep complete\n"),
            [
                "s.txt:2:3: error: 'replay' must come before every command; line 1 has one",
                "s.txt:3:1: error: a 'step' line runs only in a replay file: begin the file with a 'replay' line",
            ])
        XCTAssertEqual(
            diagnostics("replay\nstep load P\n# again\nreplay\n"),
            ["s.txt:4:1: error: a second 'replay' line; the first is on line 1"])
        XCTAssertEqual(
            diagnostics("step load P\nreplay\n"),
            [
                "s.txt:1:1: error: a 'step' line runs only in a replay file: begin the file with a 'replay' line",
                "s.txt:2:1: error: 'replay' must come before every command; line 1 has one",
            ])
        // Comments and blank lines may come first, as `verify --trace-out` writes them.
        XCTAssertEqual(diagnostics("# a trace\n\nreplay\nstep load P\n"), [])
        XCTAssertEqual(diagnostics("replay # mode\nstep load P\n"), [])
    }

    /// BUG: a step that cannot happen printed "skipped" and the run went on
    /// as if the replay had reproduced its trace. It is reported, with its line.
    func testAnImpossibleStepIsReportedWithItsLine() throws {
        let world = try ModelParser.parse(Self.world, file: "w.klp")
        let text = "replay\nstep load P\nstep complete\nstep switch task\nstep complete\nstep switch task\n"
        let scenario = try Scenario.parse(text, file: "s.txt")
        let outcome = try ScenarioRunner.run(scenario, file: "s.txt", world: world)
        // `complete` before the task switched, and a task switch with no transition, cannot happen.
        XCTAssertEqual(
            outcome.impossibleSteps,
            [
                ScenarioImpossibleStep(location: SourceLocation(file: "s.txt", line: 3, column: 1), step: "step complete"),
                ScenarioImpossibleStep(location: SourceLocation(file: "s.txt", line: 6, column: 1), step: "step switch task"),
            ])
        XCTAssertEqual(outcome.violations, [])
        let skipped = "klpcheck: this step cannot happen here (its guard does not hold); skipped"
        XCTAssertEqual(outcome.output.filter { $0 == skipped }.count, 2)
    }

    /// A replay whose every step happens reports none.
    func testAPossibleReplayReportsNothing() throws {
        let world = try ModelParser.parse(Self.world, file: "w.klp")
        let scenario = try Scenario.parse("replay\nstep load P\nstep switch task\nstep complete\n", file: "s.txt")
        let outcome = try ScenarioRunner.run(scenario, file: "s.txt", world: world)
        XCTAssertEqual(outcome.impossibleSteps, [])
        XCTAssertEqual(outcome.violations, [])
        XCTAssertTrue(outcome.output.contains("livepatch: 'P': patching complete"), "\(outcome.output)")
    }
}
