import Foundation
import KLPEngine

/// Runs a search for a presented model and reports it: the common path of
/// every searching command.
public enum SearchPipeline {
    /// Explores the presenter's model and returns the document and its exit status.
    public static func run<P: ModelPresenter>(
        _ presenter: P, command: String, options: SearchOptionGroup, checked: PropertySet?, console: Console
    ) throws -> SearchDocument {
        var search = options.search
        search.checked = checked
        if options.stopsOnSignals, let stop = Interruption.arm() { search.stop = stop }
        if options.showsProgress {
            search.progress = { progress in
                console.err(
                    "klpcheck: level \(progress.level): \(Format.count(progress.states)) states, "
                        + "\(Format.count(progress.transitions)) transitions, "
                        + "\(Format.count(UInt64(Double(progress.states) / max(progress.seconds, 1e-9)))) states/s, "
                        + "\(Format.bytes(progress.memoryBytes))\n")
            }
        }
        let report: SearchReport<P.Model.State>
        do {
            report = try presenter.model.explore(options: search)
        } catch let error as ExplorerError {
            throw CommandFailure(error.description)
        }
        var document = document(for: report, presenter: presenter, command: command)
        // The status the process will end with: death by the signal.
        if options.stopsOnSignals, let signal = Interruption.signalCaught { document.exitCode = 128 + signal }
        return document
    }

    /// The document in `format`; in text, an interrupted search is one line
    /// with its counts so far.
    public static func render(_ document: SearchDocument, format: SearchOptionGroup.Format) -> String {
        if format == .json { return json(document) }
        if document.limit == SearchLimit.interrupted.rawValue {
            let signal = document.exitCode > 128 ? Interruption.name(of: document.exitCode - 128) : "a stop request"
            return TextReport.interruptedLine(document, by: signal) + "\n"
        }
        return TextReport.render(document)
    }

    /// Builds the document of a finished search.
    public static func document<P: ModelPresenter>(
        for report: SearchReport<P.Model.State>, presenter: P, command: String
    ) -> SearchDocument {
        var properties: [PropertyDocument] = []
        var violations: [CounterexampleDocument] = []
        var findings: [CounterexampleDocument] = []
        var undecided = false
        let statistics = report.statistics
        for (index, property) in report.properties.enumerated() {
            let finding = presenter.isFinding(index)
            let status: String
            switch report.statuses[index] {
            case .holds: status = finding ? "not-found" : "holds"
            case .violated: status = finding ? "found" : "violated"
            case .undecided:
                status = "undecided"
                if !finding { undecided = true }
            case .notChecked: status = "not-checked"
            }
            properties.append(
                PropertyDocument(
                    name: property.name, kind: property.kind.rawValue, role: finding ? "finding" : "property",
                    status: status))
            guard case .violated(let trace) = report.statuses[index] else { continue }
            let counterexample: CounterexampleDocument
            if let trace {
                counterexample = CounterexampleDocument(
                    property: property.name, explanation: presenter.explanation(property: index, trace: trace),
                    initial: presenter.describe(trace.initial), steps: presenter.steps(of: trace),
                    scenario: presenter.scenario(of: trace))
            } else {
                counterexample = CounterexampleDocument(
                    property: property.name,
                    explanation: statistics.limit == .interrupted
                        ? "violated; the search was interrupted before its trace was rebuilt"
                        : "violated; the trace could not be rebuilt within the memory budget",
                    initial: [], steps: [])
            }
            if finding { findings.append(counterexample) } else { violations.append(counterexample) }
        }
        let verdict: Verdict = !violations.isEmpty ? .fail : (!statistics.complete || undecided ? .incomplete : .pass)
        let exit: ExitStatus = verdict == .fail ? .violated : verdict == .incomplete ? .incomplete : .holds
        return SearchDocument(
            command: command, model: presenter.modelName, world: presenter.worldSummary, verdict: verdict,
            exitCode: exit.rawValue, states: statistics.states, transitions: statistics.transitions,
            depth: statistics.depth, seconds: statistics.seconds, totalSeconds: statistics.totalSeconds,
            statesPerSecond: statistics.statesPerSecond,
            bytesPerState: statistics.bytesPerState, peakMemoryBytes: statistics.peakMemoryBytes,
            engineMemoryBytes: statistics.engineMemoryBytes, threads: statistics.threads,
            visited: statistics.visited.rawValue, limit: statistics.limit?.rawValue,
            omissionProbability: statistics.omissionProbability, complete: statistics.complete,
            properties: properties, violations: violations, findings: findings)
    }

    /// The document as pretty-printed JSON with sorted keys.
    public static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else {
            return "{}"
        }
        return text + "\n"
    }

    /// The exit status a document gives.
    public static func exitStatus(of document: SearchDocument) -> ExitStatus {
        ExitStatus(rawValue: document.exitCode) ?? .internalError
    }
}
