import XCTest

@testable import KLPEngine

/// The 16- and 32-word states (issue 16: worlds at the language's limits
/// need more than 8 words): every word is its own, survives a store and a
/// load, counts in the hash and in the order, and a visited set keeps
/// states that differ only in their last word apart.
final class WidePackedStateTests: XCTestCase {
    /// A state whose word i is `seed` mixed with i, so no two words are equal.
    func distinctWords<State: PackedState>(_ type: State.Type, seed: UInt64) -> State {
        var state = State.zero
        for index in 0..<State.wordCount {
            let value = mix64(seed &+ UInt64(index) &* 0x9e37_79b9_7f4a_7c15)
            // Word 0 keeps the visited sets' two flag bits clear.
            state.setWord(index, to: index == 0 ? value >> 2 : value)
        }
        return state
    }

    func checkWords<State: PackedState>(_ type: State.Type, count: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(State.wordCount, count, file: file, line: line)
        XCTAssertEqual(MemoryLayout<State>.size, count * 8, "no padding", file: file, line: line)
        XCTAssertEqual(PackedStateLayout.payloadBits(words: count), 62 + (count - 1) * 64, file: file, line: line)
        let state = distinctWords(State.self, seed: 7)
        for index in 0..<count {
            XCTAssertEqual(State.zero.word(index), 0, file: file, line: line)
            var one = State.zero
            one.setWord(index, to: 5)
            XCTAssertEqual((0..<count).map { one.word($0) }, (0..<count).map { $0 == index ? 5 : 0 }, "word \(index) alone", file: file, line: line)
            // Each word counts in equality, the hash and the order.
            var changed = state
            changed.setWord(index, to: state.word(index) ^ 1)
            XCTAssertNotEqual(changed, state, "word \(index)", file: file, line: line)
            XCTAssertNotEqual(changed.hash64, state.hash64, "hash sees word \(index)", file: file, line: line)
            XCTAssertEqual(changed < state, state.word(index) & 1 == 1, "order at word \(index)", file: file, line: line)
        }
        // The order is lexicographic from word 0: a smaller word 0 wins over any later word.
        var low = State.zero
        low.setWord(count - 1, to: .max)
        var high = State.zero
        high.setWord(0, to: 1)
        XCTAssertTrue(low < high, file: file, line: line)
        XCTAssertFalse(high < low, file: file, line: line)
        // Stored to and loaded from raw words, unchanged.
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        defer { buffer.deallocate() }
        state.store(to: buffer)
        XCTAssertEqual((0..<count).map { buffer[$0] }, (0..<count).map { state.word($0) }, file: file, line: line)
        XCTAssertEqual(State(words: UnsafePointer(buffer)), state, file: file, line: line)
    }

    func testSixteenWords() { checkWords(PackedWords16.self, count: 16) }

    func testThirtyTwoWords() { checkWords(PackedWords32.self, count: 32) }

    /// A hash set of 32-word states: 2,000 states that share words 0 to 30
    /// in pairs and differ in word 31 are each new once, then seen.
    func testHashSetKeepsThirtyTwoWordStatesApart() throws {
        let set = try XCTUnwrap(HashVisitedSet<PackedWords32>(ledger: MemoryLedger(budget: 1 << 30)))
        defer { set.free() }
        let keys = (0..<1000).flatMap { i -> [PackedWords32] in
            var state = distinctWords(PackedWords32.self, seed: UInt64(i))
            state.setWord(31, to: 0)
            var twin = state
            twin.setWord(31, to: 1)
            return [state, twin]
        }
        XCTAssertEqual(Set(keys).count, 2000)
        func insert(_ key: PackedWords32) -> InsertOutcome {
            var outcome = set.insert(key)
            while outcome == .deferred {
                XCTAssertTrue(set.prepareForInserts(threads: 1))
                outcome = set.insert(key)
            }
            return outcome
        }
        for key in keys { XCTAssertEqual(insert(key), .new) }
        for key in keys { XCTAssertEqual(insert(key), .seen) }
        XCTAssertEqual(set.count, 2000)
        var stored = Set<PackedWords32>()
        set.forEach { _, state in stored.insert(state) }
        XCTAssertEqual(stored, Set(keys))
    }
}
