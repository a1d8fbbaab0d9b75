import FilterLock
import KLPEngine
import XCTest

/// A stop request ends a search as a limit does: limit `interrupted`,
/// incomplete, nothing claimed.
final class StopRequestTests: XCTestCase {
    private func explore(_ options: SearchOptions) throws -> SearchReport<UInt64> {
        try XCTUnwrap(FilterLockModel(processes: 4)).explore(options: options)
    }

    func testARequestMadeBeforeTheSearchStopsItAfterTheInitialState() throws {
        for threads in [1, 2] {
            let stop = StopRequest()
            stop.request()
            let report = try explore(SearchOptions(threads: threads, visited: .hash, stop: stop))
            XCTAssertEqual(report.statistics.limit, .interrupted)
            XCTAssertFalse(report.statistics.complete)
            XCTAssertEqual(report.statistics.states, 1, "only the initial state, threads \(threads)")
            XCTAssertEqual(report.statistics.transitions, 0)
            XCTAssertEqual(report.statuses, [.undecided])
        }
    }

    func testARequestDuringTheSearchStopsItEarly() throws {
        let stop = StopRequest()
        var options = SearchOptions(threads: 2, visited: .hash, progressInterval: 0, stop: stop)
        // Progress is shown between rounds: ask for the stop there, from the search itself.
        options.progress = { progress in if progress.states > 0 { stop.request() } }
        let report = try explore(options)
        XCTAssertEqual(report.statistics.limit, .interrupted)
        XCTAssertFalse(report.statistics.complete)
        XCTAssertGreaterThan(report.statistics.states, 1)
        XCTAssertLessThan(report.statistics.states, 125_895)
        XCTAssertEqual(report.statuses, [.undecided])
    }

    func testNoRequestLeavesTheSearchComplete() throws {
        let report = try explore(SearchOptions(threads: 2, visited: .hash, stop: StopRequest()))
        XCTAssertNil(report.statistics.limit)
        XCTAssertEqual(report.statistics.states, 125_895)
        XCTAssertEqual(report.statuses, [.holds])
    }
}
