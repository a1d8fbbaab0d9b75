import Dispatch
import Foundation
@testable import KLPEngine
import XCTest

/// The largest payload word 0 of a state may carry (two flag bits stay free).
private let payloadMask: UInt64 = (1 << 62) - 1

/// A bijection of `0 ..< 2^62` that scatters consecutive integers.
private func scatter(_ i: Int) -> UInt64 { (UInt64(i) &* 0x9e37_79b9_7f4a_7c15) & payloadMask }

/// A two-word key whose word 0 repeats a lot (so word 1 decides equality).
private func twoWordKey(_ i: Int) -> PackedWords2 { PackedWords2(UInt64(i % 5), UInt64(i) &* 0xd1b5_4a32_d192_ed03) }

final class VisitedSetTests: XCTestCase {
    // MARK: Helpers

    /// Inserts `state`, growing the set as often as it defers (at most a few times).
    private func insertGrowing<V: VisitedSet>(
        _ set: V, _ state: V.State, file: StaticString = #filePath, line: UInt = #line
    ) -> InsertOutcome {
        var outcome = set.insert(state)
        var growths = 0
        while outcome == .deferred {
            XCTAssertTrue(set.prepareForInserts(threads: 1), "growth refused", file: file, line: line)
            growths += 1
            if growths > 4 {
                XCTFail("insert keeps deferring after \(growths) growths", file: file, line: line)
                return .deferred
            }
            outcome = set.insert(state)
        }
        return outcome
    }

    /// Every state `forEach` yields, with its slot; fails on a slot given twice.
    private func contents<V: VisitedSet>(
        _ set: V, file: StaticString = #filePath, line: UInt = #line
    ) -> [Int: V.State] {
        var result: [Int: V.State] = [:]
        var calls = 0
        set.forEach { slot, state in
            calls += 1
            XCTAssertNil(result.updateValue(state, forKey: slot), "slot \(slot) yielded twice", file: file, line: line)
        }
        XCTAssertEqual(calls, result.count, file: file, line: line)
        return result
    }

    /// New once, seen afterwards, for an exact set and `keys` distinct states.
    private func checkNewThenSeen<V: VisitedSet>(
        _ set: V, keys: [V.State], file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(Set(keys).count, keys.count, "test keys must be distinct", file: file, line: line)
        for (index, key) in keys.enumerated() {
            XCTAssertEqual(insertGrowing(set, key), .new, "first insert of key #\(index)", file: file, line: line)
            XCTAssertEqual(insertGrowing(set, key), .seen, "second insert of key #\(index)", file: file, line: line)
        }
        for (index, key) in keys.enumerated() {
            XCTAssertEqual(insertGrowing(set, key), .seen, "third insert of key #\(index)", file: file, line: line)
        }
    }

