extension VerificationResult: Encodable {
    private enum CodingKeys: String, CodingKey {
        case verdict, exitCode, properties, violations, findings, reduction
    }

    /// The result as one flat object: the verdict, the exit status, the
    /// engine's statistics at the top level, then the property table,
    /// violations and findings (schema `klpcheck/1`).
    public func encode(to encoder: Encoder) throws {
        try encode(to: encoder, exitCode: exitStatus.rawValue)
    }

    /// The same, with the exit status the process actually ends with (the
    /// command line's: 128 + the signal that interrupted the search).
    public func encode(to encoder: Encoder, exitCode: Int32) throws {
        try statistics.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(properties, forKey: .properties)
        try container.encode(violations, forKey: .violations)
        try container.encode(findings, forKey: .findings)
        try container.encode(reduction, forKey: .reduction)
    }
}
