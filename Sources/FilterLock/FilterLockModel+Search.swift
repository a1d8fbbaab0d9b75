import KLPEngine

extension FilterLockModel {
    /// Explores the model with the engine's search (`Explorer.explore`).
    ///
    /// Not @inlinable, so that the search is specialised for the filter lock
    /// once, here, and not again in every module that explores it (the
    /// `bench` command, the tests): each copy is one visited set's search,
    /// and each costs release-build time.
    public func explore(options: SearchOptions) throws -> SearchReport<State> {
        try Explorer.explore(self, options: options)
    }
}
