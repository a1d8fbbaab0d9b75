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
            """,
        arguments: [
            ArgumentSpec("DIR", help: "The folder of models (default: Models).", isOptional: true).completing(.directory)
        ],
        options: [
            .output("--junit", "FILE", .file, help: "Write JUnit XML (a suite per model: one case, its expect line); '-': stdout."),
            .output("--json", "FILE", .file, help: "Write the whole gate result as JSON (schema klpcheck/1); '-': stdout."),
            .flag("--github", help: "Print GitHub Actions annotations at each mismatching 'expect' line."),
            .output("--report-dir", "DIR", .folder, help: "Write index.md and a page per model there (default: Reports)."),
            .flag("--no-report", help: "Write no Markdown report (not with --report-dir)."),
            .value("--jobs", "N", help: "Verify N models at a time (default: 1); the output does not depend on N."),
            .value("--threads", "N", help: "Worker threads per model (default: the machine's cores divided by --jobs)."),
            .value("--max-states", "N", help: "Per model: stop before storing more than N states."),
            .value("--max-memory", "SIZE", help: "Per model: memory budget (default: 3/4 of RAM divided by --jobs)."),
            .value("--time-limit", "SECONDS", help: "Per model: stop after this many seconds."),
        ]
    ).conflicting([
        .exclusive("--no-report", "--report-dir", because: "one writes no report, the other says where to write it")
    ])

    let directory: String
    let junit: String?
    let json: String?
    let github: Bool
    let reportDirectory: String?
    let jobs: Int
    let options: SearchOptionGroup

    init(_ parsed: ParsedArguments, console: Console) throws {
        directory = parsed.positional(0) ?? "Models"
        junit = parsed.value("--junit")
        json = parsed.value("--json")
        if junit == OutputFile.standardOutput && json == OutputFile.standardOutput {
            throw CommandFailure("--junit and --json cannot both go to standard output ('-')")
        }
        github = parsed.flag("--github")
        reportDirectory = parsed.flag("--no-report") ? nil : (parsed.value("--report-dir") ?? "Reports")
        do {
            for path in [junit, json].compactMap({ $0 }) { try OutputFile.check(file: path) }
            if let reportDirectory { try OutputFile.check(folder: reportDirectory) }
        } catch {
            throw CommandFailure.output(error)
        }
        jobs = try parsed.value("--jobs", expected: "a whole number from 1 to 64") {
            Int($0).flatMap { (1...64).contains($0) ? $0 : nil }
        } ?? 1
        var options = try SearchOptionGroup(parsed, stderrIsTerminal: false)
        options.showsProgress = false
        options.stopsOnSignals = false
        if parsed.value("--threads") == nil { options.search.threads = max(1, SearchOptions.defaultThreads / jobs) }
        if parsed.value("--max-memory") == nil { options.search.maxMemoryBytes = SearchOptions.defaultMaxMemory / UInt64(jobs) }
        self.options = options
    }

    func run(console: Console) throws -> ExitStatus {
        // A document on standard output takes it alone: the lines go to stderr.
        let standardStreams = console
        var console = console
        if junit == OutputFile.standardOutput || json == OutputFile.standardOutput { console.out = console.err }
        let listing = try ModelFolder.system.models(in: directory)
        for warning in listing.warnings { console.err(warning + "\n") }
        let paths = listing.models
        guard !paths.isEmpty else { throw CommandFailure("no .klp models under '\(directory)'") }
        let results = GateRunner.run(paths, jobs: jobs, options: options)
        let gate = GateRunner.document(directory: directory, results: results)
        // A path may hold any character: the lines show control characters as escapes.
        let shownPaths = results.map { VisibleText.escape($0.path) }
        let width = min(60, shownPaths.map(\.count).max() ?? 0)
        for (model, shownPath) in zip(results, shownPaths) {
            let states = model.result.map { Format.count($0.result.statistics.states) } ?? "-"
            let seconds = model.result.map { Format.fixed($0.result.statistics.seconds, 3) + " s" } ?? "-"
            let mark = model.status.mark
            console.out(
                TextReport.pad(mark, 11) + TextReport.pad(shownPath, width + 2) + "expected: \(model.expected); got: \(model.got); "
                    + "states: \(states); \(seconds)\n")
            if let reason = model.reason, model.status != .pass { console.out("           \(VisibleText.escape(reason))\n") }
            for diagnostic in model.diagnostics { console.err(diagnostic + "\n") }
        }
        console.out(GateRunner.summary(gate) + "\n")
        if github { console.out(GitHubAnnotations.render(gate).map { $0 + "\n" }.joined()) }
        try write(JUnitReport.render(gate), to: junit, console: standardStreams)
        try write(json.map { _ in SearchPipeline.json(gate) }, to: json, console: standardStreams)
        if let reportDirectory {
            do {
                try MarkdownReport.write(gate, to: reportDirectory)
            } catch {
                throw CommandFailure.output(error)
            }
        }
        return ExitStatus(rawValue: gate.exitCode) ?? .internalError
    }

    /// Writes a document to its file (creating missing folders) or, for `-`, to standard output.
    private func write(_ text: String?, to path: String?, console: Console) throws {
        guard let path, let text else { return }
        do {
            try OutputFile.write(text, to: path, console: console, createFolders: true)
        } catch {
            throw CommandFailure.output(error)
        }
    }
}
