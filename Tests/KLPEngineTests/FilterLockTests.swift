import FilterLock
@testable import KLPEngine
import XCTest

/// The filter lock exactly as `Sources/KLPEngine/KLPEngine.docc/FilterLock.md` states it, with plain
/// arrays and a Swift `Set`: no packing, no tables, nothing shared with
/// `FilterLockModel` but the page.
struct PlainFilterLock {
    struct State: Hashable {
        var level: [Int]
        var last: [Int]
        var pc: [Int]
        var j: [Int]
        var k: [Int]
    }

    let n: Int
    let bug: Bool

    var initial: State {
        let zeros = Array(repeating: 0, count: n)
        return State(level: zeros, last: zeros, pc: zeros, j: zeros, k: zeros)
    }

    /// Every enabled action of every process, one entry per action fired.
    func successors(of s: State) -> [State] {
        var result: [State] = []
        for i in 0..<n {
            // start
            if s.pc[i] == 0 {
                var t = s; t.j[i] = 1; t.pc[i] = 1; result.append(t)
            }
            // enter
            if s.pc[i] == 1 && s.j[i] < n {
                var t = s; t.level[i] = s.j[i]; t.last[s.j[i]] = i; t.k[i] = 0; t.pc[i] = 2; result.append(t)
            }
            // crit
            if s.pc[i] == 1 && s.j[i] == n {
                var t = s; t.pc[i] = 3; result.append(t)
            }
            // next
            if s.pc[i] == 2 && s.k[i] == n {
                var t = s; t.j[i] = s.j[i] + 1; t.pc[i] = 1; result.append(t)
            }
            // skip
            if s.pc[i] == 2 && (s.k[i] == i || (bug && s.k[i] == (i + 1) % n)) {
                var t = s; t.k[i] = s.k[i] + 1; result.append(t)
            }
            // check
            if s.pc[i] == 2 && s.k[i] < n && s.k[i] != i
                && (s.last[s.j[i]] != i || s.level[s.k[i]] < s.j[i]) {
                var t = s; t.k[i] = s.k[i] + 1; result.append(t)
            }
            // exit
            if s.pc[i] == 3 {
                var t = s; t.level[i] = 0; t.pc[i] = 0; result.append(t)
            }
        }
        return result
    }

    func violatesMutex(_ s: State) -> Bool { s.pc.filter { $0 == 3 }.count > 1 }

    struct Result {
        var states: Set<State>
        var transitions: Int
        var depth: Int
        /// The BFS level of the first state with two processes at pc = 3.
        var firstViolationLevel: Int?
    }

    func explore() -> Result {
        var seen: Set<State> = [initial]
        var frontier = [initial]
        var transitions = 0
        var depth = 0
        var level = 0
        var firstViolation: Int? = violatesMutex(initial) ? 0 : nil
        while !frontier.isEmpty {
            var next: [State] = []
            for state in frontier {
                let successors = successors(of: state)
                transitions += successors.count
                for successor in successors where seen.insert(successor).inserted {
                    next.append(successor)
                    if firstViolation == nil && violatesMutex(successor) { firstViolation = level + 1 }
                }
            }
            if !next.isEmpty { depth = level + 1 }
            level += 1
            frontier = next
        }
        return Result(states: seen, transitions: transitions, depth: depth, firstViolationLevel: firstViolation)
    }
}

extension FilterLockModel {
    func plain(_ state: UInt64) -> PlainFilterLock.State {
        let f = decode(state)
        return PlainFilterLock.State(level: f.level, last: f.last, pc: f.pc, j: f.j, k: f.k)
    }

    var initialState: UInt64 {
        var sink = SuccessorSink<UInt64>(capacity: 4)
        defer { sink.deallocate() }
        initialStates(into: &sink)
        precondition(sink.count == 1)
        return sink.state(at: 0)
    }

    /// (action, state) of every successor.
    func successorList(of state: UInt64) -> [(action: UInt32, state: UInt64)] {
        var sink = SuccessorSink<UInt64>(capacity: maxSuccessors)
        defer { sink.deallocate() }
        successors(of: state, into: &sink)
        return (0..<sink.count).map { (sink.action(at: $0), sink.state(at: $0)) }
    }
}

