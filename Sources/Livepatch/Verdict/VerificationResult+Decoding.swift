import KLPEngine

/// Reading a result back from its JSON (schema `klpcheck/1`), so that a
/// program merging the documents of several runs (`klpcheck merge`) renders
/// the same reports the runs would have rendered.
///
/// The JSON leaves out the property and counterexample indices: a property's
/// index is its position in the table, a counterexample's that of the
/// property it names. The expectation is not part of the JSON and stays nil.
extension VerificationResult: Decodable {
    private enum DecodingKeys: String, CodingKey {
        case properties, violations, findings, reduction
    }

    private struct PropertyRow: Decodable {
        var name: String
        var kind: PropertyKind
        var role: PropertyRole
        var status: PropertyOutcome
    }

    private struct TraceRow: Decodable {
        var property: String
        var explanation: String
        var initial: [String]
        var steps: [PresentedStep]
        var scenario: String?
    }

    /// Reads a result written by `encode(to:)`.
    public init(from decoder: Decoder) throws {
        statistics = try SearchStatistics(from: decoder)
        expectation = nil
        let container = try decoder.container(keyedBy: DecodingKeys.self)
        let rows = try container.decode([PropertyRow].self, forKey: .properties)
        let table = rows.enumerated().map { index, row in
            PropertyResult(index: index, name: row.name, kind: row.kind, role: row.role, status: row.status)
        }
        properties = table
        func counterexamples(_ key: DecodingKeys) throws -> [Counterexample] {
            try container.decode([TraceRow].self, forKey: key).map { row in
                Counterexample(
                    propertyIndex: table.first { $0.name == row.property }?.index ?? 0, property: row.property,
                    trace: TracePresentation(
                        initial: row.initial, steps: row.steps, explanation: row.explanation, scenario: row.scenario))
            }
        }
        violations = try counterexamples(.violations)
        findings = try counterexamples(.findings)
        // Absent in documents of versions before reductions.
        reduction = try container.decodeIfPresent(ReductionSummary.self, forKey: .reduction)
    }
}
