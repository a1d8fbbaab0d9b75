import Dispatch
import FilterLock
@testable import KLPEngine
import XCTest

/// The filter lock with its one-word state spread over the words of `Wide`
/// (`bits` bits a word, the last word also carrying a constant), so that
/// the tree set sees states of 2, 4 and 8 words with the filter lock's
/// known counts and traces.
struct WideFilterLock<Wide: PackedState>: TransitionSystem {
    typealias State = Wide
    let base: FilterLockModel
    /// Bits of the narrow state per word.
    var bits: Int { Wide.wordCount == 2 ? 31 : Wide.wordCount == 4 ? 16 : 8 }

    func widen(_ narrow: UInt64) -> Wide {
        var wide = Wide.zero
        let mask: UInt64 = (1 << UInt64(bits)) - 1
        for word in 0..<Wide.wordCount {
            wide.setWord(word, to: narrow >> UInt64(word * bits) & mask)
        }
        // A constant high word, so that no leaf is the zero word only.
        wide.setWord(Wide.wordCount - 1, to: wide.word(Wide.wordCount - 1) | 0xabcd << 40)
        return wide
    }

    func narrow(_ wide: Wide) -> UInt64 {
        var narrow: UInt64 = 0
        let mask: UInt64 = (1 << UInt64(bits)) - 1
        for word in 0..<Wide.wordCount { narrow |= (wide.word(word) & mask) << UInt64(word * bits) }
        return narrow
    }

    var properties: [PropertyDescriptor] { base.properties }
    var maxSuccessors: Int { base.maxSuccessors }

    func forward(_ narrowSink: SuccessorSink<UInt64>, into sink: inout SuccessorSink<Wide>) {
        for index in 0..<narrowSink.count {
            sink.emit(widen(narrowSink.state(at: index)), action: narrowSink.action(at: index), violating: narrowSink.violations(at: index))
        }
    }

    func initialStates(into sink: inout SuccessorSink<Wide>) {
        var narrowSink = SuccessorSink<UInt64>(capacity: 4)
        defer { narrowSink.deallocate() }
        base.initialStates(into: &narrowSink)
        forward(narrowSink, into: &sink)
    }

    func successors(of state: Wide, into sink: inout SuccessorSink<Wide>) {
        var narrowSink = SuccessorSink<UInt64>(capacity: base.maxSuccessors)
        defer { narrowSink.deallocate() }
        base.successors(of: narrow(state), into: &narrowSink)
        forward(narrowSink, into: &sink)
    }

    func invariantViolations(of state: Wide, checked: PropertySet) -> PropertySet {
        base.invariantViolations(of: narrow(state), checked: checked)
    }
}

final class TreeVisitedSetTests: XCTestCase {
    /// The counts and statuses of a search, without timing or memory.
    private func outcome<S>(_ report: SearchReport<S>) -> [String] {
        let s = report.statistics
        return ["\(s.states) states", "\(s.transitions) transitions", "depth \(s.depth)", "complete \(s.complete)",
                "limit \(String(describing: s.limit))", "\(report.statuses)"]
    }

    private func compareTreeWithHash<Wide: PackedState>(
        _ type: Wide.Type, n: Int, bug: Bool = false, file: StaticString = #filePath, line: UInt = #line
    ) throws -> [String] {
        let model = WideFilterLock<Wide>(base: try XCTUnwrap(FilterLockModel(processes: n, bug: bug)))
        let narrow = try model.base.explore(options: SearchOptions(threads: 1, visited: .hash))
        var outcomes: [[String]] = []
        for threads in [1, 2] {
            let hash = try Explorer.exploreOverHashSet(model, options: SearchOptions(threads: threads, visited: .hash))
            let tree = try Explorer.explore(model, options: SearchOptions(threads: threads, visited: .tree))
            XCTAssertEqual(tree.statistics.visited, .tree, file: file, line: line)
            XCTAssertEqual(outcome(tree), outcome(hash), "\(Wide.wordCount) words, \(threads) threads", file: file, line: line)
            XCTAssertEqual(tree.statistics.states, narrow.statistics.states, file: file, line: line)
            XCTAssertEqual(tree.statistics.transitions, narrow.statistics.transitions, file: file, line: line)
            outcomes.append(outcome(tree))
        }
        XCTAssertEqual(outcomes[0], outcomes[1], "1 and 2 threads", file: file, line: line)
        return outcomes[0]
    }

