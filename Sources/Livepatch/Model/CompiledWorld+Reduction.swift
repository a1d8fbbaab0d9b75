import KLPEngine

extension CompiledWorld {
    /// The modules the search folds, by name, class by class: empty when
    /// it does not fold (`Reduction.none`, or no two modules alike).
    public var interchangeableModules: [[String]] {
        tables.pointee.moduleSymmetry.classes.map { $0.map(moduleName) }
    }

    /// The modules whose `insmod` and `rmmod` halves the search runs as one
    /// step each (`Reduction.auto`, `.exact`; Livepatch.docc, Reductions), by name.
    public var mergedModules: [String] {
        let merged = tables.pointee.mergedLoaderSteps
        return (0..<merged.count).map { moduleName(Int(merged.modules[$0])) }
    }

    /// Whether the search removes a retired patch's module in the step
    /// that retires it (`Reduction.auto`, in a world without author
    /// contracts; Livepatch.docc, Reductions). The full space's size is
    /// then not known.
    public var mergesRetirement: Bool { tables.pointee.mergesRetirement }

    /// The reductions in effect, as the JSON names them: `none`, or those of
    /// `module-symmetry`, `merged-loader-steps` and `merged-retirement` in
    /// effect, joined by `+`.
    public var reductionName: String {
        let names =
            (interchangeableModules.isEmpty ? [] : ["module-symmetry"]) + (mergedModules.isEmpty ? [] : ["merged-loader-steps"])
            + (mergesRetirement ? ["merged-retirement"] : [])
        return names.isEmpty ? "none" : names.joined(separator: "+")
    }

    /// Whether every counterexample of the search is a shortest one: module
    /// symmetry keeps breadth-first levels, the merged steps do not.
    public var keepsShortestTraces: Bool { mergedModules.isEmpty && !mergesRetirement }

    /// How many states of the full space the representative `state` stands for.
    public func orbitSize<State: PackedState>(of state: State) -> Double {
        tables.pointee.moduleSymmetry.orbitSize(of: state)
    }

    /// A trace of a reduced search as a trace of the states themselves,
    /// which the core replays step by step. At each step it takes the first
    /// successor of the state reached that the reduced step stands for: the
    /// one whose orbit representative (module symmetry) is the trace's next
    /// state, after the second half of a merged module's `insmod` or
    /// `rmmod`, or after the removals of the patches a completion retired,
    /// which it adds as steps of their own. On the last step the
    /// successor must also break `property` if the trace's step did; when
    /// the first half of a merged step breaks it, the trace ends there.
    /// Without a reduction, `trace` itself.
    ///
    /// Such a successor always exists, since the reductions keep the
    /// core's steps (`ModuleSymmetry`, `MergedLoaderSteps`, `mergesRetirement`); were one
    /// missing, the rest of the trace is kept as it is, and its replay says
    /// where it stops.
    public func concreteTrace<State: PackedState>(_ trace: Trace<State>, for property: Int) -> Trace<State> {
        let symmetry = tables.pointee.moduleSymmetry
        guard symmetry.classCount > 0 || tables.pointee.mergedLoaderSteps.count > 0 || mergesRetirement, !trace.steps.isEmpty
        else { return trace }
        func fold(_ state: State) -> State { symmetry.classCount > 0 ? symmetry.canonical(state) : state }
        let model = LivepatchModel<State>(world: self, reducing: false)
        let reduced = LivepatchModel<State>(world: self, reducing: true)
        var plain = SuccessorSink<State>(capacity: model.maxSuccessors)
        var reference = SuccessorSink<State>(capacity: model.maxSuccessors)
        defer {
            plain.deallocate()
            reference.deallocate()
        }
        var steps: [TraceStep<State>] = []
        var here = trace.initial
        var before = trace.initial
        let last = trace.steps.count - 1
        for (offset, step) in trace.steps.enumerated() {
            // Only the last step must break `property` as the trace's does. Whether
            // the trace's own step breaks it: its replay from the representative says.
            var breaks = false
            if offset == last {
                reference.reset()
                reduced.successors(of: before, into: &reference)
                breaks = (0..<reference.count).contains {
                    reference.action(at: $0) == step.action && reference.state(at: $0) == step.state
                        && reference.violations(at: $0).contains(index: property)
                }
            }
            before = step.state
            plain.reset()
            model.successors(of: here, into: &plain)
            var found: [TraceStep<State>] = []
            for index in 0..<plain.count {
                let first = TraceStep(action: plain.action(at: index), state: plain.state(at: index))
                let firstBreaks = plain.violations(at: index).contains(index: property)
                if let second = model.secondHalf(of: first.action, from: first.state) {
                    guard fold(second.step.state) == step.state else { continue }
                    if breaks && firstBreaks {
                        found = [first]
                    } else if !breaks || second.violated.contains(index: property) {
                        found = [first, second.step]
                    } else {
                        continue
                    }
                } else {
                    // A completion that retired patches removed them in the same step;
                    // those removals break nothing.
                    let removals = model.retirementSteps(after: first.action, from: first.state)
                    guard fold((removals.last ?? first).state) == step.state, !breaks || firstBreaks else { continue }
                    found = breaks ? [first] : [first] + removals
                }
                break
            }
            guard let reached = found.last else {
                steps += trace.steps[offset...]
                break
            }
            here = reached.state
            steps += found
        }
        return Trace(initial: trace.initial, steps: steps)
    }
}
