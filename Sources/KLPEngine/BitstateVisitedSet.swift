import CKLPSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A probabilistic visited set in the manner of SPIN's bitstate hashing:
/// each state sets `hashCount` bits of one word of a large bit array (a
/// blocked Bloom filter: one cache miss and one atomic fetch-or per insert),
/// and a state whose bits are all set already is taken as seen. It may wrongly skip a new
/// state, never the reverse, so a search with it is never complete.
///
/// - Complexity: `insert` is O(`hashCount`) bit operations and one atomic fetch-or.
public final class BitstateVisitedSet<State: PackedState>: VisitedSet, @unchecked Sendable {
    @usableFromInline let bits: UnsafeMutablePointer<UInt64>
    @usableFromInline let mask: UInt64
    /// Number of bits in the array (a power of two).
    public let bitCount: UInt64
    /// Bits set per state.
    public let hashCount: Int
    /// The seed of the hash functions: 0 for the standard ones, another
    /// value for a swarm member's own (`SearchOptions.swarmSeed`).
    public let seed: UInt64
    /// How far the state's hash is rotated before it picks a word: 0 for
    /// seed 0, else 1 to 63, so that members pick words from different bits
    /// of the hash (rotating by 0 leaves it as it is: no branch per state).
    @usableFromInline let rotation: UInt64
    /// Mixed into the hash that picks the bits within the word.
    @usableFromInline let salt: UInt64
    let ledger: MemoryLedger
    private var isFreed = false

    /// The kind: `.bitstate`.
    public var kind: VisitedKind { .bitstate }
    /// Not exact.
    public var isExact: Bool { false }

    /// Creates an array of `2^log2Bits` bits whose hash functions derive
    /// from `seed` (0: the standard ones); nil when the ledger refuses.
    public init?(log2Bits: Int, hashCount: Int = 3, seed: UInt64 = 0, ledger: MemoryLedger) {
        let log2Bits = max(log2Bits, 6)
        bitCount = 1 << UInt64(log2Bits)
        mask = bitCount - 1
        self.hashCount = hashCount
        self.seed = seed
        let mixedSeed = seed == 0 ? 0 : mix64(seed)
        rotation = seed == 0 ? 0 : 1 + mixedSeed % 63
        salt = 0x5851_f42d_4c95_7f2d ^ (seed == 0 ? 0 : mix64(mixedSeed ^ 0x2545_f491_4f6c_dd1d))
        self.ledger = ledger
        guard let bits = ledger.allocate(UInt64.self, count: Int(bitCount / 64), zeroed: true) else { return nil }
        self.bits = bits
    }

    deinit { free() }

    /// Bytes held.
    public var memoryBytes: Int { Int(bitCount / 8) }

    /// Prefetches the state's word.
    @inlinable @inline(__always)
    public func prefetch(_ state: State, hash: UInt64) {
        klp_prefetch(bits + Int(truncatingIfNeeded: (rotated(hash) & mask) >> 6))
    }

    /// The hash rotated by the seed's `rotation` (unchanged for seed 0).
    @inlinable @inline(__always)
    func rotated(_ hash: UInt64) -> UInt64 { hash &>> rotation | hash &<< (64 &- rotation) }

    /// Sets the state's bits; new when any of them was clear.
    @inlinable
    public func insert(_ state: State, hash: UInt64, worker: Int) -> InsertOutcome {
        // All k bits in one word, set by one atomic fetch-or: of several
        // threads inserting the same state, exactly one sees a bit clear.
        let (word, wordMask) = fingerprint(hash: hash)
        let before = klp_fetch_or(bits + word, wordMask)
        return before & wordMask == wordMask ? .seen : .new
    }

    /// Where the state with `hash` leaves its mark: a word of the array, and
    /// the up to `hashCount` bits it sets there.
    @inlinable @inline(__always)
    func fingerprint(hash: UInt64) -> (word: Int, mask: UInt64) {
        let keyed = rotated(hash)
        var select = mix64(keyed ^ salt)
        var wordMask: UInt64 = 0
        for _ in 0..<hashCount {
            wordMask |= 1 << (select & 63)
            select = select >> 6 | select << 58
        }
        return (Int(truncatingIfNeeded: (keyed & mask) >> 6), wordMask)
    }

    /// Nothing to prepare: the array never grows.
    public func prepareForInserts(threads: Int) -> Bool { true }

    /// The probability that a new state is wrongly taken as seen, once
    /// `stored` states are in the array: (1 - e^(-k n / m))^k, the classic
    /// Bloom-filter estimate (approximate for bits blocked in one word).
    public func omissionProbability(stored: UInt64) -> Double {
        let k = Double(hashCount)
        return pow(1 - exp(-k * Double(stored) / Double(bitCount)), k)
    }

    /// Not supported: bitstate keeps no states.
    public var slotCount: Int { 0 }
    /// Not supported: bitstate keeps no states.
    public func slot(of state: State) -> Int? { nil }
    /// Not supported: bitstate keeps no states.
    public func forEach(_ body: (Int, State) -> Void) {}

    /// Not supported: bitstate keeps no states.
    public func forEach(slots range: Range<Int>, reversed: Bool, _ body: (Int, State) -> Void) {}

    /// Frees the array.
    public func free() {
        guard !isFreed else { return }
        isFreed = true
        ledger.free(bits, count: Int(bitCount / 64))
    }
}
