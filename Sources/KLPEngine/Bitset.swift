import CKLPSupport

/// A fixed-size bitset over slot numbers, with atomic inserts, so that
/// several threads can mark at once.
///
/// - Complexity: `insert` and `contains` are O(1).
@usableFromInline
final class Bitset: @unchecked Sendable {
    @usableFromInline
    let words: UnsafeMutablePointer<UInt64>
    @usableFromInline
    let wordCount: Int
    @usableFromInline
    let ledger: MemoryLedger
    /// A bitset of `count` bits, or nil when the ledger refuses the memory.
    @inlinable
    init?(count: Int, ledger: MemoryLedger) {
        wordCount = max(1, (count + 63) / 64)
        guard let words = ledger.allocate(UInt64.self, count: wordCount, zeroed: true) else { return nil }
        self.words = words
        self.ledger = ledger
    }
    deinit { ledger.free(words, count: wordCount) }
    @inlinable
    func insert(_ index: Int) { _ = klp_fetch_or(words + (index >> 6), 1 << UInt64(index & 63)) }
    @inlinable
    func contains(_ index: Int) -> Bool { klp_load_relaxed(words + (index >> 6)) & (1 << UInt64(index & 63)) != 0 }
    /// Whether every stored state of `visited` is marked.
    @inlinable
    func allSet<V: VisitedSet>(among visited: V) -> Bool {
        var all = true
        visited.forEach { slot, _ in if !contains(slot) { all = false } }
        return all
    }
}
