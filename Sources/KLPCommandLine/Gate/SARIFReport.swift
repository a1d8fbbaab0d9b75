import Foundation
import Livepatch

/// SARIF 2.1.0, the static-analysis format GitHub code scanning and most CI
/// dashboards read: one result per mismatching model, located at its
/// `expect` line, with the counterexample as its message and a code flow of
/// its steps, and one per bad model file at its first error. A result's
/// rule is the property it is about (the first violated one, else the one
/// the `expect` line names), or `bad-model-file`.
enum SARIFReport {
    /// The rule of a bad model file.
    static let badModelRule = "bad-model-file"
    /// The rule of a mismatch without a counterexample whose `expect` line names no property.
    static let expectationRule = "expectation"

    static func render(_ gate: GateDocument) -> String {
        var rules: [String] = []
        var results: [[String: Any]] = []
        func ruleIndex(_ id: String) -> Int {
            if let index = rules.firstIndex(of: id) { return index }
            rules.append(id)
            return rules.count - 1
        }
        for model in gate.models {
            switch model.status {
            case .fail:
                let document = model.result?.result
                let counterexample = document?.violations.first ?? document?.findings.first
                let rule = counterexample?.property ?? expectedProperty(model.expected) ?? expectationRule
                var text = "expected \(model.expected), got \(model.got)" + (model.reason.map { ": \($0)" } ?? "")
                if let counterexample {
                    text += "\n\n" + TextReport.render(counterexample, heading: "counterexample").joined(separator: "\n")
                }
                var result: [String: Any] = [
                    "ruleId": rule, "ruleIndex": ruleIndex(rule), "level": "error", "message": ["text": text],
                    "locations": [location(model.path, line: model.expectLine)],
                ]
                if let counterexample, !counterexample.trace.steps.isEmpty {
                    let steps: [[String: Any]] = counterexample.trace.steps.map { step in
                        let words = (["\(step.number). \(step.action)"] + step.log).joined(separator: "\n")
                        return ["location": location(model.path, line: model.expectLine, message: words)]
                    }
                    result["codeFlows"] = [
                        ["message": ["text": counterexample.trace.explanation], "threadFlows": [["locations": steps]]]
                    ]
                }
                results.append(result)
            case .bad:
                let first = model.diagnostics.first.flatMap { GitHubAnnotations.located($0, in: model.path) }
                let text = model.diagnostics.isEmpty ? model.got : model.diagnostics.joined(separator: "\n")
                results.append([
                    "ruleId": badModelRule, "ruleIndex": ruleIndex(badModelRule), "level": "error",
                    "message": ["text": text],
                    "locations": [location(model.path, line: first?.0 ?? model.expectLine, column: first?.1)],
                ])
            case .pass, .incomplete:
                continue
            }
        }
        let driver: [String: Any] = [
            "name": "klpcheck", "version": KLPCheck.version, "semanticVersion": KLPCheck.version,
            "rules": rules.map { id in
                [
                    "id": id,
                    "shortDescription": [
                        "text": id == badModelRule ? "A model file that does not parse or compile" : "Property \(id)"
                    ],
                ] as [String: Any]
            },
        ]
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": [["tool": ["driver": driver], "results": results, "columnKind": "unicodeCodePoints"]],
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
            let text = String(data: data, encoding: .utf8)
        else { return "{}\n" }
        return text + "\n"
    }

    /// The property an `expect fail NAME` or `expect finding NAME` line names.
    static func expectedProperty(_ expected: String) -> String? {
        for prefix in ["fail ", "finding "] where expected.hasPrefix(prefix) {
            return String(expected.dropFirst(prefix.count)).split(separator: ",").first.map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// A location in a model file (a relative URI; line at least 1).
    static func location(_ path: String, line: Int, column: Int? = nil, message: String? = nil) -> [String: Any] {
        var region: [String: Any] = ["startLine": max(line, 1)]
        if let column { region["startColumn"] = max(column, 1) }
        var location: [String: Any] = [
            "physicalLocation": [
                "artifactLocation": ["uri": path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path],
                "region": region,
            ] as [String: Any]
        ]
        if let message { location["message"] = ["text": message] }
        return location
    }
}