    /// Inserts `count` distinct keys with growth, then checks count, slots and contents.
    private func checkGrowth<State: PackedState>(
        count: Int, key: (Int) -> State, absent: [State], file: StaticString = #filePath, line: UInt = #line
    ) {
        let ledger = MemoryLedger(budget: 1 << 30)
        guard let set = HashVisitedSet<State>(ledger: ledger) else {
            return XCTFail("a 1 GiB budget must be enough", file: file, line: line)
        }
        let initialSlots = set.slotCount
        var expected = Set<State>()
        var deferrals = 0
        for i in 0..<count {
            let state = key(i)
            expected.insert(state)
            var outcome = set.insert(state)
            while outcome == .deferred {
                deferrals += 1
                XCTAssertTrue(set.prepareForInserts(threads: 1), file: file, line: line)
                outcome = set.insert(state)
            }
            XCTAssertEqual(outcome, .new, "key #\(i)", file: file, line: line)
        }
        XCTAssertEqual(expected.count, count, "test keys must be distinct", file: file, line: line)
        XCTAssertGreaterThan(deferrals, 0, "the set must have deferred at least once", file: file, line: line)
        XCTAssertGreaterThan(set.slotCount, initialSlots, "the set must have grown", file: file, line: line)
        XCTAssertEqual(set.count, count, file: file, line: line)
        let load = Double(count) / Double(set.slotCount)
        XCTAssertLessThanOrEqual(load, 0.9, "load factor", file: file, line: line)
        XCTAssertGreaterThanOrEqual(load, 0.5, "load factor", file: file, line: line)
        XCTAssertEqual(set.memoryBytes, set.slotCount * State.wordCount * 8, file: file, line: line)
        XCTAssertEqual(ledger.currentBytes, UInt64(set.memoryBytes), "the ledger holds exactly the table", file: file, line: line)

        for state in absent { XCTAssertNil(set.slot(of: state), "absent state \(state)", file: file, line: line) }

        let yielded = contents(set, file: file, line: line)
        XCTAssertEqual(yielded.count, count, file: file, line: line)
        XCTAssertEqual(Set(yielded.values), expected, file: file, line: line)
        // slot(of:) finds every state, in the slot forEach gave it, within the table.
        let slotRange = 0..<set.slotCount
        for (slot, state) in yielded {
            XCTAssertTrue(slotRange.contains(slot), file: file, line: line)
            XCTAssertEqual(set.slot(of: state), slot, "forEach and slot(of:) agree", file: file, line: line)
        }
        // Inserting again changes nothing.
        for i in stride(from: 0, to: count, by: 97) {
            XCTAssertEqual(set.insert(key(i)), .seen, file: file, line: line)
        }
        XCTAssertEqual(set.count, count, file: file, line: line)
        set.free()
        XCTAssertEqual(ledger.currentBytes, 0, "free returns every byte to the ledger", file: file, line: line)
    }

    /// Inserts from `threads` threads, thread `t` taking keys `t*offset ..< t*offset + span`
    /// (overlapping); deferred states are retried, concurrently, after the set grows.
    /// Returns the `.new` answers per thread.
    private func insertConcurrently<V: VisitedSet>(
        _ set: V, threads: Int, span: Int, offset: Int, key: @escaping @Sendable (Int) -> V.State,
        file: StaticString = #filePath, line: UInt = #line
    ) -> [Int] {
        let newCounts = PerThread<Int>(count: threads, initial: 0)
        let pending = PerThread<[V.State]>(count: threads, initial: [])
        // Each thread inserts as a worker of its own.
        XCTAssertTrue(set.prepareForInserts(threads: threads), file: file, line: line)
        onThreads(threads) { worker in
            var deferred: [V.State] = []
            var fresh = 0
            for i in (worker * offset)..<(worker * offset + span) {
                switch set.insert(key(i), worker: worker) {
                case .new: fresh += 1
                case .seen: break
                case .deferred: deferred.append(key(i))
                }
            }
            newCounts[worker] = fresh
            pending[worker] = deferred
        }
        var rounds = 0
        while pending.all.contains(where: { !$0.isEmpty }) {
            rounds += 1
            if rounds > 100 {
                XCTFail("deferred inserts never drain", file: file, line: line)
                break
            }
            XCTAssertTrue(set.prepareForInserts(threads: threads), file: file, line: line)
            onThreads(threads) { worker in
                var deferred: [V.State] = []
                var fresh = 0
                for state in pending[worker] {
                    switch set.insert(state, worker: worker) {
                    case .new: fresh += 1
                    case .seen: break
                    case .deferred: deferred.append(state)
                    }
                }
                newCounts[worker] += fresh
                pending[worker] = deferred
            }
        }
        return newCounts.all
    }

    // MARK: HashVisitedSet

    func testHashSetOneWordNewOnceThenSeen() throws {
        let set = try XCTUnwrap(HashVisitedSet<UInt64>(ledger: MemoryLedger(budget: 1 << 30)))
        XCTAssertEqual(set.kind, .hash)
        XCTAssertTrue(set.isExact)
        XCTAssertEqual(set.count, 0)
        let keys: [UInt64] = [0, 1, 2, payloadMask, payloadMask - 1, 1 << 61] + (3..<3000).map(scatter)
        checkNewThenSeen(set, keys: Array(Set(keys)))
        XCTAssertEqual(set.count, Set(keys).count)
        XCTAssertEqual(Set(contents(set).values), Set(keys), "flag bits never leak into stored states")
    }

