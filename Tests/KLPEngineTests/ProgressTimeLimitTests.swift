import Foundation
import KLPEngine
import XCTest

/// `--time-limit` bounds the whole run: the progress check after the search
/// stops at it too and leaves `progress` undecided (it used to run to its
/// end, so a run could pass its limit and still exit 0).
final class ProgressTimeLimitTests: XCTestCase {
    /// A star: state 0, the goal, steps to each of `leaves` states, each of
    /// which steps back. Deciding a state's goal takes `goalMicroseconds`,
    /// so the progress check takes at least leaves times that, while the
    /// search (which never asks) takes two levels.
    struct SlowGoalStar: SearchedAsAnyTransitionSystem {
        typealias State = UInt64
        var leaves: Int
        var goalMicroseconds: UInt32
        var properties: [PropertyDescriptor] { [PropertyDescriptor(name: "progress", kind: .possibility)] }
        var maxSuccessors: Int { leaves }
        func initialStates(into sink: inout SuccessorSink<UInt64>) { sink.emit(0, action: 0) }
        func successors(of state: UInt64, into sink: inout SuccessorSink<UInt64>) {
            if state == 0 {
                for leaf in 1...leaves { sink.emit(UInt64(leaf), action: 1) }
            } else {
                sink.emit(0, action: 2)
            }
        }
        func isGoal(_ state: UInt64, property: Int) -> Bool {
            usleep(goalMicroseconds)
            return state == 0
        }
    }

    func testTheProgressCheckStopsAtTheTimeLimit() throws {
        let star = SlowGoalStar(leaves: 8_000, goalMicroseconds: 500)
        // At least 4 s of goal reads against a 0.2 s limit. Whether the limit
        // falls in the search (on a slow machine) or in the check, the run
        // is incomplete and `progress` undecided.
        let limited = try Explorer.explore(
            AnyTransitionSystem(star), options: SearchOptions(threads: 1, visited: .hash, timeLimit: 0.2))
        XCTAssertEqual(limited.statistics.limit, .time)
        XCTAssertFalse(limited.statistics.complete)
        XCTAssertEqual(limited.statuses, [.undecided])
        XCTAssertLessThan(limited.statistics.totalSeconds, 3, "stopped within 1,024 goal reads of the limit, not after all 8,001")
        // Without a limit the same check completes and holds.
        let quick = SlowGoalStar(leaves: 4_000, goalMicroseconds: 0)
        let whole = try Explorer.explore(AnyTransitionSystem(quick), options: SearchOptions(threads: 1, visited: .hash))
        XCTAssertEqual(whole.statuses, [.holds])
        XCTAssertEqual(whole.statistics.states, 4_001)
    }
}
