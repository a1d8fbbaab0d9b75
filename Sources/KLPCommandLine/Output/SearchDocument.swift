import KLPEngine

/// The verdict of a search.
public enum Verdict: String, Codable, Sendable {
    /// Every checked property holds over a complete search.
    case pass
    /// A checked property is violated.
    case fail
    /// No violation, but the search was incomplete.
    case incomplete
}

/// One step of a counterexample, as people and tools read it.
public struct StepDocument: Codable, Sendable, Equatable {
    /// 1-based step number.
    public var number: Int
    /// What happened: a command a user types, or the kernel's own step.
    public var action: String
    /// Log lines the step prints, without timestamps.
    public var log: [String]
    /// What changed in the state, in words.
    public var changes: [String]

    /// Creates a step.
    public init(number: Int, action: String, log: [String] = [], changes: [String] = []) {
        self.number = number
        self.action = action
        self.log = log
        self.changes = changes
    }
}

/// The shortest counterexample of one property (or the trace of a finding).
public struct CounterexampleDocument: Codable, Sendable, Equatable {
    /// The property or finding.
    public var property: String
    /// Why the last step breaks it, in one sentence.
    public var explanation: String
    /// The initial state, in words.
    public var initial: [String]
    /// The steps.
    public var steps: [StepDocument]
    /// The trace as a scenario that `klpcheck run` replays, if the model has one.
    public var scenario: String?

    /// Creates a counterexample.
    public init(property: String, explanation: String, initial: [String], steps: [StepDocument], scenario: String? = nil) {
        self.property = property
        self.explanation = explanation
        self.initial = initial
        self.steps = steps
        self.scenario = scenario
    }
}

/// One row of the property table.
public struct PropertyDocument: Codable, Sendable, Equatable {
    /// The property's name.
    public var name: String
    /// invariant, step or possibility.
    public var kind: String
    /// `property`, or `finding` for reports that are not violations.
    public var role: String
    /// holds, violated, found, not-found, undecided or not-checked.
    public var status: String
}

/// The machine-readable result of a search: schema `klpcheck/1`.
///
/// Every field is documented in the README's "JSON output" section; fields
/// are only ever added under the same schema name.
public struct SearchDocument: Codable, Sendable {
    /// Always `klpcheck/1`.
    public var schema = SearchDocument.schemaName
    /// The command that ran: `verify`, `bench`.
    public var command: String
    /// The model: a file path or a benchmark name.
    public var model: String
    /// The world in one line.
    public var world: String
    /// pass, fail or incomplete.
    public var verdict: Verdict
    /// The process exit status this result gives.
    public var exitCode: Int32
    /// Distinct states stored.
    public var states: UInt64
    /// Transitions fired, duplicates included.
    public var transitions: UInt64
    /// The last non-empty BFS level.
    public var depth: Int
    /// Seconds of the breadth-first search.
    public var seconds: Double
    /// Seconds in all: the search, the progress check and rebuilding traces.
    public var totalSeconds: Double
    /// States per second.
    public var statesPerSecond: Double
    /// The engine's peak accounted bytes divided by states.
    public var bytesPerState: Double
    /// The process's peak resident set size.
    public var peakMemoryBytes: UInt64
    /// The engine's peak accounted bytes.
    public var engineMemoryBytes: UInt64
    /// Worker threads.
    public var threads: Int
    /// The visited set used.
    public var visited: String
    /// The limit that stopped the search, or null.
    public var limit: String?
    /// Bitstate only: estimated chance that a new state was skipped.
    public var omissionProbability: Double?
    /// Whether every reachable state was explored with an exact set.
    public var complete: Bool
    /// Every property with its status.
    public var properties: [PropertyDocument]
    /// Counterexamples of violated properties.
    public var violations: [CounterexampleDocument]
    /// Traces of findings (not violations).
    public var findings: [CounterexampleDocument]
}

extension SearchDocument {
    private enum CodingKeys: String, CodingKey {
        case schema, command, model, world, verdict, exitCode, states, transitions, depth, seconds, totalSeconds
        case statesPerSecond
        case bytesPerState, peakMemoryBytes, engineMemoryBytes, threads, visited, limit, omissionProbability, complete
        case properties, violations, findings
    }

    /// Every key, always: absent values are `null`, as the README promises
    /// (the synthesised encoder would leave nil keys out).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(command, forKey: .command)
        try container.encode(model, forKey: .model)
        try container.encode(world, forKey: .world)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(states, forKey: .states)
        try container.encode(transitions, forKey: .transitions)
        try container.encode(depth, forKey: .depth)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(totalSeconds, forKey: .totalSeconds)
        try container.encode(statesPerSecond, forKey: .statesPerSecond)
        try container.encode(bytesPerState, forKey: .bytesPerState)
        try container.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
        try container.encode(engineMemoryBytes, forKey: .engineMemoryBytes)
        try container.encode(threads, forKey: .threads)
        try container.encode(visited, forKey: .visited)
        try container.encode(limit, forKey: .limit)
        try container.encode(omissionProbability, forKey: .omissionProbability)
        try container.encode(complete, forKey: .complete)
        try container.encode(properties, forKey: .properties)
        try container.encode(violations, forKey: .violations)
        try container.encode(findings, forKey: .findings)
    }
}