    func testHashSetTwoWordsNewOnceThenSeen() throws {
        let set = try XCTUnwrap(HashVisitedSet<PackedWords2>(ledger: MemoryLedger(budget: 1 << 30)))
        // Many keys share word 0, and pairs differ only in word 1.
        var keys = (0..<3000).map(twoWordKey)
        keys += [.zero, PackedWords2(0, 1), PackedWords2(1, 0), PackedWords2(payloadMask, .max), PackedWords2(payloadMask, 0)]
        keys = Array(Set(keys))
        checkNewThenSeen(set, keys: keys)
        XCTAssertEqual(set.count, keys.count)
        XCTAssertEqual(Set(contents(set).values), Set(keys))
        XCTAssertNil(set.slot(of: PackedWords2(0, 2)), "same word 0 as stored states, other word 1")
    }

    func testHashSetGrowsOneWord() {
        checkGrowth(count: 200_000, key: scatter, absent: [scatter(200_000), scatter(1_000_000), payloadMask])
    }

    func testHashSetGrowsTwoWords() {
        checkGrowth(
            count: 200_000, key: twoWordKey,
            absent: [twoWordKey(200_000), PackedWords2(0, 1), PackedWords2(1, 0), PackedWords2(7, 1), PackedWords2(payloadMask, 5)])
    }

    func testHashSetConcurrentInsertsOverlappingOneWord() throws {
        let set = try XCTUnwrap(HashVisitedSet<UInt64>(ledger: MemoryLedger(budget: 1 << 30)))
        let threads = 4, span = 60_000, offset = 20_000
        let counts = insertConcurrently(set, threads: threads, span: span, offset: offset, key: scatter)
        let distinct = (threads - 1) * offset + span
        XCTAssertEqual(counts.reduce(0, +), distinct, "each distinct key is new exactly once: \(counts)")
        XCTAssertEqual(set.count, distinct)
        XCTAssertEqual(Set(contents(set).values), Set((0..<distinct).map(scatter)))
    }

    func testHashSetConcurrentInsertsSameKeysTwoWords() throws {
        // Every thread inserts the very same keys in the same order: maximal contention
        // on the busy bit of multi-word slots.
        let set = try XCTUnwrap(HashVisitedSet<PackedWords2>(ledger: MemoryLedger(budget: 1 << 30)))
        let threads = 4, span = 50_000
        let counts = insertConcurrently(set, threads: threads, span: span, offset: 0, key: twoWordKey)
        XCTAssertEqual(counts.reduce(0, +), span, "each distinct key is new exactly once: \(counts)")
        XCTAssertEqual(set.count, span)
        XCTAssertEqual(Set(contents(set).values), Set((0..<span).map(twoWordKey)))
    }

    func testHashSetConcurrentInsertsOverlappingTwoWords() throws {
        let set = try XCTUnwrap(HashVisitedSet<PackedWords2>(ledger: MemoryLedger(budget: 1 << 30)))
        let threads = 3, span = 40_000, offset = 25_000
        let counts = insertConcurrently(set, threads: threads, span: span, offset: offset, key: twoWordKey)
        let distinct = (threads - 1) * offset + span
        XCTAssertEqual(counts.reduce(0, +), distinct, "\(counts)")
        XCTAssertEqual(set.count, distinct)
        XCTAssertEqual(Set(contents(set).values), Set((0..<distinct).map(twoWordKey)))
    }

    func testHashSetGrowthRefusedBeyondBudget() throws {
        // Exactly the initial tables: 32 segments of 512 one-word slots.
        let initialBytes: UInt64 = 32 * 512 * 8
        let ledger = MemoryLedger(budget: initialBytes)
        let set = try XCTUnwrap(HashVisitedSet<UInt64>(ledger: ledger))
        XCTAssertEqual(ledger.currentBytes, initialBytes)
        var inserted = 0
        var outcome = InsertOutcome.new
        while outcome != .deferred && inserted < 1_000_000 {
            outcome = set.insert(scatter(inserted))
            if outcome == .new { inserted += 1 }
        }
        XCTAssertEqual(outcome, .deferred, "a segment fills up before 1,000,000 inserts")
        XCTAssertFalse(set.prepareForInserts(threads: 1), "growth must be refused by the budget")
        XCTAssertLessThanOrEqual(ledger.peakBytes, initialBytes)
        XCTAssertEqual(set.count, inserted, "a refused growth loses nothing")
        for i in 0..<inserted { XCTAssertNotNil(set.slot(of: scatter(i))) }
    }

