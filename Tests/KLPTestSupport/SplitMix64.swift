import KLPEngine

/// SplitMix64 (Steele, Lea and Flood): a small, fast generator whose
/// stream is the same on every platform, for reproducible random choices
/// (the fuzz tests' mutants). Each value is `mix64` of a Weyl sequence.
public struct SplitMix64: Sendable {
    /// The Weyl sequence's current value.
    public var state: UInt64

    /// The generator that starts from `state`.
    public init(state: UInt64) { self.state = state }

    /// The next value.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return mix64(state)
    }

    /// A number in `0..<bound`; 0 when `bound` is not positive.
    public mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}
