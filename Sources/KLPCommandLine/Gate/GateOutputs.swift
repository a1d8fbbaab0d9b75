import Foundation
import Livepatch

/// Where a gate's results go: its lines and summary, and the files of
/// `--junit`, `--json`, `--sarif`, `--github` and the Markdown report.
/// `gate` and `merge` share it, so a merged gate prints and writes exactly
/// what one unsharded gate would.
struct GateOutputs {
    var junit: String?
    var json: String?
    var sarif: String?
    var github: Bool
    var reportDirectory: String?

    /// The output options both commands accept.
    static let options: [OptionSpec] = [
        .output("--junit", "FILE", .file, help: "Write JUnit XML (a suite per model: one case, its expect line); '-': stdout."),
        .output("--json", "FILE", .file, help: "Write the whole gate result as JSON (schema klpcheck/1); '-': stdout."),
        .output("--sarif", "FILE", .file, help: "Write SARIF 2.1.0: a result per mismatching model at its expect line; '-': stdout."),
        .flag("--github", help: "Print GitHub Actions annotations at each mismatching 'expect' line."),
        .output("--report-dir", "DIR", .folder, help: "Write index.md and a page per model there (default: Reports)."),
        .flag("--no-report", help: "Write no Markdown report (not with --report-dir)."),
    ]

    /// Reads and checks the output options.
    init(_ parsed: ParsedArguments) throws {
        junit = parsed.value("--junit")
        json = parsed.value("--json")
        sarif = parsed.value("--sarif")
        let onStandardOutput = zip(["--junit", "--json", "--sarif"], [junit, json, sarif])
            .filter { $0.1 == OutputFile.standardOutput }.map(\.0)
        if onStandardOutput.count > 1 {
            throw CommandFailure("\(onStandardOutput.joined(separator: " and ")) cannot both go to standard output ('-')")
        }
        try OutputFile.checkDistinct(
            outputs: zip(["--junit", "--json", "--sarif"], [junit, json, sarif]).compactMap { option, path in path.map { (option, $0) } })
        github = parsed.flag("--github")
        reportDirectory = parsed.flag("--no-report") ? nil : (parsed.value("--report-dir") ?? "Reports")
        do {
            for path in [junit, json, sarif].compactMap({ $0 }) { try OutputFile.check(file: path) }
            if let reportDirectory { try OutputFile.check(folder: reportDirectory) }
        } catch {
            throw CommandFailure.output(error)
        }
    }

    /// Prints the lines and the summary and writes every requested file.
    func emit(_ gate: GateDocument, console standardStreams: Console) throws {
        // A document on standard output takes it alone: the lines go to stderr.
        var console = standardStreams
        if [junit, json, sarif].contains(OutputFile.standardOutput) { console.out = console.err }
        // A path may hold any character: the lines show control characters as escapes.
        let results = gate.models
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
        try write(sarif.map { _ in SARIFReport.render(gate) }, to: sarif, console: standardStreams)
        if let reportDirectory {
            do {
                try MarkdownReport.write(gate, to: reportDirectory)
            } catch {
                throw CommandFailure.output(error)
            }
        }
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
