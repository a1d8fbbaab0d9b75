import Livepatch

/// JUnit XML as GitHub, GitLab and Jenkins read it: one suite per model
/// holding one case, the model's `expect` line, so that the totals count
/// each model once, as the gate's summary does: a mismatch is a failure
/// whose text is the counterexamples, a bad model file an error carrying
/// its diagnostics, an incomplete search a skipped case. Each property's
/// status is a `<property>` of the suite.
enum JUnitReport {
    static func render(_ gate: GateDocument) -> String {
        let totalTime = gate.models.reduce(0.0) { $0 + ($1.result?.result.statistics.seconds ?? 0) }
        let attributes =
            "tests=\"\(gate.models.count)\" failures=\"\(gate.failed)\" errors=\"\(gate.bad)\" "
            + "skipped=\"\(gate.incomplete)\" time=\"\(Format.fixed(totalTime, 3))\""
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"klpcheck gate\" \(attributes)>",
        ]
        for model in gate.models { lines += suite(model) }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One model's suite: its property statuses and its one case.
    static func suite(_ model: GateModelResult) -> [String] {
        let name = escape(model.path)
        let time = Format.fixed(model.result?.result.statistics.seconds ?? 0, 3)
        let count = { (status: GateStatus) in model.status == status ? "1" : "0" }
        var lines = [
            "  <testsuite name=\"\(name)\" tests=\"1\" failures=\"\(count(.fail))\" errors=\"\(count(.bad))\" "
                + "skipped=\"\(count(.incomplete))\" time=\"\(time)\">"
        ]
        if let result = model.result?.result, !result.properties.isEmpty {
            lines.append("    <properties>")
            for property in result.properties {
                lines.append("      <property name=\"\(escape(property.name))\" value=\"\(escape(property.status.rawValue))\"/>")
            }
            lines.append("    </properties>")
        }
        let caseName = model.status == .bad && model.result == nil ? "model file" : "expect \(model.expected)"
        let head = "    <testcase classname=\"\(name)\" name=\"\(escape(caseName))\" time=\"\(time)\""
        let traces = model.result.map(\.result).map { result in
            (result.violations.map { TextReport.render($0, heading: "counterexample") }
                + result.findings.map { TextReport.render($0, heading: "finding") })
                .map { $0.joined(separator: "\n") }.joined(separator: "\n\n")
        } ?? ""
        let reason = escape(model.reason ?? model.status.rawValue)
        switch model.status {
        case .pass:
            lines.append(traces.isEmpty ? head + "/>" : head + ">\n      <system-out>\(escape(traces, keepsLines: true))</system-out>\n    </testcase>")
        case .fail:
            let body = traces.isEmpty ? reason : escape(traces, keepsLines: true)
            lines.append(head + ">\n      <failure message=\"\(reason)\" type=\"mismatch\">\(body)</failure>\n    </testcase>")
        case .bad:
            let body = escape(model.diagnostics.joined(separator: "\n"), keepsLines: true)
            lines.append(head + ">\n      <error message=\"\(reason)\" type=\"bad-model\">\(body)</error>\n    </testcase>")
        case .incomplete:
            lines.append(head + ">\n      <skipped message=\"\(reason)\"/>\n    </testcase>")
        }
        lines.append("  </testsuite>")
        return lines
    }

    /// Escapes text for XML content (`keepsLines`: newlines and tabs kept)
    /// or for an attribute, where a parser turns a raw newline or tab into a
    /// space: there they are shown as escapes (`\n`), as every other output
    /// shows a path's control characters.
    static func escape(_ text: String, keepsLines: Bool = false) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n" where keepsLines, "\t" where keepsLines: result.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids most control characters: show them as escapes.
                VisibleText.append(scalar, to: &result)
            }
        }
        return result
    }
}
