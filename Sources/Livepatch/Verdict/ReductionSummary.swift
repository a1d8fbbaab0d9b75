/// The state-space reduction a search used, and what it says about the
/// full space: JSON `reduction` (Livepatch.docc, Reductions).
public struct ReductionSummary: Sendable, Codable, Equatable {
    /// `none`, or those of `module-symmetry`, `merged-loader-steps` and
    /// `merged-retirement` in effect, joined by `+`.
    public var name: String
    /// The interchangeable modules the search folded, class by class.
    public var classes: [[String]]
    /// The modules whose `insmod` and `rmmod` halves the search ran as one
    /// step each.
    public var mergedModules: [String]
    /// States of the full space, when known: a search that explored every
    /// reachable state knows them (with module symmetry, as the sum of its
    /// representatives' orbits). A search that stopped early, every checked
    /// property being violated, does not; nor does a search under
    /// `merged-retirement` (`CompiledWorld.mergesRetirement`).
    public var fullStates: UInt64?
    /// Transitions of the full space, when known, counted the same way.
    public var fullTransitions: UInt64?
    /// Whether each counterexample is a shortest one: module symmetry keeps
    /// breadth-first levels, merged loader steps and merged retirement do
    /// not (`--reduction module-symmetry` or `none` gives shortest traces).
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

    /// Whether the search could count the full space at all: not under
    /// `merged-retirement`, whose states stand for a number of full states
    /// that depends on the path (`TransitionSystem.countsFullSpace`).
    public var countsFullSpace: Bool { !name.split(separator: "+").contains("merged-retirement") }

    private enum CodingKeys: String, CodingKey {
        case name, classes, mergedModules, fullStates, fullTransitions, shortestTraces
    }

    /// Writes every field, an unknown full size as `null` rather than
    /// leaving it out, so that a reader sees it is unknown.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(classes, forKey: .classes)
        try container.encode(mergedModules, forKey: .mergedModules)
        try container.encode(fullStates, forKey: .fullStates)
        try container.encode(fullTransitions, forKey: .fullTransitions)
        try container.encode(shortestTraces, forKey: .shortestTraces)
    }
}
