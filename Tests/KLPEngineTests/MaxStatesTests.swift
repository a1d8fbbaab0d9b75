import FilterLock
import KLPEngine
import XCTest

/// `maxStates` means "stop before storing more than N states": a space of
/// exactly N states completes with N, one of N + 1 stops with N stored.
///
/// BUG: each round was granted room for every successor a state may have
/// (the model's `maxSuccessors`) per state expanded, and the search stopped
/// as soon as the room left was less than one state's worth, however few of
/// those successors were new: a world of N states stopped before N.
final class MaxStatesTests: XCTestCase {
    /// Filter lock, N = 3: 2,492 states, mutual exclusion holds.
    static let states: UInt64 = 2_492

    private func explore(_ options: SearchOptions) throws -> SearchReport<UInt64> {
        try XCTUnwrap(FilterLockModel(processes: 3)).explore(options: options)
    }

    func testALimitEqualToTheStateCountCompletes() throws {
        for visited: VisitedKind in [.hash, .bitmap] {
            for threads in [1, 2] {
                let what = "\(visited), \(threads) threads"
                let report = try explore(SearchOptions(threads: threads, visited: visited, maxStates: Self.states))
                XCTAssertNil(report.statistics.limit, what)
                XCTAssertTrue(report.statistics.complete, what)
                XCTAssertEqual(report.statistics.states, Self.states, what)
                XCTAssertEqual(report.statistics.transitions, 6_487, what)
                XCTAssertEqual(report.statistics.depth, 47, what)
                XCTAssertEqual(report.statuses, [.holds], what)
            }
        }
    }

    func testALimitOneBelowTheStateCountStopsWithThatManyStored() throws {
        for visited: VisitedKind in [.hash, .bitmap] {
            for threads in [1, 2] {
                let what = "\(visited), \(threads) threads"
                let report = try explore(SearchOptions(threads: threads, visited: visited, maxStates: Self.states - 1))
                XCTAssertEqual(report.statistics.limit, .states, what)
                XCTAssertFalse(report.statistics.complete, what)
                XCTAssertEqual(report.statistics.states, Self.states - 1, what)
                XCTAssertEqual(report.statuses, [.undecided], what)
            }
        }
    }

    /// Every limit from 1 to the count: exactly min(limit, count) stored,
    /// and complete exactly when the limit is at least the count.
    func testEveryLimitStoresExactlyThatMany() throws {
        let model = try XCTUnwrap(FilterLockModel(processes: 2))
        let full = try model.explore(options: SearchOptions(threads: 1, visited: .hash))
        let count = full.statistics.states
        XCTAssertTrue(full.statistics.complete)
        for limit in 1...(count + 1) {
            for threads in [1, 2] {
                let report = try model.explore(options: SearchOptions(threads: threads, visited: .hash, maxStates: limit))
                let what = "limit \(limit) of \(count), \(threads) threads"
                XCTAssertEqual(report.statistics.states, min(limit, count), what)
                XCTAssertEqual(report.statistics.complete, limit >= count, what)
                XCTAssertEqual(report.statistics.limit, limit >= count ? nil : .states, what)
            }
        }
    }

    /// A bitstate set cannot tell a stored state from a new one without
    /// inserting it, so it stops at the limit; it never stores more.
    func testBitstateNeverStoresMoreThanTheLimit() throws {
        let report = try explore(SearchOptions(threads: 2, visited: .bitstate, maxStates: 1_000, bitstateLog2Bits: 20))
        XCTAssertEqual(report.statistics.limit, .states)
        XCTAssertEqual(report.statistics.states, 1_000)
    }
}