    /// Filter lock N = 3 and 4 in 2, 4 and 8 words: the tree set's states,
    /// transitions and depth are the hash set's and the one-word model's.
    func testFilterLockCountsEqualHashInEveryWidth() throws {
        XCTAssertEqual(
            try compareTreeWithHash(PackedWords2.self, n: 3).prefix(3), ["2492 states", "6487 transitions", "depth 47"])
        _ = try compareTreeWithHash(PackedWords4.self, n: 3)
        _ = try compareTreeWithHash(PackedWords8.self, n: 3)
        _ = try compareTreeWithHash(PackedWords2.self, n: 4)
    }

    /// The buggy filter lock: the same shortest counterexample, state by
    /// state, as the hash set, with 1 and 2 threads.
    func testBugTracesEqualHash() throws {
        let model = WideFilterLock<PackedWords4>(base: try XCTUnwrap(FilterLockModel(processes: 3, bug: true)))
        let reference = try Explorer.exploreOverHashSet(model, options: SearchOptions(threads: 1, visited: .hash))
        guard case .violated(let expected?) = reference.statuses[0] else { return XCTFail("the bug must be found") }
        for threads in [1, 2] {
            let tree = try Explorer.explore(model, options: SearchOptions(threads: threads, visited: .tree))
            guard case .violated(let trace?) = tree.statuses[0] else { return XCTFail("tree, \(threads) threads: no trace") }
            XCTAssertEqual(trace.initial, expected.initial)
            XCTAssertEqual(trace.steps.map(\.state), expected.steps.map(\.state), "\(threads) threads")
            XCTAssertEqual(trace.steps.map(\.action), expected.steps.map(\.action), "\(threads) threads")
            XCTAssertEqual(outcome(tree), outcome(reference))
        }
    }

    /// `tree` on a one-word model is the hash set; on wider ones, the tree.
    func testResolveKind() throws {
        let base = try XCTUnwrap(FilterLockModel(processes: 3, bug: false))
        XCTAssertEqual(try Explorer.resolveKind(base, requested: .tree), .hash)
        XCTAssertEqual(try Explorer.resolveKind(WideFilterLock<PackedWords2>(base: base), requested: .tree), .tree)
        XCTAssertEqual(try Explorer.resolveKind(WideFilterLock<PackedWords8>(base: base), requested: .tree), .tree)
        XCTAssertNil(TreeVisitedSet<UInt64>(ledger: MemoryLedger(budget: 1 << 30)))
    }

    /// A state whose halves repeat: few distinct leaves and inner nodes, many states.
    private static func key4(_ i: Int) -> PackedWords4 {
        PackedWords4(UInt64(i % 1000), 7, UInt64(i / 1000) &* 0x9e37_79b9, i % 3 == 0 ? 0 : UInt64.max)
    }

    /// 300,000 distinct states, inserted with growth of every level (leaves,
    /// pairs, root, each rewriting the level above): each new once, seen
    /// afterwards; forEach yields exactly them, each at its `slot(of:)`.
    func testGrowthUnderLoad() throws {
        let ledger = MemoryLedger(budget: 1 << 30)
        let set = try XCTUnwrap(TreeVisitedSet<PackedWords4>(ledger: ledger))
        let count = 300_000
        let firstSlots = set.slotCount
        for i in 0..<count {
            var outcome = set.insert(Self.key4(i))
            while outcome == .deferred {
                XCTAssertTrue(set.prepareForInserts(threads: 1))
                outcome = set.insert(Self.key4(i))
            }
            XCTAssertEqual(outcome, .new, "state \(i)")
        }
        XCTAssertTrue(set.prepareForInserts(threads: 1))
        XCTAssertGreaterThan(set.slotCount, firstSlots * 10, "the root grew")
        for i in stride(from: 0, to: count, by: 7) { XCTAssertEqual(set.insert(Self.key4(i)), .seen, "state \(i)") }
        XCTAssertEqual(set.count, count)
        var seen = Set<PackedWords4>()
        set.forEach { slot, state in
            XCTAssertTrue(seen.insert(state).inserted)
            XCTAssertEqual(set.slot(of: state), slot)
        }
        XCTAssertEqual(seen, Set((0..<count).map(Self.key4)))
        XCTAssertNil(set.slot(of: Self.key4(count)))
        XCTAssertNil(set.slot(of: PackedWords4(1, 2, 3, 4)))
        // 8 bytes a root slot and small lower levels: well under the hash set's 32 a slot.
        XCTAssertLessThan(Double(set.memoryBytes) / Double(count), 16)
    }

