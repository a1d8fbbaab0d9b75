/// The state-space reduction a search used, and what it says about the
/// full space: JSON `reduction` (Livepatch.docc, Reductions).
public struct ReductionSummary: Sendable, Codable, Equatable {
    /// `module-symmetry` or `none`.
    public var name: String
    /// The interchangeable modules the search folded, class by class.
    public var classes: [[String]]
    /// States of the full space, when known: a search that explored every
    /// reachable state knows them (with module symmetry, as the sum of its
    /// representatives' orbits). A search that stopped early, every checked
    /// property being violated, does not.
    public var fullStates: UInt64?
    /// Transitions of the full space, when known, counted the same way.
    public var fullTransitions: UInt64?
    /// Whether each counterexample is a shortest one. Module symmetry keeps
    /// breadth-first levels, so this is true for every reduction klpcheck has.
    public var shortestTraces: Bool

    /// Creates a summary.
    public init(name: String, classes: [[String]], fullStates: UInt64?, fullTransitions: UInt64?, shortestTraces: Bool) {
        self.name = name
        self.classes = classes
        self.fullStates = fullStates
        self.fullTransitions = fullTransitions
        self.shortestTraces = shortestTraces
    }
}