final class FilterLockTests: XCTestCase {
    private func explore(
        _ n: Int, bug: Bool = false, threads: Int, visited: VisitedKind = .hash, checked: PropertySet? = nil,
        bitstateLog2Bits: Int = 31
    ) throws -> SearchReport<UInt64> {
        let model = try XCTUnwrap(FilterLockModel(processes: n, bug: bug))
        return try model.explore(
            options: SearchOptions(
                threads: threads, visited: visited, checked: checked, bitstateLog2Bits: bitstateLog2Bits))
    }

    /// The statistics that do not depend on timing, memory or the thread count.
    private func outcome(_ s: SearchStatistics) -> SearchStatistics {
        var s = s
        s.seconds = 0
        s.totalSeconds = 0
        s.progressSeconds = 0
        s.statesPerSecond = 0
        s.bytesPerState = 0
        s.engineMemoryBytes = 0
        s.peakMemoryBytes = 0
        s.threads = 0
        return s
    }

    private func checkPasses(
        _ report: SearchReport<UInt64>, states: UInt64, transitions: UInt64, depth: Int, threads: Int,
        visited: VisitedKind, file: StaticString = #filePath, line: UInt = #line
    ) {
        let s = report.statistics
        XCTAssertEqual(s.states, states, "states", file: file, line: line)
        XCTAssertEqual(s.transitions, transitions, "transitions", file: file, line: line)
        XCTAssertEqual(s.depth, depth, "depth", file: file, line: line)
        XCTAssertEqual(s.threads, threads, file: file, line: line)
        XCTAssertEqual(s.visited, visited, file: file, line: line)
        XCTAssertNil(s.limit, file: file, line: line)
        XCTAssertNil(s.omissionProbability, file: file, line: line)
        XCTAssertTrue(s.complete, file: file, line: line)
        XCTAssertEqual(report.properties.map(\.name), ["mutex"], file: file, line: line)
        XCTAssertEqual(report.statuses, [.holds], file: file, line: line)
        XCTAssertFalse(report.hasViolation, file: file, line: line)
    }

    // MARK: Counts of the page

    func testN3CountsHashOneAndTwoThreads() throws {
        let one = try explore(3, threads: 1)
        let two = try explore(3, threads: 2)
        checkPasses(one, states: 2_492, transitions: 6_487, depth: 47, threads: 1, visited: .hash)
        checkPasses(two, states: 2_492, transitions: 6_487, depth: 47, threads: 2, visited: .hash)
        XCTAssertEqual(outcome(one.statistics), outcome(two.statistics))
    }

    func testN3CountsBitmap() throws {
        let one = try explore(3, threads: 1, visited: .bitmap)
        let two = try explore(3, threads: 2, visited: .bitmap)
        checkPasses(one, states: 2_492, transitions: 6_487, depth: 47, threads: 1, visited: .bitmap)
        checkPasses(two, states: 2_492, transitions: 6_487, depth: 47, threads: 2, visited: .bitmap)
        XCTAssertEqual(outcome(one.statistics), outcome(two.statistics))
    }

    func testN4CountsHashOneAndTwoThreads() throws {
        let one = try explore(4, threads: 1)
        let two = try explore(4, threads: 2)
        checkPasses(one, states: 125_895, transitions: 417_366, depth: 100, threads: 1, visited: .hash)
        checkPasses(two, states: 125_895, transitions: 417_366, depth: 100, threads: 2, visited: .hash)
        XCTAssertEqual(outcome(one.statistics), outcome(two.statistics))
    }

    func testBitmapUnavailableWhenDenseSpaceTooLarge() throws {
        XCTAssertThrowsError(try explore(5, threads: 1, visited: .bitmap)) { error in
            guard case .bitmapUnavailable = error as? ExplorerError else {
                return XCTFail("expected bitmapUnavailable, got \(error)")
            }
        }
    }

    // MARK: The bug variant

