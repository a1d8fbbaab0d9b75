import KLPEngine

/// A step as the state-by-state rule tests compare them: where it leads and
/// what it breaks (a multiset of these is a state's successors).
struct ComparedStep<State: PackedState>: Hashable {
    var state: State
    var violated: UInt64
}

/// The bounded breadth-first walk of the tests that check a rule on every
/// reachable state: from the initial state, level by level, until `budget`
/// states are seen, no state is left, or `goOn` says stop. `visit` checks a
/// state and returns its successors.
///
/// - Returns: the number of states seen.
func walkReachableStates<State: PackedState>(
    budget: Int, while goOn: () -> Bool = { true }, visit: (State) -> [State]
) -> Int {
    var seen: Set<State> = [.zero]
    var frontier: [State] = [.zero]
    while !frontier.isEmpty && seen.count < budget && goOn() {
        var next: [State] = []
        for state in frontier {
            for successor in visit(state) where seen.insert(successor).inserted { next.append(successor) }
        }
        frontier = next
    }
    return seen.count
}
