import Livepatch

/// The machine-readable result of a search: schema `klpcheck/1`.
///
/// The command, the model and the world in one line, then the library's
/// `VerificationResult` at the top level: the verdict, the engine's
/// statistics, the property table, violations and findings. Every field is
/// documented in the README's "JSON output" section; fields are only ever
/// added under the same schema name.
public struct SearchDocument: Encodable, Sendable {
    /// Always `klpcheck/1`.
    public var schema = SearchDocument.schemaName
    /// The command that ran: `verify`, `bench`.
    public var command: String
    /// The model: a file path or a benchmark name.
    public var model: String
    /// The world in one line.
    public var world: String
    /// The judged result.
    public var result: VerificationResult
    /// The process exit status: the result's, or 128 + the signal that
    /// interrupted the search.
    public var exitCode: Int32
    /// The swarm member this search was (`verify --swarm K/N`); nil, and no
    /// `swarm` key, for any other search.
    public var swarm: SwarmMember?

    /// Creates a document whose exit status is the result's.
    public init(command: String, model: String, world: String, result: VerificationResult) {
        self.command = command
        self.model = model
        self.world = world
        self.result = result
        exitCode = result.exitStatus.rawValue
    }

    private enum CodingKeys: String, CodingKey {
        case schema, command, model, world, swarm
    }

    /// Every key, always (absent values are `null`, as the README promises):
    /// the document's own fields and the result's, in one object.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(command, forKey: .command)
        try container.encode(model, forKey: .model)
        try container.encode(world, forKey: .world)
        try container.encodeIfPresent(swarm, forKey: .swarm)
        try result.encode(to: encoder, exitCode: exitCode)
    }
}