    func testHashSetInitFailsWithTinyBudget() {
        // Crashes (double free in deinit) are confined to a child process.
        runIsolated(self) {
            for budget: UInt64 in [0, 1024, 64 << 10, 32 * 512 * 8 - 1] {
                let ledger = MemoryLedger(budget: budget)
                XCTAssertNil(HashVisitedSet<UInt64>(ledger: ledger), "budget \(budget)")
                XCTAssertEqual(ledger.currentBytes, 0, "a failed init returns what it took (budget \(budget))")
                XCTAssertNil(HashVisitedSet<PackedWords2>(ledger: ledger), "budget \(budget)")
                XCTAssertEqual(ledger.currentBytes, 0)
            }
        }
    }

    // MARK: HashVisitedSet, paged

    /// A state in page `page` (any payload), at offset `offset` of a page
    /// field of six bits from bit 3.
    private static func pagedKey(page: Int, offset: Int) -> UInt64 {
        (scatter(page) & ~(63 << 3)) | UInt64(offset) << 3
    }

    /// Key `i`: 40 of the 64 offsets of each page are used.
    private static func pagedKey(_ i: Int) -> UInt64 { pagedKey(page: i / 40, offset: i % 40) }

    func testPagedSetNewOnceThenSeenAndSlots() throws {
        let page = PageField(word: 0, shift: 3, bits: 6)
        let set = try XCTUnwrap(PagedVisitedSet<UInt64>(ledger: MemoryLedger(budget: 1 << 30), page: page))
        XCTAssertEqual(set.kind, .paged)
        XCTAssertTrue(set.isExact)
        let keys = (0..<3000).map(Self.pagedKey) + [Self.pagedKey(page: 5000, offset: 63), Self.pagedKey(page: 5001, offset: 0)]
        checkNewThenSeen(set, keys: keys)
        XCTAssertEqual(set.count, keys.count)
        let yielded = contents(set)
        XCTAssertEqual(Set(yielded.values), Set(keys), "flag and page bits never leak")
        for (slot, state) in yielded { XCTAssertEqual(set.slot(of: state), slot) }
        // A page's slots are consecutive: its states differ only in the low six slot bits.
        XCTAssertEqual(set.slot(of: Self.pagedKey(page: 0, offset: 1)), set.slot(of: Self.pagedKey(page: 0, offset: 0)).map { $0 + 1 })
        XCTAssertEqual(set.slotCount % 64, 0)
        XCTAssertNil(set.slot(of: Self.pagedKey(page: 0, offset: 40)), "a page that is stored, an offset that is not")
        XCTAssertNil(set.slot(of: Self.pagedKey(page: 9999, offset: 0)), "a page that is not stored")
        // Two words per slot: the page key and its bitmap.
        XCTAssertEqual(set.memoryBytes, set.slotCount / 64 * 16)
    }

    func testPagedSetGrowsAndWalksSlotsBothWays() throws {
        let ledger = MemoryLedger(budget: 1 << 30)
        let set = try XCTUnwrap(PagedVisitedSet<UInt64>(ledger: ledger, page: PageField(word: 0, shift: 3, bits: 6)))
        let initialSlots = set.slotCount
        // Four states a page: 50,000 pages, more than the initial slots.
        let key = { (i: Int) in Self.pagedKey(page: i / 4, offset: i % 4 * 13) }
        let count = 200_000
        for i in 0..<count { XCTAssertEqual(insertGrowing(set, key(i)), .new, "key #\(i)") }
        XCTAssertGreaterThan(set.slotCount, initialSlots, "the set must have grown")
        XCTAssertEqual(set.count, count)
        let load = Double(count / 4) / Double(set.slotCount / 64)
        XCTAssertTrue((0.2...0.5).contains(load), "a paged table's load: \(load)")
        let yielded = contents(set)
        XCTAssertEqual(Set(yielded.values), Set((0..<count).map(key)))
        for i in stride(from: 0, to: count, by: 97) { XCTAssertEqual(set.insert(key(i)), .seen) }
        // forEach(slots:) over a window, forwards and backwards, is the slot-sorted window.
        let window = (set.slotCount / 3)..<(set.slotCount / 3 + set.slotCount / 5 + 17)
        let expected = yielded.filter { window.contains($0.key) }.sorted { $0.key < $1.key }.map(\.key)
        var forwards: [Int] = []
        set.forEach(slots: window, reversed: false) { slot, state in
            forwards.append(slot)
            XCTAssertEqual(yielded[slot], state)
        }
        var backwards: [Int] = []
        set.forEach(slots: window, reversed: true) { slot, _ in backwards.append(slot) }
        XCTAssertFalse(expected.isEmpty)
        XCTAssertEqual(forwards, expected)
        XCTAssertEqual(backwards, expected.reversed())
        set.free()
        XCTAssertEqual(ledger.currentBytes, 0)
    }

