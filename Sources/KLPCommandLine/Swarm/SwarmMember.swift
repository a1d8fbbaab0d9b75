import KLPEngine

/// Which member of a swarm a verify document comes from (`verify --swarm
/// K/N`), and what `klpcheck merge` checks before it combines members: the
/// klpcheck version and a fingerprint of the model file.
public struct SwarmMember: Codable, Sendable, Equatable {
    /// The member, from 0 to `members - 1`.
    public var member: Int
    /// The number of members.
    public var members: Int
    /// The seed of the member's hash functions and successor order, as 16
    /// hexadecimal digits (a JSON number would lose bits).
    public var seed: String
    /// The klpcheck version that ran the member.
    public var version: String
    /// FNV-1a over the model's path and contents (as a gate's `modelSet`).
    public var modelFingerprint: String

    /// Member `member` of `members` over the model at `path`.
    init(member: Int, members: Int, modelPath: String) {
        self.member = member
        self.members = members
        seed = Self.hex(Self.seed(member: member))
        version = KLPCheck.version
        modelFingerprint = GateShard.fingerprint([modelPath])
    }

    /// The seed of member `member`: SplitMix64's output for `member + 1`,
    /// never 0 (seed 0 means the standard hashes). It depends on the member
    /// alone, so member K of a larger swarm searches as member K of a smaller.
    static func seed(member: Int) -> UInt64 {
        let seed = mix64(UInt64(member + 1) &* 0x9e37_79b9_7f4a_7c15)
        return seed == 0 ? 1 : seed
    }

    /// `value` as 16 hexadecimal digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Parses `--swarm K/N` (K may be `auto`, read from the job engine's
    /// index variable as for `gate --shard`).
    static func parse(_ text: String, environment: [String: String]) throws -> (member: Int, members: Int) {
        let index = try GateShard.parse(text, environment: environment, option: "--swarm", what: "member")
        return (index.index, index.count)
    }
}
