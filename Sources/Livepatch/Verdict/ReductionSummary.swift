/// The state-space reduction a search used, and what it says about the
/// full space: JSON `reduction` (Livepatch.docc, Reductions).
public struct ReductionSummary: Sendable, Codable, Equatable {
    /// `none`, `module-symmetry`, `merged-loader-steps`, or the last two
    /// joined by `+`.
    public var name: String
    /// The interchangeable modules the search folded, class by class.
    public var classes: [[String]]
    /// The modules whose `insmod` and `rmmod` halves the search ran as one
    /// step each.
    public var mergedModules: [String]
    /// States of the full space, when known: a search that explored every
    /// reachable state knows them (with module symmetry, as the sum of its
    /// representatives' orbits). A search that stopped early, every checked
    /// property being violated, does not.
    public var fullStates: UInt64?
    /// Transitions of the full space, when known, counted the same way.
    public var fullTransitions: UInt64?
    /// Whether each counterexample is a shortest one: module symmetry keeps
    /// breadth-first levels, merged loader steps do not (`--reduction
    /// module-symmetry` or `none` gives shortest traces).
    public var shortestTraces: Bool

    /// Creates a summary.
    public init(
        name: String, classes: [[String]], mergedModules: [String], fullStates: UInt64?, fullTransitions: UInt64?,
        shortestTraces: Bool
    ) {
        self.name = name
        self.classes = classes
        self.mergedModules = mergedModules
        self.fullStates = fullStates
        self.fullTransitions = fullTransitions
        self.shortestTraces = shortestTraces
    }
}
