import Foundation
import KLPEngine
import Livepatch

/// `klpcheck gate [DIR]`: the CI invariant gate.
struct GateCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "gate",
        abstract: "Verify every .klp model under a folder and compare each verdict with its 'expect' line.",
        discussion: """
            'expect pass' holds when no checked property is violated (findings do not count);
            'expect fail NAME' when NAME is among the violated properties; 'expect finding NAME'
            when nothing is violated and NAME is found. Only regular files (or links to them)
            named *.klp are models; other *.klp entries (a FIFO, a device) are skipped with a
            warning. Prints one line per model and a summary that counts each model once:
            'P passed, F failed, B bad, I incomplete'.
            Exit 2 when a model file is bad (the others still run) or a folder cannot be read;
            else 1 when a model does not match; else 3 when a search was incomplete; else 0.
            Bad input comes first: the gate did not check everything it was given.
            With --shard K/N only shard K (0-based) of a deterministic, cost-balanced split runs;
            'klpcheck merge' combines the shards' --json documents into the reports of one gate.
            """,
        arguments: [
            ArgumentSpec("DIR", help: "The folder of models (default: Models).", isOptional: true).completing(.directory)
        ],
        options: GateOutputs.options + [
            .value("--shard", "K/N", help: "Verify only shard K of N (0-based; K 'auto': from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)."),
            .value("--balance", "FILE", help: "With --shard: balance the shards by the states of a previous gate JSON.").completing(.file(extension: "json")),
            .value("--jobs", "N", help: "Verify N models at a time (default: 1); the output does not depend on N."),
            .value("--threads", "N", help: "Worker threads per model (default: the machine's cores divided by --jobs)."),
            .value("--max-states", "N", help: "Per model: stop before storing more than N states."),
            .value("--max-memory", "SIZE", help: "Per model: memory budget (default: 3/4 of RAM divided by --jobs)."),
            .value("--time-limit", "SECONDS", help: "Per model: stop after this many seconds."),
            .value(
                "--reduction", "auto|exact|module-symmetry|none",
                help: "auto: fold modules declared alike, run insmod and rmmod as one step each, and remove a retired patch as it retires; exact: the same but keep retired patches (the full space counted); module-symmetry: fold only (shortest traces); none: every model's full space (default: auto)."
            ).completing(.choices(Reduction.allCases.map(\.rawValue))),
        ]
    ).conflicting([
        .exclusive("--no-report", "--report-dir", because: "one writes no report, the other says where to write it")
    ])

    let directory: String
    let outputs: GateOutputs
    let shard: GateShardIndex?
    let balance: String?
    let jobs: Int
    let reduction: Reduction
    let options: SearchOptionGroup

    init(_ parsed: ParsedArguments, console: Console) throws {
        directory = parsed.positional(0) ?? "Models"
        outputs = try GateOutputs(parsed)
        shard = try parsed.value("--shard").map { try GateShard.parse($0, environment: ProcessInfo.processInfo.environment) }
        balance = parsed.value("--balance")
        if balance != nil && shard == nil { throw CommandFailure("--balance needs --shard: it balances the shards") }
        jobs = try parsed.value("--jobs", expected: "a whole number from 1 to 64") {
            Int($0).flatMap { (1...64).contains($0) ? $0 : nil }
        } ?? 1
        reduction = try parsed.value("--reduction", expected: "auto, exact, module-symmetry or none") { Reduction(rawValue: $0) } ?? .auto
        var options = try SearchOptionGroup(parsed, stderrIsTerminal: false)
        options.showsProgress = false
        options.stopsOnSignals = false
        if parsed.value("--threads") == nil { options.search.threads = max(1, SearchOptions.defaultThreads / jobs) }
        if parsed.value("--max-memory") == nil { options.search.maxMemoryBytes = SearchOptions.defaultMaxMemory / UInt64(jobs) }
        self.options = options
    }

    func run(console: Console) throws -> ExitStatus {
        let listing = try ModelFolder.system.models(in: directory)
        for warning in listing.warnings { console.err(warning + "\n") }
        let all = listing.models
        guard !all.isEmpty else { throw CommandFailure("no .klp models under '\(directory)'") }
        var paths = all
        if let shard {
            let previous = try balance.map { try GateShard.read($0) }
            paths = GateShard.select(all, costs: GateShard.costs(all, balance: previous), shard: shard)
        }
        let results = GateRunner.run(paths, jobs: jobs, reduction: reduction, options: options)
        var gate = GateRunner.document(directory: directory, results: results)
        gate.version = KLPCheck.version
        gate.modelSet = GateShard.fingerprint(all)
        gate.shard = shard
        try outputs.emit(gate, console: console)
        return ExitStatus(rawValue: gate.exitCode) ?? .internalError
    }
}