    func testPagedSetConcurrentInsertsOverlapping() throws {
        let set = try XCTUnwrap(
            PagedVisitedSet<UInt64>(ledger: MemoryLedger(budget: 1 << 30), page: PageField(word: 0, shift: 3, bits: 6)))
        let threads = 4, span = 60_000, offset = 20_000
        let counts = insertConcurrently(set, threads: threads, span: span, offset: offset, key: Self.pagedKey)
        let distinct = (threads - 1) * offset + span
        XCTAssertEqual(counts.reduce(0, +), distinct, "each distinct key is new exactly once: \(counts)")
        XCTAssertEqual(set.count, distinct)
        XCTAssertEqual(Set(contents(set).values), Set((0..<distinct).map(Self.pagedKey)))
    }

    func testPagedSetConcurrentInsertsSameKeysTwoWords() throws {
        // The page field in word 1; every thread inserts the same keys, so
        // claims of a page and of a page's bit race all the time.
        let set = try XCTUnwrap(
            PagedVisitedSet<PackedWords2>(ledger: MemoryLedger(budget: 1 << 30), page: PageField(word: 1, shift: 10, bits: 5)))
        let key: @Sendable (Int) -> PackedWords2 = { i in PackedWords2(UInt64(i / 32 % 7), UInt64(i / 32) << 20 | UInt64(i % 32) << 10) }
        let threads = 4, span = 40_000
        let counts = insertConcurrently(set, threads: threads, span: span, offset: 0, key: key)
        XCTAssertEqual(counts.reduce(0, +), span, "each distinct key is new exactly once: \(counts)")
        XCTAssertEqual(set.count, span)
        XCTAssertEqual(Set(contents(set).values), Set((0..<span).map(key)))
        XCTAssertEqual(set.memoryBytes, set.slotCount / 32 * 24, "three words per slot")
    }

    // MARK: BitmapVisitedSet

    func testBitmapNewOnceThenSeen() throws {
        let universe: UInt64 = 10_000 // not a multiple of 64
        let set = try XCTUnwrap(BitmapVisitedSet<UInt64>(universe: universe, ledger: MemoryLedger(budget: 1 << 20)))
        XCTAssertEqual(set.kind, .bitmap)
        XCTAssertTrue(set.isExact)
        XCTAssertEqual(set.slotCount, 10_000)
        XCTAssertEqual(set.memoryBytes, 157 * 8)
        let keys: [UInt64] = [0, 63, 64, 9_999] + (1..<2_000).map { UInt64($0 * 3 + 100) }
        checkNewThenSeen(set, keys: keys)
        let yielded = contents(set)
        XCTAssertEqual(Set(yielded.values), Set(keys))
        for (slot, state) in yielded { XCTAssertEqual(UInt64(slot), state, "a bitmap's slot is the state itself") }
        var order: [UInt64] = []
        set.forEach { _, state in order.append(state) }
        XCTAssertEqual(order, order.sorted(), "forEach goes in increasing order")
        XCTAssertEqual(set.slot(of: 9_999), 9_999)
        XCTAssertNil(set.slot(of: 1))
        XCTAssertNil(set.slot(of: 9_998))
    }

