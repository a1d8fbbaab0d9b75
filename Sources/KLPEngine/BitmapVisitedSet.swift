import CKLPSupport

/// An exact visited set for models whose single-word states are dense
/// integers below a known bound: one bit per possible state.
///
/// - Complexity: `insert` is O(1): one atomic fetch-or.
public final class BitmapVisitedSet<State: PackedState>: VisitedSet, @unchecked Sendable {
    @usableFromInline let bits: UnsafeMutablePointer<UInt64>
    @usableFromInline let wordCount: Int
    /// The number of possible states.
    public let universe: UInt64
    let ledger: MemoryLedger
    private var isFreed = false

    /// The kind: `.bitmap`.
    public var kind: VisitedKind { .bitmap }
    /// Exact.
    public var isExact: Bool { true }

    /// Creates a bitmap over `universe` states; nil when states are not single
    /// words or the ledger refuses.
    public init?(universe: UInt64, ledger: MemoryLedger) {
        guard State.wordCount == 1, universe > 0, universe < UInt64(Int.max / 2) else { return nil }
        let words = Int((universe + 63) / 64)
        guard let bits = ledger.allocate(UInt64.self, count: words, zeroed: true) else { return nil }
        self.bits = bits
        self.wordCount = words
        self.universe = universe
        self.ledger = ledger
    }

    deinit { free() }

    /// Bytes held.
    public var memoryBytes: Int { wordCount * 8 }

    /// Prefetches the state's word.
    @inlinable @inline(__always)
    public func prefetch(_ state: State, hash: UInt64) {
        klp_prefetch(bits + Int(truncatingIfNeeded: state.word(0) >> 6))
    }

    /// Test-and-set insert.
    @inlinable
    public func insert(_ state: State, hash: UInt64, worker: Int) -> InsertOutcome {
        let index = state.word(0)
        let mask: UInt64 = 1 << (index & 63)
        let before = klp_fetch_or(bits + Int(truncatingIfNeeded: index >> 6), mask)
        return before & mask == 0 ? .new : .seen
    }

    /// Nothing to prepare: the bitmap never grows.
    public func prepareForInserts(threads: Int) -> Bool { true }

    /// One slot per possible state.
    public var slotCount: Int { Int(universe) }

    /// The state's own index, when present.
    @inlinable
    public func slot(of state: State) -> Int? {
        let index = Int(state.word(0))
        return bits[index >> 6] & (1 << UInt64(index & 63)) != 0 ? index : nil
    }

    /// Every state in the set, in increasing order.
    @inlinable
    public func forEach(_ body: (Int, State) -> Void) {
        for wordIndex in 0..<wordCount {
            var word = bits[wordIndex]
            while word != 0 {
                let bit = word.trailingZeroBitCount
                word &= word - 1
                var value = UInt64(wordIndex * 64 + bit)
                body(Int(value), withUnsafePointer(to: &value) { State(words: $0) })
            }
        }
    }

    /// Every state in `range`, in increasing order or its reverse; empty
    /// words are skipped whole.
    @inlinable
    public func forEach(slots range: Range<Int>, reversed: Bool, _ body: (Int, State) -> Void) {
        let indices = range.clamped(to: 0..<Int(universe))
        guard !indices.isEmpty else { return }
        let firstWord = indices.lowerBound >> 6
        let lastWord = (indices.upperBound - 1) >> 6
        for wordIndex in reversed ? stride(from: lastWord, through: firstWord, by: -1) : stride(from: firstWord, through: lastWord, by: 1) {
            var word = bits[wordIndex]
            while word != 0 {
                let bit = reversed ? 63 - word.leadingZeroBitCount : word.trailingZeroBitCount
                word &= ~(1 << UInt64(bit))
                let index = wordIndex * 64 + bit
                guard indices.contains(index) else { continue }
                var value = UInt64(index)
                body(index, withUnsafePointer(to: &value) { State(words: $0) })
            }
        }
    }

    /// Frees the bitmap.
    public func free() {
        guard !isFreed else { return }
        isFreed = true
        ledger.free(bits, count: wordCount)
    }
}
