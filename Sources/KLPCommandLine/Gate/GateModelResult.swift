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
