import KLPEngine

extension World {
    /// The properties a verification checks: `requested` if any, else the
    /// file's `check` line, else every property and finding.
    public func propertiesToCheck(_ requested: [LivepatchProperty] = []) -> PropertySet {
        let chosen = !requested.isEmpty ? requested : checked
        return chosen.isEmpty ? .first(LivepatchProperty.allCases.count) : PropertySet(indices: chosen.map(\.index))
    }

    /// Compiles and verifies the world: `klpcheck verify` as a library call,
    /// with the same verdict and exit status.
    ///
    /// - Throws: `WorldTooLarge` when the state does not pack,
    ///   `ExplorerError` when the options do not fit the model.
    public func verify(
        symmetry: Bool = true, reduction: Reduction = .none, checking requested: [LivepatchProperty] = [],
        options: SearchOptions = SearchOptions(), modelName: String? = nil
    ) throws -> VerificationResult {
        var options = options
        options.checked = propertiesToCheck(requested)
        return try CompiledWorld(self, symmetry: symmetry, reduction: reduction).verify(options: options, modelName: modelName ?? file)
    }
}

extension CompiledWorld {
    /// Explores the world with `options` (its `checked` set chooses the
    /// properties) and judges the report against the world's expectation;
    /// `modelName` heads each counterexample's scenario.
    ///
    /// - Throws: `WorldTooLarge` when the state does not pack,
    ///   `ExplorerError` when the options do not fit the model.
    public func verify(options: SearchOptions, modelName: String) throws -> VerificationResult {
        struct Visit: LivepatchModelVisitor {
            let options: SearchOptions
            let modelName: String
            func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> VerificationResult {
                let report = try model.explore(options: options)
                var result = VerificationResult(report: report, world: model.world, modelName: modelName)
                let world = model.world
                result.reduction = ReductionSummary(
                    name: world.reductionName, classes: world.interchangeableModules, mergedModules: world.mergedModules,
                    fullStates: report.fullSpace?.states, fullTransitions: report.fullSpace?.transitions,
                    shortestTraces: world.keepsShortestTraces)
                return result
            }
        }
        return try withModel(Visit(options: options, modelName: modelName))
    }
}

extension VerificationResult {
    /// Judges the search report of a livepatch world: findings are the
    /// properties `LivepatchProperty.isFinding` names, and each trace is put
    /// in words by one replay (`TracePresentation`).
    public init<State: PackedState>(report: SearchReport<State>, world: CompiledWorld, modelName: String) {
        self.init(
            report: report, expectation: world.world.expectation,
            isFinding: { LivepatchProperty.allCases[$0].isFinding },
            present: { index, trace in
                TracePresentation(
                    world.concreteTrace(trace, for: index), of: LivepatchProperty.allCases[index], in: world,
                    modelName: modelName)
            })
    }
}
