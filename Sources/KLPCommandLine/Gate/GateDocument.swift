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
    /// The klpcheck version that ran the gate (`merge` refuses to mix versions).
    public var version: String?
    /// A fingerprint of every model under the folder, paths and contents
    /// (`GateShard.fingerprint`): shards of one gate share it.
    public var modelSet: String?
    /// Which shard of a sharded gate this is; absent for a whole gate.
    public var shard: GateShardIndex?
}
