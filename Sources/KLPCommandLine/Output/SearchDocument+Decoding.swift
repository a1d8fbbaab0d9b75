import Livepatch

extension SearchDocument: Decodable {
    private enum DecodingKeys: String, CodingKey {
        case schema, command, model, world, exitCode, swarm
    }

    /// Reads a document written by `encode(to:)` (for `klpcheck merge`).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: DecodingKeys.self)
        schema = try container.decode(String.self, forKey: .schema)
        command = try container.decode(String.self, forKey: .command)
        model = try container.decode(String.self, forKey: .model)
        world = try container.decode(String.self, forKey: .world)
        exitCode = try container.decode(Int32.self, forKey: .exitCode)
        swarm = try container.decodeIfPresent(SwarmMember.self, forKey: .swarm)
        result = try VerificationResult(from: decoder)
    }
}
