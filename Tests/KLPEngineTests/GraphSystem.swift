import KLPEngine
import KLPTestSupport

/// A transition system given as an explicit graph: states `0 ..< count`,
/// each state's successors in emission order, and one goal set per
/// possibility property. For the tests of the possibility check, which
/// compare the engine with `GraphSystem.reference`.
struct GraphSystem: SearchedAsAnyTransitionSystem {
    typealias State = UInt64

    /// One step: its action and its target state.
    struct Edge: Sendable, Hashable {
        var action: UInt32
        var target: UInt64
    }

    /// The initial states, in emission order.
    var initial: [UInt64]
    /// Each state's successors, in emission order.
    var edges: [[Edge]]
    /// Per possibility property, per state: whether it is a goal.
    var goals: [[Bool]]
    /// Whether the model offers a dense encoding (a bitmap visited set).
    var dense = true
    /// Whether the model offers a page field (the two low bits).
    var paged = true

    var properties: [PropertyDescriptor] {
        goals.indices.map { PropertyDescriptor(name: "reach-\($0)", kind: .possibility) }
    }

    var maxSuccessors: Int { edges.map(\.count).max() ?? 0 }
    var denseStateCount: UInt64? { dense ? UInt64(edges.count) : nil }
    var pageField: PageField? { paged ? PageField(word: 0, shift: 0, bits: 2) : nil }

    func initialStates(into sink: inout SuccessorSink<UInt64>) {
        for state in initial { sink.emit(state, action: 0) }
    }

    func successors(of state: UInt64, into sink: inout SuccessorSink<UInt64>) {
        for edge in edges[Int(state)] { sink.emit(edge.target, action: edge.action) }
    }

    func isGoal(_ state: UInt64, property: Int) -> Bool { goals[property][Int(state)] }

    /// A random system of 1 to `maxStates` states, each a dead end with
    /// chance 1 in `deadEndOdds` and otherwise with 1 to `maxDegree`
    /// successors, and `properties` possibility properties, each state a
    /// goal with chance 1 in `goalOdds`.
    static func random(
        _ random: inout SplitMix64, maxStates: Int, maxDegree: Int, deadEndOdds: Int, goalOdds: Int, properties: Int
    ) -> GraphSystem {
        let count = 1 + random.below(maxStates)
        let edges: [[Edge]] = (0..<count).map { _ in
            let degree = random.below(deadEndOdds) == 0 ? 0 : 1 + random.below(maxDegree)
            return (0..<degree).map { action in
                Edge(action: UInt32(action + 1), target: UInt64(random.below(count)))
            }
        }
        let goals = (0..<properties).map { _ in (0..<count).map { _ in random.below(goalOdds) == 0 } }
        let initial = (0..<(1 + random.below(2))).map { _ in UInt64(random.below(count)) }
        return GraphSystem(initial: initial, edges: edges, goals: goals)
    }

    /// What a complete search must answer, computed the plain way: the
    /// reachable states level by level, per property the states that reach
    /// a goal by a search backwards from the goals over stored edges, and
    /// for a violation the engine's trace (Explorer's `rebuildTraces`): to
    /// the smallest stuck state of the first level that has one, back
    /// through the smallest (predecessor, action) at each level.
    func reference() -> (states: Int, statuses: [PropertyStatus<UInt64>]) {
        var level: [UInt64] = []
        var seen: Set<UInt64> = []
        for state in initial where seen.insert(state).inserted { level.append(state) }
        var levels: [[UInt64]] = []
        while !level.isEmpty {
            levels.append(level)
            var next: [UInt64] = []
            for state in level {
                for edge in edges[Int(state)] where seen.insert(edge.target).inserted { next.append(edge.target) }
            }
            level = next
        }
        let statuses: [PropertyStatus<UInt64>] = goals.indices.map { property in
            // Backwards from the goals, over the reachable states' steps.
            var predecessors: [UInt64: [UInt64]] = [:]
            for state in seen {
                for edge in edges[Int(state)] { predecessors[edge.target, default: []].append(state) }
            }
            var reaches = Set(seen.filter { goals[property][Int($0)] })
            var pending = Array(reaches)
            while let state = pending.popLast() {
                for predecessor in predecessors[state] ?? [] where reaches.insert(predecessor).inserted {
                    pending.append(predecessor)
                }
            }
            guard let depth = levels.firstIndex(where: { $0.contains { !reaches.contains($0) } }) else { return .holds }
            var current = levels[depth].filter { !reaches.contains($0) }.min()!
            var steps: [TraceStep<UInt64>] = []
            for earlier in stride(from: depth - 1, through: 0, by: -1) {
                var best: (state: UInt64, action: UInt32)?
                for state in levels[earlier] {
                    for edge in edges[Int(state)] where edge.target == current {
                        if let known = best, (known.state, known.action) <= (state, edge.action) { continue }
                        best = (state, edge.action)
                    }
                }
                steps.append(TraceStep(action: best!.action, state: current))
                current = best!.state
            }
            return .violated(Trace(initial: current, steps: steps.reversed()))
        }
        return (seen.count, statuses)
    }
}
