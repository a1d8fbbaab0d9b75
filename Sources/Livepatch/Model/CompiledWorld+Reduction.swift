import KLPEngine

extension CompiledWorld {
    /// The modules the search folds, by name, class by class: empty when
    /// it explores the full space (`Reduction.none`, or no two modules alike).
    public var interchangeableModules: [[String]] {
        tables.pointee.moduleSymmetry.classes.map { $0.map(moduleName) }
    }

    /// The reduction in effect, as the JSON names it: `module-symmetry` or `none`.
    public var reductionName: String { interchangeableModules.isEmpty ? "none" : "module-symmetry" }

    /// How many states of the full space the representative `state` stands for.
    public func orbitSize<State: PackedState>(of state: State) -> Double {
        tables.pointee.moduleSymmetry.orbitSize(of: state)
    }

    /// A trace through orbit representatives (a search with module
    /// symmetry), as a trace of the states themselves that the core replays
    /// step by step: at each step, the first successor of the state reached
    /// whose representative is the trace's next state (and, on the last
    /// step, that breaks `property` if the trace's step did). Without
    /// folded modules, `trace` itself.
    ///
    /// Such a successor always exists, since interchangeable modules are
    /// treated alike (`ModuleSymmetry`); were one missing, the rest of the
    /// trace is kept as it is, and its replay says where it stops.
    public func concreteTrace<State: PackedState>(_ trace: Trace<State>, for property: Int) -> Trace<State> {
        let symmetry = tables.pointee.moduleSymmetry
        guard symmetry.classCount > 0, !trace.steps.isEmpty else { return trace }
        let model = LivepatchModel<State>(world: self, foldingModules: false)
        let folded = LivepatchModel<State>(world: self, foldingModules: true)
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
                folded.successors(of: before, into: &reference)
                breaks = (0..<reference.count).contains {
                    reference.action(at: $0) == step.action && reference.state(at: $0) == step.state
                        && reference.violations(at: $0).contains(index: property)
                }
            }
            before = step.state
            plain.reset()
            model.successors(of: here, into: &plain)
            let match = (0..<plain.count).first { index in
                symmetry.canonical(plain.state(at: index)) == step.state
                    && (!breaks || plain.violations(at: index).contains(index: property))
            }
            guard let match else {
                steps += trace.steps[offset...]
                break
            }
            here = plain.state(at: match)
            steps.append(TraceStep(action: plain.action(at: match), state: here))
        }
        return Trace(initial: trace.initial, steps: steps)
    }
}
