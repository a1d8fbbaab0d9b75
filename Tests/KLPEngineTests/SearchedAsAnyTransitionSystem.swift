import KLPEngine

/// A test model whose `explore(options:)` searches it as an
/// `AnyTransitionSystem`.
///
/// A conformance to `TransitionSystem` that keeps the default
/// `explore(options:)` makes the release build compile the search for the
/// model, once per visited set, whether a test calls it or not. Through
/// `AnyTransitionSystem` it is the one copy every small model shares.
protocol SearchedAsAnyTransitionSystem: TransitionSystem where State == UInt64 {}

extension SearchedAsAnyTransitionSystem {
    /// The search of `AnyTransitionSystem(self)`: the same states, steps and verdicts.
    func explore(options: SearchOptions) throws -> SearchReport<UInt64> {
        try Explorer.explore(AnyTransitionSystem(self), options: options)
    }
}
