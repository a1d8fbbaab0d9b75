@testable import KLPEngine
import XCTest

/// A level in parts: one per worker, read as one sequence, freed part by part.
final class FrontierTests: XCTestCase {
    /// A block of `count` states `first, first + 1, ...` with room for `capacity`.
    private func block(_ first: UInt64, count: Int, capacity: Int, ledger: MemoryLedger) throws -> StateBlock<UInt64> {
        let base = try XCTUnwrap(ledger.allocate(UInt64.self, count: capacity))
        for index in 0..<count { base[index] = first + UInt64(index) }
        return StateBlock(base: base, count: count, capacity: capacity)
    }

    func testPartsAreReadInOrderAndFreedAsEachIsConsumed() throws {
        let ledger = MemoryLedger(budget: 1 << 20)
        // Part 0: states 0..<10 in blocks of 4, 6; part 1: nothing (an empty
        // block); part 2: states 100..<103.
        var frontier = Frontier(
            parts: [
                [try block(0, count: 4, capacity: 4, ledger: ledger), try block(4, count: 6, capacity: 8, ledger: ledger)],
                [try block(50, count: 0, capacity: 16, ledger: ledger)],
                [try block(100, count: 3, capacity: 4, ledger: ledger)],
            ], ledger: ledger)
        XCTAssertEqual(frontier.count, 13)
        XCTAssertEqual(frontier.parts, [0..<10, 10..<10, 10..<13])
        XCTAssertEqual(ledger.currentBytes, UInt64(4 + 8 + 4) * 8, "the empty block is freed at once")
        var read: [UInt64] = []
        frontier.forEach(in: 2..<12) { read.append($0) }
        XCTAssertEqual(read, [2, 3, 4, 5, 6, 7, 8, 9, 100, 101])

        // Part 0 consumed up to 5 (its first block), part 2 wholly.
        frontier.freeBlocks(consumed: [5, 10, 13], ledger: ledger)
        XCTAssertEqual(ledger.currentBytes, 8 * 8, "only the second block of part 0 is left")
        frontier.freeBlocks(consumed: [5, 10, 13], ledger: ledger)
        XCTAssertEqual(ledger.currentBytes, 8 * 8, "freeing again frees nothing twice")
        frontier.free(ledger: ledger)
        XCTAssertEqual(ledger.currentBytes, 0)
        XCTAssertEqual(frontier.count, 0)
    }

    func testOnePartFreesByPosition() throws {
        let ledger = MemoryLedger(budget: 1 << 20)
        var frontier = Frontier(
            blocks: [try block(0, count: 3, capacity: 3, ledger: ledger), try block(3, count: 3, capacity: 3, ledger: ledger)],
            ledger: ledger)
        XCTAssertEqual(frontier.parts, [0..<6])
        frontier.freeBlocks(before: 4, ledger: ledger)
        XCTAssertEqual(ledger.currentBytes, 3 * 8)
        frontier.free(ledger: ledger)
        XCTAssertEqual(ledger.currentBytes, 0)
    }
}