    func testBugN4ShortestCounterexampleIsDeterministicAndReplays() throws {
        let model = try XCTUnwrap(FilterLockModel(processes: 4, bug: true))
        let runs = try [1, 2, 2].map { threads in
            try model.explore(options: SearchOptions(threads: threads, visited: .hash))
        }
        let traces = try runs.map { run -> Trace<UInt64> in
            XCTAssertEqual(run.statuses.count, 1)
            XCTAssertTrue(run.hasViolation)
            return try XCTUnwrap(run.statuses[0].trace, "mutex must be violated with a trace")
        }
        XCTAssertEqual(traces[0].steps.count, 40, "the page's shortest counterexample")
        XCTAssertEqual(traces[0], traces[1], "1 thread and 2 threads give the same trace")
        XCTAssertEqual(traces[1], traces[2], "two runs give the same trace")
        for run in runs {
            XCTAssertEqual(run.statistics.depth, 40, "the search stops after the level of the violation")
            XCTAssertNil(run.statistics.limit)
            XCTAssertEqual(outcome(run.statistics), outcome(runs[0].statistics))
        }

        // Replay the actions from the initial state.
        let trace = traces[0]
        XCTAssertEqual(trace.initial, model.initialState)
        XCTAssertEqual(model.decode(trace.initial), FilterLockModel.Fields(processes: 4))
        var current = trace.initial
        for (number, step) in trace.steps.enumerated() {
            let matching = model.successorList(of: current).filter { $0.action == step.action }
            XCTAssertEqual(matching.count, 1, "step \(number + 1): action \(model.actionName(step.action)) enabled once")
            XCTAssertEqual(matching.first?.state, step.state, "step \(number + 1) reproduces its state")
            current = step.state
            let critical = model.decode(current).pc.filter { $0 == 3 }.count
            if number < trace.steps.count - 1 {
                XCTAssertLessThanOrEqual(critical, 1, "a shortest trace breaks mutex only at its end (step \(number + 1))")
            }
        }
        XCTAssertEqual(current, trace.last)
        let last = model.decode(trace.last)
        XCTAssertEqual(last.pc.filter { $0 == 3 }.count, 2, "two processes at pc = 3: \(last.pc)")
        XCTAssertEqual(model.invariantViolations(of: trace.last, checked: PropertySet(index: 0)), PropertySet(index: 0))
        XCTAssertEqual(model.actionName(trace.steps.last!.action).hasSuffix(" crit"), true, "the last step enters")
    }

    func testBugN3MatchesBruteForce() throws {
        let plain = PlainFilterLock(n: 3, bug: true).explore()
        // With no property checked the search covers the whole space.
        let full = try explore(3, bug: true, threads: 2, checked: [])
        XCTAssertEqual(full.statuses, [.notChecked])
        XCTAssertEqual(full.statistics.states, UInt64(plain.states.count))
        XCTAssertEqual(full.statistics.transitions, UInt64(plain.transitions))
        XCTAssertEqual(full.statistics.depth, plain.depth)
        XCTAssertTrue(full.statistics.complete)
        // And the shortest counterexample has the brute force's length.
        let checked = try explore(3, bug: true, threads: 2)
        if let level = plain.firstViolationLevel {
            XCTAssertEqual(checked.statuses[0].trace?.steps.count, level)
        } else {
            XCTAssertEqual(checked.statuses, [.holds])
        }
    }

    // MARK: Independent check of the encoding

    func testN3MatchesBruteForceOfThePage() throws {
        let model = try XCTUnwrap(FilterLockModel(processes: 3))
        let plain = PlainFilterLock(n: 3, bug: false).explore()
        XCTAssertEqual(plain.states.count, 2_492, "the brute force itself agrees with the page")
        XCTAssertEqual(plain.transitions, 6_487)
        XCTAssertEqual(plain.depth, 47)
        XCTAssertNil(plain.firstViolationLevel)

        let report = try explore(3, threads: 2)
        XCTAssertEqual(report.statistics.states, UInt64(plain.states.count))
        XCTAssertEqual(report.statistics.transitions, UInt64(plain.transitions))
        XCTAssertEqual(report.statistics.depth, plain.depth)

        // State by state: the packed model's reachable states decode to exactly
        // the brute force's, and every successor list agrees as a multiset.
        var packed: Set<UInt64> = [model.initialState]
        var frontier = [model.initialState]
        while !frontier.isEmpty {
            var next: [UInt64] = []
            for state in frontier {
                let successors = model.successorList(of: state)
                let decoded = successors.map { model.plain($0.state) }
                let expected = PlainFilterLock(n: 3, bug: false).successors(of: model.plain(state))
                XCTAssertEqual(
                    Dictionary(decoded.map { ($0, 1) }, uniquingKeysWith: +),
                    Dictionary(expected.map { ($0, 1) }, uniquingKeysWith: +), "successors of \(model.plain(state))")
                for successor in successors where packed.insert(successor.state).inserted { next.append(successor.state) }
            }
            frontier = next
        }
        XCTAssertEqual(Set(packed.map(model.plain)), plain.states)
        XCTAssertEqual(packed.count, plain.states.count, "decoding is one-to-one")
        for state in packed {
            XCTAssertEqual(model.encode(model.decode(state)), state)
            XCTAssertLessThan(state, try XCTUnwrap(model.denseStateCount))
        }
    }

