import Livepatch

/// JUnit XML as GitHub, GitLab and Jenkins read it: one suite per model,
/// one case per property; a mismatch is a failure whose message is the
/// counterexample in text.
enum JUnitReport {
    static func render(_ gate: GateDocument) -> String {
        let suites = gate.models.map(suite)
        let totalTime = gate.models.reduce(0.0) { $0 + ($1.result?.seconds ?? 0) }
        let tests = suites.reduce(0) { $0 + $1.tests }
        let failures = suites.reduce(0) { $0 + $1.failures }
        let errors = suites.reduce(0) { $0 + $1.errors }
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"klpcheck gate\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(Format.fixed(totalTime, 3))\">",
        ]
        for suite in suites { lines += suite.lines }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One suite's XML lines and counts, so the totals are their sums.
    struct Suite {
        var lines: [String]
        var tests: Int
        var failures: Int
        var errors: Int
    }

    static func suite(_ model: GateModelResult) -> Suite {
        let name = escape(model.path)
        guard let result = model.result else {
            return Suite(lines: [
                "  <testsuite name=\"\(name)\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">",
                "    <testcase classname=\"\(name)\" name=\"model file\" time=\"0\">",
                "      <error message=\"\(escape(model.reason ?? "bad model file"))\" type=\"bad-model\">\(escape(model.diagnostics.joined(separator: "\n")))</error>",
                "    </testcase>",
                "  </testsuite>",
            ], tests: 1, failures: 0, errors: 1)
        }
        var cases: [String] = []
        var failures = 0
        var skipped = 0
        let expectedViolation: String? = model.expected.hasPrefix("fail ") ? String(model.expected.dropFirst(5)) : nil
        let expectedFinding: String? = model.expected.hasPrefix("finding ") ? String(model.expected.dropFirst(8)) : nil
        for property in result.properties {
            let head = "    <testcase classname=\"\(name)\" name=\"\(escape(property.name))\" time=\"0\""
            let counterexample = (result.violations + result.findings).first { $0.property == property.name }
            let trace = counterexample.map { TextReport.render($0, heading: property.role == "finding" ? "finding" : "counterexample").joined(separator: "\n") }
            var failure: String?
            if property.status == "not-checked" {
                cases.append(head + ">\n      <skipped message=\"not checked\"/>\n    </testcase>")
                skipped += 1
                continue
            }
            if property.status == "undecided" {
                cases.append(head + ">\n      <skipped message=\"undecided: the search was incomplete\"/>\n    </testcase>")
                skipped += 1
                continue
            }
            if property.role == "property" {
                if property.status == "violated" && expectedViolation == nil {
                    failure = "\(property.name) is violated; the model expects \(model.expected)"
                } else if property.name == expectedViolation && property.status != "violated" {
                    failure = "the model expects \(property.name) to be violated, but it holds"
                }
            } else if property.name == expectedFinding && property.status != "found" {
                failure = "the model expects the finding \(property.name), but it was not found"
            }
            if let failure {
                failures += 1
                cases.append(
                    head + ">\n      <failure message=\"\(escape(failure))\" type=\"mismatch\">\(escape(trace ?? failure))</failure>\n    </testcase>")
            } else if let trace {
                cases.append(head + ">\n      <system-out>\(escape(trace))</system-out>\n    </testcase>")
            } else {
                cases.append(head + "/>")
            }
        }
        let lines = [
            "  <testsuite name=\"\(name)\" tests=\"\(result.properties.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(Format.fixed(result.seconds, 3))\">"
        ] + cases + ["  </testsuite>"]
        return Suite(lines: lines, tests: result.properties.count, failures: failures, errors: 0)
    }

    /// Escapes text for XML attributes and content.
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n", "\t", "\r": result.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids most control characters: show them as escapes.
                VisibleText.append(scalar, to: &result)
            }
        }
        return result
    }
}
