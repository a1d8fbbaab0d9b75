import FilterLock
import KLPEngine
import XCTest

/// The engine's visiting hook: it sees each stored state once, at its BFS
/// level, and each step the search fires once.
final class SearchVisitorTests: XCTestCase {
    /// Every reachable state of `model` with its BFS level, and every step,
    /// by a plain breadth-first search over the model's successors.
    private func plainSearch(_ model: FilterLockModel) -> (levels: [UInt64: Int], steps: [RecordingVisitor.Step]) {
        var sink = SuccessorSink<UInt64>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        model.initialStates(into: &sink)
        var levels: [UInt64: Int] = [:]
        var frontier = (0..<sink.count).map { sink.state(at: $0) }
        for state in frontier { levels[state] = 0 }
        var steps: [RecordingVisitor.Step] = []
        var level = 0
        while !frontier.isEmpty {
            level += 1
            var next: [UInt64] = []
            for state in frontier {
                sink.reset()
                model.successors(of: state, into: &sink)
                for index in 0..<sink.count {
                    let target = sink.state(at: index)
                    steps.append(
                        .init(source: state, action: sink.action(at: index), target: target, violating: sink.violations(at: index)))
                    if levels[target] == nil {
                        levels[target] = level
                        next.append(target)
                    }
                }
            }
            frontier = next
        }
        return (levels, steps)
    }

    func testTheVisitorSeesEveryStateOnceAtItsLevelAndEveryStep() throws {
        let model = try XCTUnwrap(FilterLockModel(processes: 3))
        let plain = plainSearch(model)
        XCTAssertEqual(plain.levels.count, 2_492)
        XCTAssertEqual(plain.steps.count, 6_487)
        for threads in [1, 2] {
            for visited: VisitedKind in [.hash, .bitmap] {
                let visitor = RecordingVisitor()
                let report = try Explorer.explore(
                    AnyTransitionSystem(model), options: SearchOptions(threads: threads, visited: visited), visitor: visitor)
                let what = "\(threads) threads, \(visited)"
                XCTAssertEqual(report.statuses, [.holds], what)
                XCTAssertEqual(visitor.states.count, 2_492, what)
                XCTAssertEqual(report.statistics.states, UInt64(visitor.states.count), what)
                XCTAssertEqual(
                    Dictionary(visitor.states.map { ($0.state, $0.level) }, uniquingKeysWith: { first, _ in first }), plain.levels,
                    "each state once, at its BFS level: \(what)")
                XCTAssertEqual(visitor.states.map(\.level).max(), report.statistics.depth, what)
                XCTAssertEqual(visitor.steps.count, 6_487, what)
                XCTAssertEqual(report.statistics.transitions, UInt64(visitor.steps.count), what)
                XCTAssertEqual(Set(visitor.steps), Set(plain.steps), "the very steps: \(what)")
                XCTAssertTrue(visitor.workers.isSubset(of: Set(0..<threads)), "worker indices: \(visitor.workers)")
            }
        }
    }

    func testTheTraceReSearchIsNotVisited() throws {
        // The buggy filter lock at N = 3 breaks mutex: traces are rebuilt by a
        // second search, which the visitor must not see.
        let model = try XCTUnwrap(FilterLockModel(processes: 3, bug: true))
        let visitor = RecordingVisitor()
        let report = try Explorer.exploreOverHashSet(
            AnyTransitionSystem(model), options: SearchOptions(threads: 1, visited: .hash), visitor: visitor)
        XCTAssertNotNil(report.statuses.first?.trace)
        XCTAssertEqual(UInt64(visitor.states.count), report.statistics.states)
        XCTAssertEqual(Set(visitor.states.map(\.state)).count, visitor.states.count, "no state twice")
        XCTAssertEqual(UInt64(visitor.steps.count), report.statistics.transitions)
    }
}
