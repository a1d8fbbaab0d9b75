import KLPEngine

extension TracePresentation {
    /// The counterexample of `property` in a livepatch world, in one replay
    /// of its trace: each step's command, kernel log and changes, the
    /// scenario `klpcheck run` replays, and why the last step breaks it.
    /// `modelName` is named in the scenario's heading comment.
    public init<State: PackedState>(
        _ trace: Trace<State>, of property: LivepatchProperty, in world: CompiledWorld, modelName: String
    ) {
        var steps: [PresentedStep] = []
        var scenario = [
            "# klpcheck counterexample, replayed step by step: nothing happens between steps.",
            "# model: \(VisibleText.escape(modelName))",  // one comment line, whatever the path holds
            "replay",
        ]
        var lastRecord: StepRecord<State>?
        var before = trace.initial
        for (offset, step) in trace.steps.enumerated() {
            guard let record = world.replay(action: step.action, from: before) else { continue }
            defer { before = step.state }
            if offset == trace.steps.count - 1 { lastRecord = record }
            let command = record.event.command(in: world, failed: record.failed)
            var log = record.log
            if case .refused(let errno) = record.result {
                log.append("(the command fails: \(Errno.name(errno)), \(Errno.text(errno)))")
            }
            steps.append(
                PresentedStep(
                    number: offset + 1, action: command, log: log,
                    changes: record.log.filter { $0.hasPrefix(ContractMessage.prefix) }
                        + world.changes(from: before, to: step.state)))
            scenario.append("# \(offset + 1). \(command)")
            scenario.append(record.event.stepLine(in: world, failed: record.failed))
        }
        let explanation: String
        if property == .progress {
            let patch = world.transitionPatchName(trace.last) ?? "?"
            explanation = "from this state no sequence of events ends the transition of '\(patch)': \(property.summary)"
        } else {
            explanation = lastRecord?.reasons[property] ?? property.summary
        }
        self.init(
            initial: world.describe(trace.initial), steps: steps, explanation: explanation,
            scenario: scenario.joined(separator: "\n") + "\n")
    }
}
