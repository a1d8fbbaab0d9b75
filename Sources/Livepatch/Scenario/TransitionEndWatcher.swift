import KLPEngine

/// Watches a search for a state with no transition running, and stops the
/// search at the first: the progress check of a scenario asks only whether
/// one is reachable.
struct TransitionEndWatcher<State: PackedState>: SearchVisitor {
    let world: CompiledWorld
    /// Requested once a state with no transition was stored.
    let found = StopRequest()

    /// States only.
    static var visitsTransitions: Bool { false }

    func visitState(_ state: State, level: Int, worker: Int) {
        if !world.inTransition(state) { found.request() }
    }

    func visitTransition(from source: State, action: UInt32, to target: State, violating: PropertySet, worker: Int) {}
}
