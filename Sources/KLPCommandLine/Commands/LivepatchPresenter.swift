import KLPEngine
import Livepatch

/// Words for the livepatch model: commands, kernel log lines, state changes.
struct LivepatchPresenter<State: PackedState>: ModelPresenter {
    let model: LivepatchModel<State>
    let modelName: String

    var world: CompiledWorld { model.world }

    var worldSummary: String { Self.summary(of: model.world) }

    /// Data and settings, for worlds that declare them.
    static func contractSummary(of source: World) -> String {
        let data = source.data.map { $0.isStatic ? "\($0.name) (static)" : $0.name }
        let settings = source.settings.map { setting in
            setting.owner.map { "\(setting.name) (in \(source.modules[$0].name))" } ?? setting.name
        }
        return "data: \(data.isEmpty ? "none" : data.joined(separator: ", ")); settings: \(settings.isEmpty ? "none" : settings.joined(separator: ", "))"
    }

    /// The world in one line.
    static func summary(of world: CompiledWorld) -> String {
        let source = world.world
        let patches = source.patches.map { patch in
            "\(patch.name) (\(patch.replace ? "replace, " : "")\(patch.objects.count) object\(patch.objects.count == 1 ? "" : "s"))"
        }
        let modules = source.modules.map { $0.busy ? "\($0.name) (busy)" : $0.name }
        return "patches: \(patches.joined(separator: ", ")); modules: \(modules.isEmpty ? "none" : modules.joined(separator: ", ")); "
            + "tasks: \(source.tasks); force: \(source.force ? "on" : "off"); core: \(source.core.rawValue); "
            + "symmetry: \(world.symmetry ? "on" : "off"); state: \(world.bitCount) bits in \(world.wordCount) word\(world.wordCount == 1 ? "" : "s")"
            + (source.hasContracts ? "; " + contractSummary(of: source) : "")
    }

    func isFinding(_ index: Int) -> Bool { LivepatchProperty.allCases[index].isFinding }

    func describe(_ state: State) -> [String] {
        world.facts(of: state).filter { fact in
            !(fact.value == "UNLOADED" || fact.value == "unloaded" || fact.subject == "list" && fact.value == "[]")
        }.map(\.text)
    }

    func steps(of trace: Trace<State>) -> [StepDocument] {
        var before = trace.initial
        var steps: [StepDocument] = []
        for (offset, step) in trace.steps.enumerated() {
            guard let record = world.replay(action: step.action, from: before) else { continue }
            var log = record.log
            if case .refused(let errno) = record.result { log.append("(the command fails: \(Errno.name(errno)), \(Errno.text(errno)))") }
            steps.append(
                StepDocument(
                    number: offset + 1, action: record.event.command(in: world, failed: record.failed), log: log,
                    changes: record.log.filter { $0.hasPrefix(ContractMessage.prefix) }
                        + world.changes(from: before, to: step.state)))
            before = step.state
        }
        return steps
    }

    func explanation(property index: Int, trace: Trace<State>) -> String {
        let property = LivepatchProperty.allCases[index]
        if property == .progress {
            let patch = world.transitionPatchName(trace.last) ?? "?"
            return "from this state no sequence of events ends the transition of '\(patch)': \(property.summary)"
        }
        let before = trace.steps.count >= 2 ? trace.steps[trace.steps.count - 2].state : trace.initial
        if let last = trace.steps.last, let record = world.replay(action: last.action, from: before),
            let reason = record.reasons[property]
        {
            return reason
        }
        return property.summary
    }

    func scenario(of trace: Trace<State>) -> String? {
        var lines = [
            "# klpcheck counterexample, replayed step by step: nothing happens between steps.",
            "# model: \(VisibleText.escape(modelName))",  // one comment line, whatever the path holds
            "replay",
        ]
        var before = trace.initial
        for (offset, step) in trace.steps.enumerated() {
            guard let record = world.replay(action: step.action, from: before) else { continue }
            lines.append("# \(offset + 1). \(record.event.command(in: world, failed: record.failed))")
            lines.append(record.event.stepLine(in: world, failed: record.failed))
            before = step.state
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