    func testModelBounds() throws {
        XCTAssertNil(FilterLockModel(processes: 1))
        XCTAssertNil(FilterLockModel(processes: FilterLockModel.maxProcesses + 1))
        let five = try XCTUnwrap(FilterLockModel(processes: 5))
        XCTAssertLessThanOrEqual(five.stateBits, PackedStateLayout.wordZeroPayloadBits, "N = 5 fits one word")
        XCTAssertEqual(five.denseStateCount, UInt64(1) << UInt64(five.stateBits))
        XCTAssertEqual(five.properties, [PropertyDescriptor(name: "mutex", kind: .invariant)])
        // The largest field values round-trip at N = 5.
        var fields = FilterLockModel.Fields(processes: 5)
        fields.pc = [3, 2, 1, 0, 3]
        fields.level = [4, 0, 4, 3, 1]
        fields.j = [5, 4, 0, 1, 2]
        fields.k = [5, 0, 5, 3, 4]
        fields.last = [0, 4, 3, 2, 1]
        let state = five.encode(fields)
        XCTAssertEqual(five.decode(state), fields)
        XCTAssertLessThan(state, 1 << 62)
    }

    // MARK: Bitstate

    func testBitstateN3IsNeverComplete() throws {
        let report = try explore(3, threads: 1, visited: .bitstate, bitstateLog2Bits: 24)
        let s = report.statistics
        XCTAssertEqual(report.statuses, [.undecided])
        XCTAssertFalse(s.complete)
        XCTAssertNil(s.limit)
        XCTAssertEqual(s.visited, .bitstate)
        let omission = try XCTUnwrap(s.omissionProbability)
        XCTAssertGreaterThan(omission, 0)
        XCTAssertLessThan(omission, 1e-6)
        // One thread and a sparse array: no state is lost, none counted twice.
        XCTAssertEqual(s.states, 2_492)
        XCTAssertEqual(s.transitions, 6_487)
        XCTAssertEqual(s.depth, 47)
    }

    func testBitstateParallelCountsEveryStateOnceWhenNoneCanBeLost() throws {
        // A bitstate search loses a state when the bits it would set are all
        // set already. At N = 4 with 2^28 bits, no state's bits lie within
        // those of the other states sharing its word: none can be lost, in
        // any order of inserts, so two racing threads must count each of the
        // 125,895 states exactly once (not more: a state new to both threads
        // counts once; not fewer: none is lost).
        let model = try XCTUnwrap(FilterLockModel(processes: 4))
        let set = try XCTUnwrap(BitstateVisitedSet<UInt64>(log2Bits: 28, ledger: MemoryLedger(budget: 1 << 26)))
        var reachable: Set<UInt64> = []
        var frontier: [UInt64] = []
        var sink = SuccessorSink<UInt64>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        model.initialStates(into: &sink)
        while true {
            for index in 0..<sink.count where reachable.insert(sink.state(at: index)).inserted {
                frontier.append(sink.state(at: index))
            }
            sink.reset()
            guard let state = frontier.popLast() else { break }
            model.successors(of: state, into: &sink)
        }
        XCTAssertEqual(reachable.count, 125_895)
        var byWord: [Int: [UInt64]] = [:]
        for state in reachable {
            let (word, mask) = set.fingerprint(hash: state.hash64)
            byWord[word, default: []].append(mask)
        }
        let losable = byWord.values.reduce(0) { total, masks in
            total + masks.indices.filter { index in
                let others = masks.indices.reduce(UInt64(0)) { $1 == index ? $0 : $0 | masks[$1] }
                return masks[index] & others == masks[index]
            }.count
        }
        XCTAssertEqual(losable, 0, "states whose bits others may all set first")

        var counts: [UInt64] = []
        for _ in 0..<3 {
            let report = try explore(4, threads: 2, visited: .bitstate, bitstateLog2Bits: 28)
            counts.append(report.statistics.states)
        }
        XCTAssertEqual(counts, [125_895, 125_895, 125_895], "states per run")
    }
}
