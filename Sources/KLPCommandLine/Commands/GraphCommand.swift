import Foundation
import KLPEngine
import Livepatch

/// `klpcheck graph MODEL`: the reachable state graph of a small world.
struct GraphCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "graph",
        abstract: "Write the reachable state graph of a small .klp world as Graphviz DOT or Mermaid.",
        discussion: """
            Each state is labelled in words, each edge with its command or kernel step;
            the initial state is marked and states reached by a violating step are drawn
            in red. Refuses worlds above --max-states states (default 2000).
            """,
        arguments: [ArgumentSpec("MODEL", help: "The .klp model file.").completing(.file(extension: "klp"))],
        options: [
            .value("--format", "dot|mermaid", help: "Output format (default: dot)."),
            .value("--symmetry", "on|off", help: "Count interchangeable tasks (default: on)."),
            .value("--max-states", "N", help: "Refuse worlds with more states (default: 2000)."),
            .output("--output", "FILE", .file, help: "Write to FILE instead of standard output ('-': standard output)."),
        ])

    enum Format: String { case dot, mermaid }

    let path: String
    let format: Format
    let symmetry: Bool
    let maxStates: Int
    let output: String?

    init(_ parsed: ParsedArguments, console: Console) throws {
        path = parsed.positional(0) ?? ""
        format = try parsed.value("--format", expected: "dot or mermaid") { Format(rawValue: $0) } ?? .dot
        symmetry = try parsed.value("--symmetry", expected: "on or off") { ["on": true, "off": false][$0] } ?? true
        maxStates = try parsed.value("--max-states", expected: "a positive whole number") {
            Int($0).flatMap { $0 > 0 ? $0 : nil }
        } ?? 2000
        output = parsed.value("--output")
        if let output {
            do { try OutputFile.check(file: output) } catch { throw CommandFailure.output(error) }
        }
    }

    func run(console: Console) throws -> ExitStatus {
        let world = try VerifyCommand.load(path)
        let compiled = CompiledWorld(world, symmetry: symmetry)
        let checked = world.propertiesToCheck()
        struct Visit: LivepatchModelVisitor {
            let command: GraphCommand
            let checked: PropertySet
            func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> String {
                let graph = try StateGraph(model: model, checked: checked, limit: command.maxStates, path: command.path)
                return command.format == .dot ? graph.dot() : graph.mermaid()
            }
        }
        let text = try compiled.withModel(Visit(command: self, checked: checked))
        do {
            try OutputFile.write(text, to: output ?? OutputFile.standardOutput, console: console)
        } catch {
            throw CommandFailure.output(error)
        }
        return .holds
    }
}

/// The reachable graph of a small livepatch model, built with plain sets.
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

    init(model: LivepatchModel<State>, checked: PropertySet, limit: Int, path: String) throws {
        world = model.world
        var index: [State: Int] = [:]
        var sink = SuccessorSink<State>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        model.initialStates(into: &sink)
        for position in 0..<sink.count {
            index[sink.state(at: position)] = states.count
            states.append(sink.state(at: position))
        }
        var next = 0
        while next < states.count {
            let state = states[next]
            sink.reset()
            model.successors(of: state, into: &sink)
            for position in 0..<sink.count {
                let target = sink.state(at: position)
                let targetIndex: Int
                if let known = index[target] {
                    targetIndex = known
                } else {
                    guard states.count < limit else {
                        throw CommandFailure(
                            "\(path) has more than \(limit) reachable states; raise --max-states or draw a smaller world",
                            status: .incomplete)
                    }
                    targetIndex = states.count
                    index[target] = targetIndex
                    states.append(target)
                }
                let broken = sink.violations(at: position).intersection(checked).indices.map {
                    LivepatchProperty.allCases[$0].rawValue
                }
                let record = world.replay(action: sink.action(at: position), from: state)
                let label = record.map { $0.event.stepLine(in: world, failed: $0.failed).replacingOccurrences(of: "step ", with: "") } ?? "?"
                edges.append(Edge(from: next, to: targetIndex, label: label, violates: broken))
                if !broken.isEmpty { badStates.insert(targetIndex) }
            }
            next += 1
        }
    }

    func label(_ state: State) -> String {
        world.facts(of: state).filter { !["UNLOADED", "unloaded", "none", "[]"].contains($0.value) }.map(\.text)
            .joined(separator: "\\n")
    }

    func dot() -> String {
        var lines = ["digraph klpcheck {", "  rankdir=TB;", "  node [shape=box, fontname=\"monospace\", fontsize=9];"]
        for (number, state) in states.enumerated() {
            var attributes = ["label=\"\(label(state).replacingOccurrences(of: "\"", with: "'"))\""]
            if number == 0 { attributes.append("peripheries=2") }
            if badStates.contains(number) { attributes.append("color=red, fontcolor=red") }
            lines.append("  s\(number) [\(attributes.joined(separator: ", "))];")
        }
        for edge in edges {
            let color = edge.violates.isEmpty ? "" : ", color=red, fontcolor=red"
            let suffix = edge.violates.isEmpty ? "" : " [\(edge.violates.joined(separator: ", "))]"
            lines.append("  s\(edge.from) -> s\(edge.to) [label=\"\(edge.label)\(suffix)\", fontsize=8\(color)];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    func mermaid() -> String {
        var lines = ["stateDiagram-v2"]
        lines.append("  [*] --> s0")
        for (number, state) in states.enumerated() {
            lines.append("  s\(number): \(label(state).replacingOccurrences(of: "\\n", with: "<br/>").replacingOccurrences(of: ":", with: "#colon;"))")
        }
        for edge in edges {
            let suffix = edge.violates.isEmpty ? "" : " VIOLATES \(edge.violates.joined(separator: ", "))"
            lines.append("  s\(edge.from) --> s\(edge.to): \(edge.label)\(suffix)")
        }
        let bad = badStates.sorted().map { "s\($0)" }
        if !bad.isEmpty {
            lines.append("  classDef violation fill:#fdd,stroke:#c00")
            lines.append("  class \(bad.joined(separator: ",")) violation")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
