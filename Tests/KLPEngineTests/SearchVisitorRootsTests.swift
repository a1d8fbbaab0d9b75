import FilterLock
import KLPEngine
import XCTest

/// A counter modulo 5 that steps up by one or two; a step that wraps past 4
/// breaks the step property `wrap`.
private struct WrappingCounter: SearchedAsAnyTransitionSystem {
    var properties: [PropertyDescriptor] { [PropertyDescriptor(name: "wrap", kind: .step)] }
    var maxSuccessors: Int { 2 }
    func initialStates(into sink: inout SuccessorSink<UInt64>) { sink.emit(0, action: 0) }
    func successors(of state: UInt64, into sink: inout SuccessorSink<UInt64>) {
        for stride: UInt64 in [1, 2] {
            let next = state + stride
            sink.emit(next % 5, action: UInt32(stride), violating: next >= 5 ? PropertySet(index: 0) : [])
        }
    }
}

/// The visiting hook's step properties, its steps near the state limit, and
/// a search started from given states (`RootedSystem`).
final class SearchVisitorRootsTests: XCTestCase {
    func testTheVisitorSeesTheStepPropertiesEachStepBreaks() throws {
        let collector = RecordingVisitor()
        // Nothing checked: the search still shows what the model emitted.
        let report = try Explorer.exploreOverHashSet(
            AnyTransitionSystem(WrappingCounter()), options: SearchOptions(threads: 1, visited: .hash, checked: []),
            visitor: collector)
        XCTAssertEqual(report.statistics.states, 5)
        XCTAssertEqual(collector.steps.count, 10)
        let wrapping = collector.steps.filter { !$0.violating.isEmpty }.map { "\($0.source)+\($0.action)" }
        XCTAssertEqual(Set(wrapping), ["3+2", "4+1", "4+2"])
        XCTAssertTrue(collector.steps.filter { !$0.violating.isEmpty }.allSatisfy { $0.violating == PropertySet(index: 0) })
    }

    func testAWorldOfExactlyTheStateLimitIsVisitedWhole() throws {
        // At the limit the search expands one state at a time on one thread
        // (`expandNearLimit`): its steps must be shown there too.
        let model = try XCTUnwrap(FilterLockModel(processes: 3))
        for threads in [1, 2] {
            let collector = RecordingVisitor()
            let report = try Explorer.exploreOverHashSet(
                AnyTransitionSystem(model), options: SearchOptions(threads: threads, visited: .hash, maxStates: 2_492),
                visitor: collector)
            XCTAssertNil(report.statistics.limit, "\(threads) threads")
            XCTAssertEqual(report.statistics.states, 2_492)
            XCTAssertEqual(collector.states.count, 2_492)
            XCTAssertEqual(report.statistics.transitions, 6_487)
            XCTAssertEqual(collector.steps.count, 6_487, "every step, those near the limit too (\(threads) threads)")
        }
    }

    func testARootedSearchExploresWhatIsReachableFromItsRoots() throws {
        let model = WrappingCounter()
        // Every counter value reaches every other: from any root, all 5
        // (nothing checked, so no violated `wrap` ends the search early).
        for root: UInt64 in [0, 3] {
            let collector = RecordingVisitor()
            let report = try Explorer.exploreOverHashSet(
                AnyTransitionSystem(RootedSystem(model, from: [root])),
                options: SearchOptions(threads: 1, visited: .hash, checked: []),
                visitor: collector)
            XCTAssertEqual(collector.states.first?.state, root, "the root is the first state stored")
            XCTAssertEqual(report.statistics.states, 5)
            XCTAssertEqual(report.statistics.transitions, 10)
        }
        // From a filter-lock state three steps in: exactly the states a
        // plain search from it finds.
        let lock = try XCTUnwrap(FilterLockModel(processes: 2))
        var sink = SuccessorSink<UInt64>(capacity: lock.maxSuccessors)
        defer { sink.deallocate() }
        lock.initialStates(into: &sink)
        var root = sink.state(at: 0)
        for _ in 0..<3 {
            sink.reset()
            lock.successors(of: root, into: &sink)
            root = sink.state(at: 0)
        }
        var seen: Set<UInt64> = [root]
        var frontier = [root]
        while let state = frontier.popLast() {
            sink.reset()
            lock.successors(of: state, into: &sink)
            for index in 0..<sink.count where seen.insert(sink.state(at: index)).inserted { frontier.append(sink.state(at: index)) }
        }
        let collector = RecordingVisitor()
        let report = try Explorer.exploreOverHashSet(
            AnyTransitionSystem(RootedSystem(lock, from: [root])), options: SearchOptions(threads: 1, visited: .hash),
            visitor: collector)
        XCTAssertEqual(Set(collector.states.map(\.state)), seen)
        XCTAssertEqual(report.statistics.states, UInt64(seen.count))
        XCTAssertEqual(report.statuses, [.holds])
    }
}
