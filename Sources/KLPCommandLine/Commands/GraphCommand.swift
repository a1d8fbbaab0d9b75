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
            try OutputFile.checkDistinct(outputs: [("--output", output)], inputs: [("the model", path)])
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
        let text: String
        do {
            text = try compiled.withModel(Visit(command: self, checked: checked))
        } catch let tooLarge as WorldTooLarge {
            throw CommandFailure.worldTooLarge(tooLarge, path: path)
        }
        do {
            try OutputFile.write(text, to: output ?? OutputFile.standardOutput, console: console)
        } catch {
            throw CommandFailure.output(error)
        }
        return .holds
    }
}
