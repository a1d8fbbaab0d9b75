import Foundation
import KLPEngine
import Livepatch

/// The common path of every searching command: search options from the
/// command line, the document of a judged result, and its rendering.
public enum SearchPipeline {
    /// The engine's options for a search: the command line's, the checked
    /// properties, the stop request of SIGINT and SIGTERM, and progress lines.
    public static func searchOptions(_ options: SearchOptionGroup, checked: PropertySet?, console: Console) -> SearchOptions {
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
        return search
    }

    /// Explores the presenter's model, judges it and returns the document.
    public static func run<P: ModelPresenter>(
        _ presenter: P, command: String, options: SearchOptionGroup, checked: PropertySet?, console: Console
    ) throws -> SearchDocument {
        let search = searchOptions(options, checked: checked, console: console)
        let report: SearchReport<P.Model.State>
        do {
            report = try presenter.model.explore(options: search)
        } catch let error as ExplorerError {
            throw CommandFailure(error.description)
        }
        let result = VerificationResult(
            report: report, isFinding: presenter.isFinding,
            present: { presenter.presentation(property: $0, trace: $1) })
        return document(
            result, command: command, model: presenter.modelName, world: presenter.worldSummary, options: options)
    }

    /// The document of a judged result; a search stopped by a signal ends
    /// the process by that signal.
    public static func document(
        _ result: VerificationResult, command: String, model: String, world: String, options: SearchOptionGroup
    ) -> SearchDocument {
        var document = SearchDocument(command: command, model: model, world: world, result: result)
        // The status the process will end with: death by the signal.
        if options.stopsOnSignals, let signal = Interruption.signalCaught { document.exitCode = 128 + signal }
        return document
    }

    /// The document in `format`; in text, an interrupted search is one line
    /// with its counts so far.
    public static func render(_ document: SearchDocument, format: SearchOptionGroup.Format) -> String {
        if format == .json { return json(document) }
        if document.result.statistics.limit == .interrupted {
            let signal = document.exitCode > 128 ? Interruption.name(of: document.exitCode - 128) : "a stop request"
            return TextReport.interruptedLine(document, by: signal) + "\n"
        }
        return TextReport.render(document)
    }

    /// The document as pretty-printed JSON with sorted keys.
    public static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else {
            return "{}"
        }
        return escapingControls(text) + "\n"
    }

    /// JSONEncoder escapes only U+0000 to U+001F; DEL, the C1 controls and
    /// the bidirectional controls (`VisibleText.isControl`) would reach the
    /// reader raw. They can only stand inside strings, where `\uXXXX` is
    /// the same text to a JSON parser.
    static func escapingControls(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { VisibleText.isControl($0) && $0.value >= 0x20 }) else { return json }
        var result = ""
        for scalar in json.unicodeScalars {
            if VisibleText.isControl(scalar) && scalar.value >= 0x20 {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The exit status a document gives.
    public static func exitStatus(of document: SearchDocument) -> ExitStatus {
        ExitStatus(rawValue: document.exitCode) ?? .internalError
    }
}
