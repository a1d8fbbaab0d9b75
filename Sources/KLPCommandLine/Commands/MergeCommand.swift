import Foundation
import Livepatch

/// `klpcheck merge SHARD.json...`: the gate of every shard, as one gate.
struct MergeCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "merge",
        abstract: "Combine the JSON documents of 'gate --shard K/N' runs into the reports of one gate.",
        discussion: """
            Reads the gate JSON of each shard (written with 'gate --shard K/N --json FILE') and prints
            and writes what one unsharded gate over the same folder would: the same lines and summary,
            JUnit, JSON, SARIF, GitHub annotations and Markdown report (timings are the shards').
            Every shard from 0 to N-1 must be given exactly once, all of one model set (the same
            model files, paths and contents) and of this klpcheck version; else exit 2, naming the
            shard file. The exit status follows the gate's rules: 2 for a bad model file, else 1 for
            a mismatch, else 3 for an incomplete search, else 0.
            """,
        arguments: [
            ArgumentSpec("SHARD.json...", help: "The gate JSON of every shard.", isVariadic: true).completing(.file(extension: "json"))
        ],
        options: GateOutputs.options
    ).conflicting([
        .exclusive("--no-report", "--report-dir", because: "one writes no report, the other says where to write it")
    ])

    let shardFiles: [String]
    let outputs: GateOutputs

    init(_ parsed: ParsedArguments, console: Console) throws {
        shardFiles = parsed.positionals
        guard !shardFiles.isEmpty else { throw CommandFailure("merge needs the JSON document of every shard") }
        outputs = try GateOutputs(parsed)
    }

    func run(console: Console) throws -> ExitStatus {
        let documents = try shardFiles.map { file in (file, try GateShard.read(file)) }
        let gate = try Self.merge(documents, version: KLPCheck.version)
        try outputs.emit(gate, console: console)
        return ExitStatus(rawValue: gate.exitCode) ?? .internalError
    }

    /// The one gate the shards make, or the error naming the shard file
    /// that does not belong: not a shard, another klpcheck version, another
    /// model set or shard count, a shard given twice, or a shard missing.
    static func merge(_ documents: [(file: String, gate: GateDocument)], version: String) throws -> GateDocument {
        let first = documents[0]
        var seen: [Int: String] = [:]
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
            guard shard.count == first.gate.shard?.count else {
                throw Self.failure("\(name): shard \(shard.index)/\(shard.count), but \(VisibleText.escape(first.file)) is of \(first.gate.shard?.count ?? 0) shards")
            }
            if let other = seen[shard.index] {
                throw Self.failure("\(name): shard \(shard.index)/\(shard.count) again (already in \(VisibleText.escape(other)))")
            }
            seen[shard.index] = file
        }
        let count = first.gate.shard?.count ?? 0
        let missing = (0..<count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw Self.failure(
                "missing shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) "
                    + "of the shards given (\(documents.map { VisibleText.escape($0.file) }.joined(separator: ", ")))")
        }
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
