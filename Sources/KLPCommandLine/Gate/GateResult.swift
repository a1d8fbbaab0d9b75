import Livepatch

/// How one model fared against its `expect` line.
public enum GateStatus: String, Encodable, Sendable {
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
public struct GateModelResult: Encodable, Sendable {
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
public struct GateDocument: Encodable, Sendable {
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

extension GateStatus {
    /// The gate's word for the library's check of a result against its expectation.
    init(_ outcome: ExpectationCheck.Outcome) {
        switch outcome {
        case .met: self = .pass
        case .unmet: self = .fail
        case .undecided: self = .incomplete
        }
    }
}