    func testBitmapManyStates() throws {
        let universe: UInt64 = 1 << 20
        let set = try XCTUnwrap(BitmapVisitedSet<UInt64>(universe: universe, ledger: MemoryLedger(budget: 1 << 20)))
        let keys = (0..<200_000).map { UInt64($0) &* 7 % universe }
        for key in keys { XCTAssertEqual(set.insert(key), .new) }
        XCTAssertTrue(set.prepareForInserts(threads: 2))
        for key in keys.prefix(1000) { XCTAssertEqual(set.insert(key), .seen) }
        let yielded = contents(set)
        XCTAssertEqual(yielded.count, 200_000)
        XCTAssertEqual(Set(yielded.values), Set(keys))
        for key in keys { XCTAssertEqual(set.slot(of: key), Int(key)) }
    }

    func testBitmapConcurrentInserts() throws {
        let set = try XCTUnwrap(BitmapVisitedSet<UInt64>(universe: 1 << 20, ledger: MemoryLedger(budget: 1 << 20)))
        let threads = 4, span = 100_000, offset = 30_000
        let counts = insertConcurrently(set, threads: threads, span: span, offset: offset) { UInt64($0) }
        let distinct = (threads - 1) * offset + span
        XCTAssertEqual(counts.reduce(0, +), distinct, "\(counts)")
        XCTAssertEqual(Set(contents(set).values), Set((0..<distinct).map { UInt64($0) }))
    }

    func testBitmapRefusals() {
        XCTAssertNil(BitmapVisitedSet<PackedWords2>(universe: 100, ledger: MemoryLedger(budget: 1 << 20)), "two words")
        XCTAssertNil(BitmapVisitedSet<UInt64>(universe: 0, ledger: MemoryLedger(budget: 1 << 20)), "empty universe")
        let ledger = MemoryLedger(budget: 1023)
        XCTAssertNil(BitmapVisitedSet<UInt64>(universe: 1 << 13, ledger: ledger), "needs 1024 bytes")
        XCTAssertEqual(ledger.currentBytes, 0)
        XCTAssertNotNil(BitmapVisitedSet<UInt64>(universe: 1 << 13, ledger: MemoryLedger(budget: 1024)))
    }

    // MARK: BitstateVisitedSet

    func testBitstateNewOnceThenSeen() throws {
        let ledger = MemoryLedger(budget: 1 << 24)
        let set = try XCTUnwrap(BitstateVisitedSet<UInt64>(log2Bits: 24, ledger: ledger))
        XCTAssertEqual(set.kind, .bitstate)
        XCTAssertFalse(set.isExact)
        XCTAssertEqual(set.bitCount, 1 << 24)
        XCTAssertEqual(set.memoryBytes, 1 << 21)
        XCTAssertEqual(ledger.currentBytes, 1 << 21)
        // With 2^24 bits and 10,000 states, a false "seen" has odds ~1e-4 and the
        // hash is fixed: every key is new once, then seen.
        checkNewThenSeen(set, keys: (0..<10_000).map(scatter))
        XCTAssertEqual(set.slotCount, 0)
        XCTAssertNil(set.slot(of: scatter(1)))
        var calls = 0
        set.forEach { _, _ in calls += 1 }
        XCTAssertEqual(calls, 0, "bitstate keeps no states")
        set.free()
        XCTAssertEqual(ledger.currentBytes, 0)
    }

    func testBitstateTwoWords() throws {
        let set = try XCTUnwrap(BitstateVisitedSet<PackedWords2>(log2Bits: 22, ledger: MemoryLedger(budget: 1 << 24)))
        checkNewThenSeen(set, keys: (0..<2_000).map(twoWordKey))
    }

