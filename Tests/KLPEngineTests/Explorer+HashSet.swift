import KLPEngine

extension Explorer {
    /// `exploreOverHashSet(_:options:visitor:)` with no visitor: for tests
    /// that pin the hash set, one copy of the search instead of one per
    /// visited set.
    static func exploreOverHashSet<Model: TransitionSystem>(
        _ model: Model, options: SearchOptions
    ) throws -> SearchReport<Model.State> {
        try exploreOverHashSet(model, options: options, visitor: NoVisitor<Model.State>())
    }
}
