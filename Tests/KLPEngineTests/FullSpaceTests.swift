import KLPEngine
import XCTest

/// `SearchReport.fullSpace`: the size of the full state space, from the
/// stored states or, for a model that folds states, from their weights
/// (`TransitionSystem.representedStates(by:)`).
final class FullSpaceTests: XCTestCase {
    /// `dials` dials of three positions each (two bits per dial); a step
    /// turns one dial forward. The full space has 3^n states and n·3^n
    /// steps. Folded, a state keeps the dials sorted, one state per multiset
    /// of positions; its orbit is n! over the factorials of equal runs.
    /// With `badPosition`, an invariant fails when every dial shows it.
    struct Dials: SearchedAsAnyTransitionSystem {
        typealias State = UInt64
        var dials: Int
        var folds: Bool
        var badPosition: UInt64?
        var counts = true

        var properties: [PropertyDescriptor] { [PropertyDescriptor(name: "not-all-bad", kind: .invariant)] }
        var maxSuccessors: Int { dials }
        var foldsStates: Bool { folds }
        var countsFullSpace: Bool { counts }
        var denseStateCount: UInt64? { UInt64(1) << UInt64(2 * dials) }

        func position(_ state: UInt64, _ dial: Int) -> UInt64 { (state >> UInt64(2 * dial)) & 3 }

        func initialStates(into sink: inout SuccessorSink<UInt64>) { sink.emit(0, action: 0) }

        func successors(of state: UInt64, into sink: inout SuccessorSink<UInt64>) {
            for dial in 0..<dials {
                let turned = (position(state, dial) + 1) % 3
                let next = state & ~(3 << UInt64(2 * dial)) | turned << UInt64(2 * dial)
                sink.emit(folds ? sorted(next) : next, action: UInt32(dial + 1))
            }
        }

        func sorted(_ state: UInt64) -> UInt64 {
            (0..<dials).map { position(state, $0) }.sorted().enumerated()
                .reduce(0) { $0 | $1.element << UInt64(2 * $1.offset) }
        }

        func representedStates(by state: UInt64) -> Double {
            var size = (1...dials).reduce(1.0) { $0 * Double($1) }
            for value in 0..<UInt64(3) {
                let run = (0..<dials).filter { position(state, $0) == value }.count
                if run > 1 { size /= (1...run).reduce(1.0) { $0 * Double($1) } }
            }
            return size
        }

        func invariantViolations(of state: UInt64, checked: PropertySet) -> PropertySet {
            guard let badPosition, checked.contains(index: 0) else { return [] }
            return (0..<dials).allSatisfy { position(state, $0) == badPosition } ? PropertySet(index: 0) : []
        }
    }

    func options(threads: Int, visited: VisitedKind = .hash) -> SearchOptions {
        var options = SearchOptions()
        options.threads = threads
        options.visited = visited
        return options
    }

    func testWithoutFoldingTheFullSpaceIsWhatTheSearchStored() throws {
        let report = try Explorer.exploreOverHashSet(
            AnyTransitionSystem(Dials(dials: 4, folds: false)), options: options(threads: 1))
        XCTAssertEqual(report.statistics.states, 81)
        XCTAssertEqual(report.statistics.transitions, 324)
        XCTAssertEqual(report.fullSpace, SpaceSize(states: 81, transitions: 324))
    }

    func testFoldedStatesCountTheirOrbitsOnEveryThreadCountAndSet() throws {
        for (dials, threads, visited) in [(4, 1, VisitedKind.hash), (5, 2, .hash), (6, 2, .tree), (6, 1, .bitmap)] {
            let report = try Explorer.explore(
                AnyTransitionSystem(Dials(dials: dials, folds: true)), options: options(threads: threads, visited: visited))
            // Multisets of `dials` positions out of three: C(dials + 2, 2).
            XCTAssertEqual(report.statistics.states, UInt64((dials + 2) * (dials + 1) / 2), "\(dials) dials")
            var full = UInt64(1)
            for _ in 0..<dials { full *= 3 }
            XCTAssertEqual(report.fullSpace, SpaceSize(states: full, transitions: UInt64(dials) * full), "\(dials) dials, \(visited)")
        }
    }

    func testARootedSystemWeighsAsItsBaseDoes() throws {
        let rooted = RootedSystem(Dials(dials: 5, folds: true), from: [0])
        XCTAssertTrue(rooted.foldsStates)
        let report = try Explorer.exploreOverHashSet(AnyTransitionSystem(rooted), options: options(threads: 2))
        XCTAssertEqual(report.fullSpace, SpaceSize(states: 243, transitions: 5 * 243))
    }

    func testWeightsThatDoNotCountTheFullSpaceGiveNone() throws {
        var dials = Dials(dials: 5, folds: true)
        dials.counts = false
        let report = try Explorer.exploreOverHashSet(AnyTransitionSystem(dials), options: options(threads: 2))
        XCTAssertTrue(report.statistics.complete)
        XCTAssertEqual(report.statistics.states, 21)
        XCTAssertNil(report.fullSpace)
        XCTAssertNil(try Explorer.exploreOverHashSet(AnyTransitionSystem(RootedSystem(dials, from: [0])), options: options(threads: 1)).fullSpace)
    }

    func testASearchThatStopsAtItsViolationDoesNotKnowTheFullSpace() throws {
        // Every dial at 1 is reached at level 4 of 9: the search stops there.
        let report = try Explorer.exploreOverHashSet(
            AnyTransitionSystem(Dials(dials: 4, folds: true, badPosition: 1)), options: options(threads: 1))
        XCTAssertTrue(report.hasViolation)
        XCTAssertTrue(report.statistics.complete)
        XCTAssertLessThan(report.statistics.depth, 8)
        XCTAssertNil(report.fullSpace)
        // Unfolded too: the states stored are not the whole space.
        let unfolded = AnyTransitionSystem(Dials(dials: 4, folds: false, badPosition: 1))
        XCTAssertNil(try Explorer.exploreOverHashSet(unfolded, options: options(threads: 2)).fullSpace)
    }

    func testASearchStoppedByALimitDoesNotKnowTheFullSpace() throws {
        var limited = options(threads: 1)
        limited.maxStates = 10
        let report = try Explorer.exploreOverHashSet(AnyTransitionSystem(Dials(dials: 4, folds: true)), options: limited)
        XCTAssertEqual(report.statistics.limit, .states)
        XCTAssertNil(report.fullSpace)
    }
}