    func testBitstateOmissionProbability() throws {
        let set = try XCTUnwrap(BitstateVisitedSet<UInt64>(log2Bits: 20, hashCount: 3, ledger: MemoryLedger(budget: 1 << 20)))
        XCTAssertEqual(set.omissionProbability(stored: 0), 0)
        let m = Double(1 << 20), n = 50_000.0
        let expected = pow(1 - exp(-3 * n / m), 3)
        XCTAssertEqual(set.omissionProbability(stored: 50_000), expected, accuracy: 1e-12)
        XCTAssertLessThan(set.omissionProbability(stored: 1_000), set.omissionProbability(stored: 100_000))
        XCTAssertEqual(set.omissionProbability(stored: 1 << 40), 1, accuracy: 1e-9)
        // The array is never smaller than 64 bits.
        XCTAssertEqual(BitstateVisitedSet<UInt64>(log2Bits: 1, ledger: MemoryLedger(budget: 8))?.bitCount, 64)
        XCTAssertNil(BitstateVisitedSet<UInt64>(log2Bits: 20, ledger: MemoryLedger(budget: (1 << 17) - 1)))
    }

    func testBitstateConcurrentInsertsCountEachStateOnce() throws {
        // Several threads inserting the same states: each must be answered `.new`
        // exactly once, or a parallel bitstate search stores (and expands) a
        // state twice and reports more states than the model has.
        var overCounts: [Int] = []
        for _ in 0..<8 {
            let set = try XCTUnwrap(BitstateVisitedSet<UInt64>(log2Bits: 26, ledger: MemoryLedger(budget: 1 << 24)))
            let span = 100_000
            let counts = insertConcurrently(set, threads: 2, span: span, offset: 0, key: scatter)
            let total = counts.reduce(0, +)
            XCTAssertGreaterThanOrEqual(total, span - 5, "nearly every key is new once in a sparse array")
            overCounts.append(total - span)
        }
        XCTAssertEqual(overCounts.filter { $0 > 0 }, [], "states answered .new by two threads, per run: \(overCounts)")
    }

    // MARK: MemoryLedger

    func testLedgerReserveAndRelease() {
        let ledger = MemoryLedger(budget: 1000)
        XCTAssertEqual(ledger.budget, 1000)
        XCTAssertTrue(ledger.reserve(600))
        XCTAssertFalse(ledger.reserve(401), "600 + 401 > 1000")
        XCTAssertEqual(ledger.currentBytes, 600, "a refusal reserves nothing")
        XCTAssertTrue(ledger.reserve(400))
        XCTAssertFalse(ledger.reserve(1))
        XCTAssertEqual(ledger.currentBytes, 1000)
        ledger.release(700)
        XCTAssertEqual(ledger.currentBytes, 300)
        XCTAssertEqual(ledger.peakBytes, 1000)
        ledger.resetPeak()
        XCTAssertEqual(ledger.peakBytes, 300)
        XCTAssertTrue(ledger.reserve(100))
        XCTAssertEqual(ledger.peakBytes, 400)
        ledger.release(400)
        XCTAssertEqual(ledger.currentBytes, 0)
    }

    func testLedgerAllocateRefusesBeyondBudget() throws {
        let ledger = MemoryLedger(budget: 4096)
        XCTAssertNil(ledger.allocate(UInt64.self, count: 513), "4104 bytes > 4096")
        XCTAssertEqual(ledger.currentBytes, 0)
        let block = try XCTUnwrap(ledger.allocate(UInt64.self, count: 500, zeroed: true))
        XCTAssertEqual(ledger.currentBytes, 4000)
        XCTAssertTrue((0..<500).allSatisfy { block[$0] == 0 }, "zeroed memory")
        XCTAssertNil(ledger.allocate(UInt8.self, count: 97))
        let small = try XCTUnwrap(ledger.allocate(UInt8.self, count: 96))
        XCTAssertEqual(ledger.currentBytes, 4096)
        ledger.free(block, count: 500)
        ledger.free(small, count: 96)
        XCTAssertEqual(ledger.currentBytes, 0)
        XCTAssertEqual(ledger.peakBytes, 4096)
    }

    func testLedgerConcurrentReservationsNeverExceedBudget() {
        let ledger = MemoryLedger(budget: 10_000)
        let granted = PerThread<Int>(count: 4, initial: 0)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            var mine = 0
            for _ in 0..<5_000 where ledger.reserve(1) { mine += 1 }
            granted[worker] = mine
        }
        XCTAssertEqual(granted.all.reduce(0, +), 10_000)
        XCTAssertEqual(ledger.currentBytes, 10_000)
        XCTAssertEqual(ledger.peakBytes, 10_000)
    }
}
