import Livepatch

/// How one model fared against its `expect` line.
public enum GateStatus: String, Codable, Sendable {
    /// The verdict matches the expectation.
    case pass
    /// It does not.
    case fail
    /// The search was incomplete and could not decide the expectation.
    case incomplete
    /// The model file is bad.
    case bad
}

/// One model's row in the gate.
public struct GateModelResult: Codable, Sendable {
    /// The model's path.
    public var path: String
    /// `pass`, `fail NAME` or `finding NAME`.
    public var expected: String
    /// What the search found, in the same words.
    public var got: String
    /// The comparison.
    public var status: GateStatus
    /// Why it does not match, when it does not.
    public var reason: String?
    /// Where the `expect` line is (1-based line; 0 when the file has none).
    public var expectLine: Int
    /// Parse errors of a bad file, as `file:line:col: error: message`.
    public var diagnostics: [String]
    /// The whole verify result, when the file parsed.
    public var result: SearchDocument?
}

/// The whole gate: schema `klpcheck/1`, command `gate`.
public struct GateDocument: Codable, Sendable {
    /// Always `klpcheck/1`.
    public var schema = SearchDocument.schemaName
    /// Always `gate`.
    public var command = "gate"
    /// The folder gated.
    public var directory: String
    /// The exit status.
    public var exitCode: Int32
    /// Models that matched.
    public var passed: Int
    /// Models that did not match (bad files are counted in `bad` only):
    /// `passed + failed + bad + incomplete` is the number of models.
    public var failed: Int
    /// Models whose search was incomplete.
    public var incomplete: Int
    /// Bad model files.
    public var bad: Int
    /// Every model, in path order.
    public var models: [GateModelResult]
}

/// Compares a verify result with the model's `expect` line.
enum GateJudge {
    static func expectedText(_ expectation: Expectation) -> String {
        switch expectation {
        case .pass: return "pass"
        case .fail(let property): return "fail \(property.rawValue)"
        case .finding(let property): return "finding \(property.rawValue)"
        }
    }

    static func gotText(_ document: SearchDocument) -> String {
        let violated = document.violations.map(\.property)
        let found = document.findings.map(\.property)
        var text: String
        switch document.verdict {
        case .fail: text = "fail " + violated.joined(separator: ", ")
        case .pass: text = "pass"
        case .incomplete: text = "incomplete" + (document.limit.map { " (\($0))" } ?? "")
        }
        if !found.isEmpty { text += " (finding " + found.joined(separator: ", ") + ")" }
        return text
    }

    static func judge(_ expectation: Expectation, _ document: SearchDocument) -> (GateStatus, String?) {
        let violated = Set(document.violations.map(\.property))
        let found = Set(document.findings.map(\.property))
        let complete = document.verdict != .incomplete
        switch expectation {
        case .pass:
            if !violated.isEmpty {
                return (.fail, "expected no violation, but \(violated.sorted().joined(separator: ", ")) violated")
            }
            return complete ? (.pass, nil) : (.incomplete, "the search was incomplete")
        case .fail(let property):
            if violated.contains(property.rawValue) { return (.pass, nil) }
            if !complete { return (.incomplete, "the search was incomplete before \(property.rawValue) was violated") }
            return (.fail, "expected \(property.rawValue) to be violated, but it holds")
        case .finding(let property):
            if !violated.isEmpty {
                return (.fail, "expected no violation, but \(violated.sorted().joined(separator: ", ")) violated")
            }
            if found.contains(property.rawValue) { return (.pass, nil) }
            if !complete { return (.incomplete, "the search was incomplete before \(property.rawValue) was found") }
            return (.fail, "expected the finding \(property.rawValue), but it was not found")
        }
    }
}
