import Foundation
import Livepatch

/// `klpcheck merge SHARD.json...`: the gate of every shard, as one gate.
struct MergeCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "merge",
        abstract: "Combine the JSON documents of 'gate --shard K/N' runs into the reports of one gate, or of 'verify --swarm K/N' members.",
        discussion: """
            Reads the gate JSON of each shard (written with 'gate --shard K/N --json FILE') and prints
            and writes what one unsharded gate over the same folder would: the same lines and summary,
            JUnit, JSON, SARIF, GitHub annotations and Markdown report (timings are the shards').
            Every shard from 0 to N-1 must be given exactly once, all of one model set (the same
            model files, paths and contents) and of this klpcheck version; else exit 2, naming the
            shard file. The exit status follows the gate's rules: 2 for a bad model file, else 1 for
            a mismatch, else 3 for an incomplete search, else 0.
            The JSON of every member of a swarm ('verify --swarm K/N --format json') merges the same
            way, with --json and --github: any violation fails the whole (exit 1) with the shortest
            counterexample any member found, replayed first (one that does not replay is exit 70);
            else the swarm is incomplete (exit 3) with the states of all members and a combined
            coverage estimate. Never pass.
            """,
        arguments: [
            ArgumentSpec("SHARD.json...", help: "The gate JSON of every shard, or the verify JSON of every swarm member.", isVariadic: true)
                .completing(.file(extension: "json"))
        ],
        options: GateOutputs.options
    ).conflicting([
        .exclusive("--no-report", "--report-dir", because: "one writes no report, the other says where to write it")
    ])

    let shardFiles: [String]
    let outputs: GateOutputs
    /// The options given that only gate shards have a use for (a swarm's
    /// merge refuses them rather than ignore them).
    let gateOnlyOptions: [String]

    init(_ parsed: ParsedArguments, console: Console) throws {
        shardFiles = parsed.positionals
        guard !shardFiles.isEmpty else { throw CommandFailure("merge needs the JSON document of every shard") }
        outputs = try GateOutputs(parsed)
        gateOnlyOptions = ["--junit", "--sarif", "--report-dir"].filter { parsed.value($0) != nil }
    }

    func run(console: Console) throws -> ExitStatus {
        let inputs = try shardFiles.map { file in (file, try MergeInput.read(file)) }
        if case .swarm = inputs[0].1 { return try runSwarm(inputs, console: console) }
        let documents = try inputs.map { file, input in
            guard case .gate(let gate) = input else {
                throw Self.failure(
                    "\(VisibleText.escape(file)): a swarm member, but \(VisibleText.escape(inputs[0].0)) is a gate shard: "
                        + "merge the shards of one gate or the members of one swarm")
            }
            return (file, gate)
        }
        let gate = try Self.merge(documents, version: KLPCheck.version)
        try outputs.emit(gate, console: console)
        return ExitStatus(rawValue: gate.exitCode) ?? .internalError
    }

    /// Merges swarm members: text, `--json` and `--github`.
    func runSwarm(_ inputs: [(String, MergeInput)], console standardStreams: Console) throws -> ExitStatus {
        let members = try inputs.map { file, input in
            guard case .swarm(let document) = input else {
                throw Self.failure(
                    "\(VisibleText.escape(file)): a gate shard, but \(VisibleText.escape(inputs[0].0)) is a swarm member: "
                        + "merge the shards of one gate or the members of one swarm")
            }
            return (file: file, document: document)
        }
        if let option = gateOnlyOptions.first {
            throw CommandFailure("\(option) is for gate shards; the members of a swarm merge into text, --json and --github")
        }
        let merged = try SwarmMerge.merge(members, version: KLPCheck.version)
        var console = standardStreams
        if outputs.json == OutputFile.standardOutput { console.out = console.err }
        console.out(SwarmReport.text(merged))
        if outputs.github { console.out(SwarmReport.annotations(merged).map { $0 + "\n" }.joined()) }
        if let json = outputs.json {
            do {
                try OutputFile.write(
                    SearchPipeline.json(SwarmReport.document(merged)), to: json, console: standardStreams, createFolders: true)
            } catch {
                throw CommandFailure.output(error)
            }
        }
        return merged.exitStatus
    }

    /// The one gate the shards make, or the error naming the shard file
    /// that does not belong: not a shard, another klpcheck version, another
    /// model set or shard count, a shard given twice, or a shard missing.
    static func merge(_ documents: [(file: String, gate: GateDocument)], version: String) throws -> GateDocument {
        let first = documents[0]
        var shards = MergeParts(noun: "shard", count: first.gate.shard?.count ?? 0, firstFile: first.file)
        for (file, gate) in documents {
            let name = VisibleText.escape(file)
            guard let shard = gate.shard else { throw Self.failure("\(name): not a shard (written without --shard)") }
            guard gate.version == version else {
                throw Self.failure(
                    "\(name): written by klpcheck \(gate.version ?? "(unknown)"), not by this klpcheck \(version)")
            }
            guard gate.modelSet != nil, gate.modelSet == first.gate.modelSet, gate.directory == first.gate.directory else {
                throw Self.failure(
                    "\(name): a shard of another model set than \(VisibleText.escape(first.file)) "
                        + "('\(VisibleText.escape(gate.directory))', models \(gate.modelSet ?? "unknown"))")
            }
            try shards.record(index: shard.index, count: shard.count, file: file)
        }
        try shards.checkComplete(files: documents.map(\.file))
        var owners: [String: String] = [:]
        for (file, gate) in documents {
            for model in gate.models {
                if let other = owners[model.path] {
                    throw Self.failure(
                        "\(VisibleText.escape(file)): model '\(VisibleText.escape(model.path))' is also in \(VisibleText.escape(other))")
                }
                owners[model.path] = file
            }
        }
        let models = documents.flatMap(\.gate.models).sorted { $0.path < $1.path }
        var gate = GateRunner.document(directory: first.gate.directory, results: models)
        gate.version = version
        gate.modelSet = first.gate.modelSet
        return gate
    }

    /// An error about the shards' contents: the command line was right, so no pointer to `--help`.
    static func failure(_ message: String) -> CommandFailure {
        var failure = CommandFailure(message)
        failure.pointsToHelp = false
        return failure
    }
}
