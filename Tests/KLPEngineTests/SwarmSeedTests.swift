import FilterLock
@testable import KLPEngine
import XCTest

/// `SearchOptions.swarmSeed`: the successor order it gives changes nothing
/// an exact set decides (same counts, same shortest trace: the reorder keeps
/// each successor with its action), and the seeded bitstate hashes keep
/// the standard ones for seed 0 and differ for other seeds.
final class SwarmSeedTests: XCTestCase {
    func testSeededOrderOverAnExactSetChangesNothing() throws {
        let model = try XCTUnwrap(FilterLockModel(processes: 4, bug: true))
        var seeded = SearchOptions(threads: 1, visited: .hash)
        seeded.swarmSeed = 0x1234_5678_9abc_def0
        let plain = try model.explore(options: SearchOptions(threads: 1, visited: .hash))
        let reordered = try model.explore(options: seeded)
        XCTAssertEqual(reordered.statistics.states, plain.statistics.states)
        XCTAssertEqual(reordered.statistics.transitions, plain.statistics.transitions)
        XCTAssertEqual(reordered.statistics.depth, 40)
        XCTAssertEqual(try XCTUnwrap(reordered.statuses[0].trace), try XCTUnwrap(plain.statuses[0].trace))

        let passing = try XCTUnwrap(FilterLockModel(processes: 3, bug: false))
        var seededPass = SearchOptions(threads: 2, visited: .hash)
        seededPass.swarmSeed = 7
        let whole = try passing.explore(options: seededPass)
        XCTAssertEqual(whole.statistics.states, 2_492)
        XCTAssertEqual(whole.statistics.transitions, 6_487)
        XCTAssertEqual(whole.statistics.depth, 47)
    }

    func testSeededOrderPermutesEachStatesSuccessors() {
        var sink = SuccessorSink<UInt64>(capacity: 8)
        defer { sink.deallocate() }
        for value in 0..<UInt64(7) { sink.emit(100 + value, action: UInt32(value), violating: PropertySet(rawValue: value)) }
        let orders = (1...6).map { seed -> [UInt32] in
            var copy = SuccessorSink<UInt64>(capacity: 8)
            defer { copy.deallocate() }
            for index in 0..<sink.count {
                copy.emit(sink.state(at: index), action: sink.action(at: index), violating: sink.violations(at: index))
            }
            SeededOrder(seed: UInt64(seed)).reorder(&copy, 0..<copy.count, of: 42)
            for index in 0..<copy.count {
                // Each successor keeps its action and violations.
                XCTAssertEqual(copy.state(at: index), 100 + UInt64(copy.action(at: index)))
                XCTAssertEqual(copy.violations(at: index).rawValue, UInt64(copy.action(at: index)))
            }
            return (0..<copy.count).map { copy.action(at: $0) }
        }
        for order in orders { XCTAssertEqual(order.sorted(), Array(0..<7)) }
        XCTAssertGreaterThan(Set(orders).count, 1, "seeds give different orders: \(orders)")
    }

    func testSeedZeroKeepsTheStandardBitstateHashes() throws {
        let ledger = MemoryLedger(budget: 1 << 30)
        let standard = try XCTUnwrap(BitstateVisitedSet<UInt64>(log2Bits: 20, ledger: ledger))
        let zero = try XCTUnwrap(BitstateVisitedSet<UInt64>(log2Bits: 20, seed: 0, ledger: ledger))
        let one = try XCTUnwrap(BitstateVisitedSet<UInt64>(log2Bits: 20, seed: 1, ledger: ledger))
        let two = try XCTUnwrap(BitstateVisitedSet<UInt64>(log2Bits: 20, seed: 2, ledger: ledger))
        var differ = (one: 0, two: 0)
        for state in 0..<UInt64(1_000) {
            let hash = state.hash64
            // The standard fingerprint, written out: word from the hash's low bits.
            XCTAssertEqual(zero.fingerprint(hash: hash).word, Int((hash & ((1 << 20) - 1)) >> 6))
            XCTAssertTrue(zero.fingerprint(hash: hash) == standard.fingerprint(hash: hash))
            if one.fingerprint(hash: hash) != standard.fingerprint(hash: hash) { differ.one += 1 }
            if one.fingerprint(hash: hash) != two.fingerprint(hash: hash) { differ.two += 1 }
        }
        XCTAssertGreaterThan(differ.one, 990)
        XCTAssertGreaterThan(differ.two, 990)
        for set in [standard, zero, one, two] { set.free() }
    }
}
