import FilterLock
import KLPEngine
import XCTest

final class LimitTests: XCTestCase {
    private func explore(_ n: Int, _ options: SearchOptions) throws -> SearchReport<UInt64> {
        try XCTUnwrap(FilterLockModel(processes: n)).explore(options: options)
    }

    private func checkStopped(
        _ report: SearchReport<UInt64>, by limit: SearchLimit, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(report.statistics.limit, limit, file: file, line: line)
        XCTAssertFalse(report.statistics.complete, file: file, line: line)
        XCTAssertEqual(report.statuses, [.undecided], "no violation exists, none may be claimed", file: file, line: line)
        XCTAssertLessThan(report.statistics.states, 125_895, file: file, line: line)
    }

    func testMaxStates() throws {
        for threads in [1, 2] {
            let report = try explore(4, SearchOptions(threads: threads, visited: .hash, maxStates: 1000))
            checkStopped(report, by: .states)
            XCTAssertLessThanOrEqual(report.statistics.states, 1000, "threads \(threads)")
            XCTAssertGreaterThan(report.statistics.states, 0)
            XCTAssertGreaterThan(report.statistics.transitions, 0)
        }
    }

    func testMaxStatesAtEveryBoundKeepsTheBound() throws {
        // Limits smaller than one state's successors, and around level sizes.
        for maxStates: UInt64 in [1, 2, 7, 8, 9, 100, 2_491] {
            let report = try explore(3, SearchOptions(threads: 2, visited: .hash, maxStates: maxStates))
            XCTAssertEqual(report.statistics.limit, .states, "max \(maxStates)")
            XCTAssertLessThanOrEqual(report.statistics.states, maxStates, "max \(maxStates)")
            XCTAssertFalse(report.statistics.complete)
            XCTAssertEqual(report.statuses, [.undecided])
        }
        // A limit the space fits in changes nothing.
        let roomy = try explore(3, SearchOptions(threads: 2, visited: .hash, maxStates: 1_000_000))
        XCTAssertNil(roomy.statistics.limit)
        XCTAssertEqual(roomy.statistics.states, 2_492)
        XCTAssertEqual(roomy.statuses, [.holds])
    }

    func testTimeLimit() throws {
        let report = try explore(4, SearchOptions(threads: 2, visited: .hash, timeLimit: 0.000001))
        checkStopped(report, by: .time)
    }

    func testMemoryLimitReachedWhileGrowing() throws {
        // Room for the hash set's first tables (128 KiB) but not for the whole space.
        for threads in [1, 2] {
            let report = try explore(4, SearchOptions(threads: threads, visited: .hash, maxMemoryBytes: 256 << 10))
            checkStopped(report, by: .memory)
            XCTAssertLessThanOrEqual(report.statistics.engineMemoryBytes, 256 << 10, "the budget is never exceeded")
        }
    }

    func testBitmapRefusedByMemoryBudget() throws {
        // N = 3's bitmap takes 32 MiB: refused before anything is allocated.
        XCTAssertThrowsError(try explore(3, SearchOptions(threads: 2, visited: .bitmap, maxMemoryBytes: 64 << 10))) { error in
            XCTAssertEqual(error as? ExplorerError, .bitmapTooLarge(needed: 32 << 20, allowed: 32 << 10))
        }
    }

    func testTinyMemoryBudgetStopsCleanly() throws {
        // 64 KiB is less than the hash set's first tables: the search must stop
        // with limit .memory, not crash. Run in a child process because it did.
        try runIsolated(self) {
            for visited: VisitedKind in [.hash, .auto] {
                let report = try explore(4, SearchOptions(threads: 2, visited: visited, maxMemoryBytes: 64 << 10))
                XCTAssertEqual(report.statistics.limit, .memory, "\(visited)")
                XCTAssertEqual(report.statistics.states, 0)
                XCTAssertFalse(report.statistics.complete)
                XCTAssertEqual(report.statuses, [.undecided])
            }
        }
    }
}
