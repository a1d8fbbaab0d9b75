import KLPEngine
import KLPTestSupport
import XCTest

/// The possibility check (AG EF goal, `progress` in the livepatch model):
/// its verdicts and counterexamples equal a plain fixpoint's on random and
/// on deep systems, with every exact visited set and thread count, and it
/// expands each state about once.
final class PossibilityCheckTests: XCTestCase {
    /// The exact visited sets with one and two threads.
    static let configurations: [(VisitedKind, Int)] = [
        (.hash, 1), (.hash, 2), (.bitmap, 1), (.bitmap, 2), (.paged, 1), (.paged, 2),
    ]

    func explore(_ system: GraphSystem, _ visited: VisitedKind, threads: Int, maxStates: UInt64? = nil) throws
        -> SearchReport<UInt64>
    {
        try Explorer.explore(
            AnyTransitionSystem(system),
            options: SearchOptions(threads: threads, visited: visited, maxStates: maxStates, bitstateLog2Bits: 16))
    }

    /// Hundreds of random systems (fixed seeds): the engine's states,
    /// verdicts and traces are the reference's, each system with one
    /// exact visited set (in turn) on one and on two threads.
    func testRandomSystemsMatchThePlainFixpoint() throws {
        var random = SplitMix64(state: 0x5eed_0f_90a1)
        var holds = 0
        var violated = 0
        let kinds: [VisitedKind] = [.hash, .bitmap, .paged]
        for index in 0..<200 {
            let system = GraphSystem.random(
                &random, maxStates: 40, maxDegree: 3, deadEndOdds: 16, goalOdds: 3, properties: 2)
            let expected = system.reference()
            for status in expected.statuses {
                if status == .holds { holds += 1 } else { violated += 1 }
            }
            for threads in [1, 2] {
                let visited = kinds[index % kinds.count]
                let report = try explore(system, visited, threads: threads)
                let context = "system \(index), \(visited), \(threads) threads"
                XCTAssertEqual(report.statistics.states, UInt64(expected.states), context)
                XCTAssertTrue(report.statistics.complete, context)
                XCTAssertEqual(report.statuses, expected.statuses, context)
            }
        }
        // Both verdicts occur often, so the comparison means something.
        XCTAssertEqual(holds + violated, 400)
        XCTAssertGreaterThan(holds, 80)
        XCTAssertGreaterThan(violated, 80)
    }

    /// A 64 x 64 grid: each point steps right or up, and a point on the
    /// right or top edge resets to the origin, the goal. With `trap`, the
    /// corner instead enters a cycle of three states that never leaves.
    /// `progressLast` emits the steps towards the edges last.
    static func grid(trap: Bool, progressLast: Bool) -> GraphSystem {
        let side = 64
        let corner = side * side - 1
        var edges: [[GraphSystem.Edge]] = (0..<(side * side)).map { point in
            let x = point % side
            let y = point / side
            var steps: [GraphSystem.Edge] = []
            if x + 1 < side { steps.append(.init(action: 1, target: UInt64(point + 1))) }
            if y + 1 < side { steps.append(.init(action: 2, target: UInt64(point + side))) }
            if (x == side - 1 || y == side - 1) && !(trap && point == corner) {
                steps.append(.init(action: 3, target: 0))
            }
            return progressLast ? steps : steps.reversed()
        }
        if trap {
            edges[corner].append(.init(action: 4, target: UInt64(side * side)))
            for offset in 0..<3 {
                edges.append([.init(action: 4, target: UInt64(side * side + (offset + 1) % 3))])
            }
        }
        return GraphSystem(initial: [0], edges: edges, goals: [edges.indices.map { $0 == 0 }])
    }

    /// Only the far corner and its trap cannot reach the goal: the
    /// violation is found 126 steps deep, with the reference's trace, in
    /// whatever order the model emits its steps.
    func testAGoalUnreachableOnlyFromTheFarCornerIsFoundWithTheShortestTrace() throws {
        for progressLast in [true, false] {
            let system = Self.grid(trap: true, progressLast: progressLast)
            let expected = system.reference()
            XCTAssertEqual(expected.states, 64 * 64 + 3)
            let trace = try XCTUnwrap(expected.statuses[0].trace)
            XCTAssertEqual(trace.steps.count, 126)
            XCTAssertEqual(trace.last, 64 * 64 - 1)
            for (visited, threads) in Self.configurations {
                let report = try explore(system, visited, threads: threads)
                let context = "progress last: \(progressLast), \(visited), \(threads) threads"
                XCTAssertEqual(report.statistics.states, UInt64(expected.states), context)
                XCTAssertEqual(report.statuses, expected.statuses, context)
                XCTAssertGreaterThan(report.statistics.progressSeconds, 0, context)
            }
        }
    }

