import XCTest

@testable import Livepatch

extension XCTestCase {
    /// Asserts that `counterexample`'s scenario replays through `klpcheck
    /// run`'s library call on `world` with no impossible step, to the
    /// property it breaks (`progress`: to its end). Returns whether it had a
    /// scenario to replay.
    @discardableResult
    func assertReplays(
        _ counterexample: Counterexample, in world: World, _ context: @autoclosure () -> String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> Bool {
        guard let scenario = counterexample.trace.scenario else { return false }
        let run = try ScenarioRunner.run(try Scenario.parse(scenario, file: "trace.scn"), file: "trace.scn", world: world)
        XCTAssertTrue(run.impossibleSteps.isEmpty, "\(context())\n\(scenario)", file: file, line: line)
        let reached = (run.violations + run.findings).map(\.property.rawValue)
        XCTAssertTrue(
            reached.contains(counterexample.property) || counterexample.property == LivepatchProperty.progress.rawValue,
            "\(context()): the trace of \(counterexample.property) does not replay to it:\n\(scenario)", file: file, line: line)
        return true
    }
}
