import KLPEngine
import XCTest

/// The example model of the KLPEngine catalog's "Writing a model" article
/// (Sources/KLPEngine/KLPEngine.docc/WritingAModel.md), word for word, so
/// that the counts and the trace the article states are the engine's.
///
/// Two processes each add one to a shared counter in two steps: they read
/// it into a private copy, then write the copy plus one back.
struct LostUpdate: TransitionSystem {
    typealias State = UInt64

    /// The counter, then each process's copy and program counter, two bits each.
    static let counter = BitField(word: 0, shift: 0, width: 2)
    static func copy(_ i: Int) -> BitField { BitField(word: 0, shift: 2 + 4 * i, width: 2) }
    static func pc(_ i: Int) -> BitField { BitField(word: 0, shift: 4 + 4 * i, width: 2) }

    var properties: [PropertyDescriptor] {
        [
            PropertyDescriptor(name: "sum", kind: .invariant),
            PropertyDescriptor(name: "both-finish", kind: .possibility),
        ]
    }

    var maxSuccessors: Int { 2 }

    /// Every state uses the low 10 bits.
    var denseStateCount: UInt64? { 1 << 10 }

    func initialStates(into sink: inout SuccessorSink<UInt64>) {
        sink.emit(0, action: 0)
    }

    /// Action 2i + 1 is process i's read, 2i + 2 its write.
    func successors(of state: UInt64, into sink: inout SuccessorSink<UInt64>) {
        for i in 0..<2 {
            var next = state
            switch state[Self.pc(i)] {
            case 0:
                next[Self.copy(i)] = state[Self.counter]
                next[Self.pc(i)] = 1
            case 1:
                next[Self.counter] = state[Self.copy(i)] + 1
                next[Self.pc(i)] = 2
            default:
                continue
            }
            sink.emit(next, action: UInt32(2 * i + state[Self.pc(i)] + 1))
        }
    }

    /// `sum`: once both processes are done, the counter is 2.
    func invariantViolations(of state: UInt64, checked: PropertySet) -> PropertySet {
        let done = state[Self.pc(0)] == 2 && state[Self.pc(1)] == 2
        return done && state[Self.counter] != 2 ? checked.intersection(PropertySet(index: 0)) : []
    }

    /// `both-finish`: both processes are done.
    func isGoal(_ state: UInt64, property: Int) -> Bool {
        state[Self.pc(0)] == 2 && state[Self.pc(1)] == 2
    }
}

/// Outside the article's code: its default search would be one more copy
/// of the search in release builds.
extension LostUpdate: SearchedAsAnyTransitionSystem {}

final class LostUpdateExampleTests: XCTestCase {
    /// 13 states, 14 transitions, depth 4 (counted by hand in the article);
    /// `sum` broken by the lost update P0 read, P1 read, P0 write, P1 write;
    /// `both-finish` holds. The same with every visited set and thread count.
    func testTheArticlesCountsAndTrace() throws {
        for (visited, threads) in [(VisitedKind.auto, 1), (.bitmap, 2), (.hash, 1), (.hash, 2)] {
            let report = try Explorer.explore(
                AnyTransitionSystem(LostUpdate()), options: SearchOptions(threads: threads, visited: visited))
            let statistics = report.statistics
            XCTAssertEqual(statistics.states, 13, "\(visited), \(threads) threads")
            XCTAssertEqual(statistics.transitions, 14)
            XCTAssertEqual(statistics.depth, 4)
            XCTAssertTrue(statistics.complete)
            XCTAssertEqual(statistics.visited, visited == .hash ? .hash : .bitmap, "auto picks the bitmap")
            let trace = try XCTUnwrap(report.statuses[0].trace, "sum is violated with a trace")
            XCTAssertEqual(trace.initial, 0)
            XCTAssertEqual(trace.steps.map(\.action), [1, 3, 2, 4])
            XCTAssertEqual(trace.last[LostUpdate.counter], 1, "one update is lost")
            XCTAssertEqual(report.statuses[1], .holds)
        }
    }
}