    /// Without the trap every state reaches the goal: the property holds,
    /// and on one thread the check expands each state that is not a goal
    /// exactly once, whichever order the steps come in (the sweeps that
    /// used to follow the walks expanded every unmarked state again each
    /// time).
    func testEveryStateReachesTheGoalAndIsExpandedOnce() throws {
        for progressLast in [true, false] {
            let system = Self.grid(trap: false, progressLast: progressLast)
            for (visited, threads) in Self.configurations {
                let report = try explore(system, visited, threads: threads)
                let context = "progress last: \(progressLast), \(visited), \(threads) threads"
                XCTAssertEqual(report.statistics.states, 64 * 64, context)
                XCTAssertEqual(report.statuses, [.holds], context)
                if threads == 1 {
                    XCTAssertEqual(report.statistics.progressExpansions, 64 * 64 - 1, context)
                } else {
                    XCTAssertGreaterThanOrEqual(report.statistics.progressExpansions, 64 * 64 - 1, context)
                }
            }
        }
    }

    /// A long chain, the goal at its end, and every state also able to go
    /// back to the start: walks follow the last successor down the chain,
    /// so the check still expands each state once.
    func testALongChainToTheGoalIsWalkedOnce() throws {
        let length = 600
        let edges: [[GraphSystem.Edge]] = (0..<length).map { state in
            state == length - 1 ? [] : [.init(action: 1, target: 0), .init(action: 2, target: UInt64(state + 1))]
        }
        let system = GraphSystem(initial: [0], edges: edges, goals: [edges.indices.map { $0 == length - 1 }])
        for (visited, threads) in Self.configurations {
            let report = try explore(system, visited, threads: threads)
            XCTAssertEqual(report.statuses, [.holds], "\(visited), \(threads) threads")
            if threads == 1 {
                XCTAssertEqual(report.statistics.progressExpansions, UInt64(length - 1), "\(visited)")
            }
        }
    }

    /// An incomplete search decides no possibility property and spends
    /// nothing on it: a state limit, and a bitstate set.
    func testAnIncompleteSearchLeavesPossibilityUndecided() throws {
        let system = Self.grid(trap: true, progressLast: true)
        for threads in [1, 2] {
            let limited = try explore(system, .hash, threads: threads, maxStates: 100)
            XCTAssertEqual(limited.statistics.limit, .states)
            XCTAssertEqual(limited.statuses, [.undecided])
            XCTAssertEqual(limited.statistics.progressSeconds, 0)
            XCTAssertEqual(limited.statistics.progressExpansions, 0)
            let bitstate = try explore(system, .bitstate, threads: threads)
            XCTAssertFalse(bitstate.statistics.complete)
            XCTAssertEqual(bitstate.statuses, [.undecided])
            XCTAssertEqual(bitstate.statistics.progressExpansions, 0)
        }
    }

    /// The figures survive the JSON: written, and read back; a document
    /// written before they existed reads them as 0.
    func testTheProgressFiguresRoundTripThroughJSON() throws {
        let report = try explore(Self.grid(trap: false, progressLast: true), .hash, threads: 1)
        let data = try JSONEncoder().encode(report.statistics)
        let decoded = try JSONDecoder().decode(SearchStatistics.self, from: data)
        XCTAssertEqual(decoded, report.statistics)
        XCTAssertEqual(decoded.progressExpansions, 64 * 64 - 1)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["progressSeconds"] = nil
        object["progressExpansions"] = nil
        let older = try JSONDecoder().decode(SearchStatistics.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(older.progressSeconds, 0)
        XCTAssertEqual(older.progressExpansions, 0)
        XCTAssertEqual(older.states, report.statistics.states)
    }
}
