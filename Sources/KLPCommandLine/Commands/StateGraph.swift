import Foundation
import KLPEngine
import Livepatch

/// The reachable graph of a small livepatch model, explored by the engine's
/// search with a `StateGraph.Recorder` watching it.
struct StateGraph<State: PackedState> {
    struct Edge {
        var from: Int
        var to: Int
        var label: String
        var violates: [String]
    }

    let world: CompiledWorld
    var states: [State] = []
    var edges: [Edge] = []
    var badStates: Set<Int> = []

    /// - Throws: `CommandFailure` (incomplete) when the world has more than
    ///   `limit` reachable states.
    init(model: LivepatchModel<State>, checked: PropertySet, limit: Int, path: String) throws {
        world = model.world
        // One thread: the worlds drawn are small. No property is checked, so
        // the search never stops early: every state and step is seen.
        let options = SearchOptions(threads: 1, maxStates: UInt64(limit), checked: [])
        let recorder = Recorder(threads: options.threads)
        let report = try Explorer.exploreOverHashSet(model, options: options, visitor: recorder)
        if let stopped = report.statistics.limit {
            let reason = stopped == .states
                ? "has more than \(limit) reachable states; raise --max-states or draw a smaller world"
                : "could not be explored whole (\(stopped.rawValue))"
            throw CommandFailure("\(path) \(reason)", status: .incomplete)
        }
        // The states are numbered in breadth-first order of the recorded
        // steps, each state's in the order the model emits them: the order
        // the search stores them in is the engine's business (workers,
        // deferred inserts), the drawing's numbers must not depend on it.
        let steps = recorder.stepsBySource
        var index: [State: Int] = [:]
        for state in recorder.initialStates {
            index[state] = states.count
            states.append(state)
        }
        var next = 0
        while next < states.count {
            let state = states[next]
            for step in steps[state] ?? [] {
                let targetIndex: Int
                if let known = index[step.target] {
                    targetIndex = known
                } else {
                    targetIndex = states.count
                    index[step.target] = targetIndex
                    states.append(step.target)
                }
                let broken = step.violating.intersection(checked).indices.map {
                    LivepatchProperty.allCases[$0].rawValue
                }
                let record = world.replay(action: step.action, from: state)
                let label = record.map { $0.event.stepLine(in: world, failed: $0.failed).replacingOccurrences(of: "step ", with: "") } ?? "?"
                edges.append(Edge(from: next, to: targetIndex, label: label, violates: broken))
                if !broken.isEmpty { badStates.insert(targetIndex) }
            }
            next += 1
        }
    }
    /// The facts a state's box shows, one a line.
    func label(_ state: State) -> [String] {
        world.facts(of: state).filter { !["UNLOADED", "unloaded", "none", "[]"].contains($0.value) }.map(\.text)
    }

    func dot() -> String {
        var lines = ["digraph klpcheck {", "  rankdir=TB;", "  node [shape=box, fontname=\"monospace\", fontsize=9];"]
        for (number, state) in states.enumerated() {
            var attributes = ["label=\"\(label(state).map(Graphviz.text).joined(separator: "\\n"))\""]
            if number == 0 { attributes.append("peripheries=2") }
            if badStates.contains(number) { attributes.append("color=red, fontcolor=red") }
            lines.append("  s\(number) [\(attributes.joined(separator: ", "))];")
        }
        for edge in edges {
            let color = edge.violates.isEmpty ? "" : ", color=red, fontcolor=red"
            let suffix = edge.violates.isEmpty ? "" : " [\(edge.violates.joined(separator: ", "))]"
            lines.append("  s\(edge.from) -> s\(edge.to) [label=\"\(Graphviz.text(edge.label + suffix))\", fontsize=8\(color)];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    func mermaid() -> String {
        var lines = ["stateDiagram-v2"]
        lines.append("  [*] --> s0")
        for (number, state) in states.enumerated() {
            lines.append("  s\(number): \(label(state).map(Mermaid.stateText).joined(separator: "<br/>"))")
        }
        for edge in edges {
            let suffix = edge.violates.isEmpty ? "" : " VIOLATES \(edge.violates.joined(separator: ", "))"
            lines.append("  s\(edge.from) --> s\(edge.to): \(Mermaid.stateText(edge.label + suffix))")
        }
        let bad = badStates.sorted().map { "s\($0)" }
        if !bad.isEmpty {
            lines.append("  classDef violation fill:#fdd,stroke:#c00")
            lines.append("  class \(bad.joined(separator: ",")) violation")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
