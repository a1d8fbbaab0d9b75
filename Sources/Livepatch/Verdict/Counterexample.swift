/// The shortest counterexample of one property (or the trace of a finding).
public struct Counterexample: Encodable, Sendable, Equatable {
    /// The property's index in the model's property list.
    public var propertyIndex: Int
    /// The property's or finding's name.
    public var property: String
    /// The trace in words.
    public var trace: TracePresentation

    /// Creates a counterexample.
    public init(propertyIndex: Int, property: String, trace: TracePresentation) {
        self.propertyIndex = propertyIndex
        self.property = property
        self.trace = trace
    }

    private enum CodingKeys: String, CodingKey {
        case property, explanation, initial, steps, scenario
    }

    /// The trace's fields beside the property's name, one object; no
    /// `scenario` key when the model has none.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(property, forKey: .property)
        try container.encode(trace.explanation, forKey: .explanation)
        try container.encode(trace.initial, forKey: .initial)
        try container.encode(trace.steps, forKey: .steps)
        try container.encodeIfPresent(trace.scenario, forKey: .scenario)
    }
}
