import Foundation
import KLPEngine
import Livepatch

/// `klpcheck verify MODEL`: the exhaustive check of a `.klp` world.
struct VerifyCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "verify",
        abstract: "Check every interleaving of a .klp livepatch world against the callback properties.",
        discussion: """
            Explores every interleaving of patch enable and disable, transition reversal,
            callback failure, module load and unload, atomic replace and task switching,
            breadth first, and prints for each violated property its shortest counterexample:
            the commands, the kernel log they print and what each step changed.
            Findings (replaced-abandons-brackets, post-unpatch-after-patch-failure) are
            reported with a trace but do not change the exit status.
            With --swarm K/N the run is member K of a swarm of N (Holzmann, Joshi and Groce's
            swarm verification): a bitstate search whose hash functions and successor order
            derive from K, so that members skip different states; its verdict is fail (exit 1)
            or incomplete (exit 3), never pass. 'klpcheck merge' combines the members' JSON.
            """,
        arguments: [ArgumentSpec("MODEL", help: "The .klp model file.").completing(.file(extension: "klp"))],
        options: [
            .value("--property", "NAME", help: "Check this property (overrides the file's 'check').", repeatable: true)
                .completing(.choices(LivepatchProperty.allCases.map(\.rawValue))),
            .value("--symmetry", "on|off", help: "Count interchangeable tasks instead of naming them (default: on)."),
            .value(
                "--reduction", "auto|exact|module-symmetry|none",
                help: "auto: fold modules declared alike, run insmod and rmmod as one step each, and remove a retired patch as it retires (same verdicts); exact: the same but keep retired patches (same verdicts, the full space counted); module-symmetry: fold only (same verdicts, shortest traces); none: the full space (default: auto)."
            ).completing(.choices(Reduction.allCases.map(\.rawValue))),
            .output(
                "--trace-out", "FILE", .file,
                help: "Write the first counterexample as a scenario 'klpcheck run' replays ('-': stdout; the report goes to stderr)."),
            .value(
                "--swarm", "K/N",
                help: "Run member K (0-based; 'auto': from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID) of a swarm of N: bitstate, hashes and successor order of its own; never pass."),
        ] + SearchOptionGroup.specs
    ).conflicting(
        SearchOptionGroup.conflicts.map { $0.option == "--bitstate-bits" ? $0.lifted(by: "--swarm") : $0 } + [
            .restricts(
                "--swarm", "--visited", toOneOf: ["bitstate"],
                because: "a swarm member searches with a bitstate set of its own hash functions")
        ])

    let path: String
    let properties: [LivepatchProperty]
    let symmetry: Bool
    let reduction: Reduction
    let traceOut: String?
    let options: SearchOptionGroup
    /// `--swarm K/N`: which member of a swarm this run is.
    let swarm: (member: Int, members: Int)?

    init(_ parsed: ParsedArguments, console: Console) throws {
        path = parsed.positional(0) ?? ""
        properties = try parsed.all("--property").map { name in
            guard let property = LivepatchProperty(rawValue: name) else {
                throw CommandFailure(
                    "unknown property '\(name)'; properties: \(LivepatchProperty.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return property
        }
        symmetry = try parsed.value("--symmetry", expected: "on or off") { ["on": true, "off": false][$0] } ?? true
        reduction = try parsed.value("--reduction", expected: "auto, exact, module-symmetry or none") { Reduction(rawValue: $0) } ?? .auto
        traceOut = parsed.value("--trace-out")
        if let traceOut {
            do { try OutputFile.check(file: traceOut) } catch { throw CommandFailure.output(error) }
            try OutputFile.checkDistinct(outputs: [("--trace-out", traceOut)], inputs: [("the model", path)])
        }
        var options = try SearchOptionGroup(parsed, stderrIsTerminal: console.stderrIsTerminal)
        swarm = try parsed.value("--swarm").map { try SwarmMember.parse($0, environment: ProcessInfo.processInfo.environment) }
        if let swarm {
            options.search.visited = .bitstate
            options.search.swarmSeed = SwarmMember.seed(member: swarm.member)
        }
        self.options = options
    }

    /// Parses the model, or fails with every diagnostic.
    static func load(_ path: String) throws -> World {
        do {
            return try ModelParser.parse(contentsOf: path)
        } catch {
            throw CommandFailure.diagnostics(error.description + "\n" + "klpcheck: \(error.diagnostics.count) error(s) in \(VisibleText.escape(path))")
        }
    }

    func run(console: Console) throws -> ExitStatus {
        // A scenario on standard output takes it alone: the report goes to stderr.
        let standardStreams = console
        var console = console
        if traceOut == OutputFile.standardOutput { console.out = console.err }
        let world = try Self.load(path)
        var document = try Self.verify(
            world, path: path, symmetry: symmetry, reduction: reduction, checked: world.propertiesToCheck(properties),
            options: options, console: console)
        if let swarm { document.swarm = SwarmMember(member: swarm.member, members: swarm.members, modelPath: path) }
        console.out(SearchPipeline.render(document, format: options.format))
        if let traceOut {
            try writeTrace(document, to: traceOut, console: standardStreams)
        }
        return SearchPipeline.exitStatus(of: document)
    }

    /// Verifies a parsed world and returns its document.
    static func verify(
        _ world: World, path: String, symmetry: Bool, reduction: Reduction, checked: PropertySet, options: SearchOptionGroup,
        console: Console
    ) throws -> SearchDocument {
        let compiled = CompiledWorld(world, symmetry: symmetry, reduction: reduction)
        let search = SearchPipeline.searchOptions(options, checked: checked, console: console)
        let result: VerificationResult
        do {
            result = try compiled.verify(options: search, modelName: path)
        } catch let error as ExplorerError {
            throw CommandFailure(error.description)
        } catch let tooLarge as WorldTooLarge {
            throw CommandFailure.worldTooLarge(tooLarge, path: path)
        }
        return SearchPipeline.document(result, command: "verify", model: path, world: compiled.summary, options: options)
    }

    private func writeTrace(_ document: SearchDocument, to file: String, console: Console) throws {
        let violations = document.result.violations
        guard let first = violations.first(where: { $0.trace.scenario != nil }), let scenario = first.trace.scenario else {
            console.err("klpcheck: no counterexample to write to \(VisibleText.escape(file))\n")
            return
        }
        do {
            try OutputFile.write(scenario, to: file, console: console)
        } catch {
            throw CommandFailure.output(error)
        }
        if violations.count > 1 {
            console.err("klpcheck: wrote the counterexample of \(first.property) to \(VisibleText.escape(file)) (\(violations.count - 1) more in the report)\n")
        }
    }
}
