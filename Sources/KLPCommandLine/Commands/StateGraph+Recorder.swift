import KLPEngine

extension StateGraph {
    /// A step the search fired, as the graph keeps it.
    struct Step {
        var source: State
        var action: UInt32
        var target: State
        var violating: PropertySet
    }

    /// Records what the engine's search shows it: the initial states and
    /// every step, each worker into its own bucket (so no locks).
    final class Recorder: SearchVisitor, @unchecked Sendable {
        /// One worker's records; only that worker writes them.
        final class Bucket {
            var initial: [State] = []
            var steps: [Step] = []
        }

        let buckets: [Bucket]

        /// A recorder for a search on `threads` workers.
        init(threads: Int) { buckets = (0..<threads).map { _ in Bucket() } }

        func visitState(_ state: State, level: Int, worker: Int) {
            if level == 0 { buckets[worker].initial.append(state) }
        }

        func visitTransition(from source: State, action: UInt32, to target: State, violating: PropertySet, worker: Int) {
            buckets[worker].steps.append(Step(source: source, action: action, target: target, violating: violating))
        }

        /// The initial states, in the order the search stored them.
        var initialStates: [State] { buckets.flatMap(\.initial) }

        /// Each source's steps, in the order the model emitted them (one
        /// worker expands a state at once, so they are together in its bucket).
        var stepsBySource: [State: [Step]] {
            var result: [State: [Step]] = [:]
            for bucket in buckets {
                for step in bucket.steps { result[step.source, default: []].append(step) }
            }
            return result
        }
    }
}