    /// Two threads insert the same 200,000 states at once: each is new for
    /// exactly one of them.
    func testTwoThreadsAnswerNewOnce() throws {
        let set = try XCTUnwrap(TreeVisitedSet<PackedWords2>(ledger: MemoryLedger(budget: 1 << 30)))
        let count = 200_000
        let key: @Sendable (Int) -> PackedWords2 = { i in PackedWords2(UInt64(i % 500), UInt64(i / 500) | 1 << 63) }
        nonisolated(unsafe) let news = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { news.deallocate() }
        news.initialize(repeating: 0, count: 2)
        var pending = Array(0..<count)
        while !pending.isEmpty {
            XCTAssertTrue(set.prepareForInserts(threads: 2))
            nonisolated(unsafe) let deferred = UnsafeMutablePointer<[Int]>.allocate(capacity: 2)
            deferred.initialize(repeating: [], count: 2)
            let work = pending
            DispatchQueue.concurrentPerform(iterations: 2) { worker in
                for i in work {
                    switch set.insert(key(i), worker: worker) {
                    case .new: news[worker] += 1
                    case .seen: break
                    case .deferred: deferred[worker].append(i)
                    }
                }
            }
            pending = Array(Set(deferred[0] + deferred[1])).sorted()
            deferred.deinitialize(count: 2)
            deferred.deallocate()
        }
        XCTAssertEqual(news[0] + news[1], count)
        XCTAssertEqual(set.count, count)
    }

    /// A budget too small for the whole search: the set refuses to grow,
    /// the search stops incomplete with limit memory, and every state it
    /// answered new was distinct and is still found.
    func testMemoryLimitStopsWithoutAWrongNew() throws {
        let ledger = MemoryLedger(budget: 3 << 20)
        let set = try XCTUnwrap(TreeVisitedSet<PackedWords4>(ledger: ledger))
        var answeredNew = Set<PackedWords4>()
        var refused = false
        for i in 0..<1_000_000 {
            var outcome = set.insert(Self.key4(i))
            if outcome == .deferred {
                guard set.prepareForInserts(threads: 1) else {
                    refused = true
                    break
                }
                outcome = set.insert(Self.key4(i))
            }
            if outcome == .new { XCTAssertTrue(answeredNew.insert(Self.key4(i)).inserted, "state \(i) new twice") }
            XCTAssertNotEqual(outcome, .seen, "state \(i) was never inserted")
        }
        XCTAssertTrue(refused, "3 MiB cannot hold a million states")
        XCTAssertLessThanOrEqual(ledger.peakBytes, 3 << 20)
        for state in answeredNew { XCTAssertNotNil(set.slot(of: state)) }
        XCTAssertEqual(set.count, answeredNew.count)

        let model = WideFilterLock<PackedWords8>(base: try XCTUnwrap(FilterLockModel(processes: 4, bug: false)))
        let report = try Explorer.explore(model, options: SearchOptions(threads: 2, visited: .tree, maxMemoryBytes: 3 << 19))
        XCTAssertEqual(report.statistics.limit, .memory)
        XCTAssertFalse(report.statistics.complete)
        XCTAssertEqual(report.statuses, [.undecided])
        XCTAssertLessThan(report.statistics.states, 125_895)
    }
}
