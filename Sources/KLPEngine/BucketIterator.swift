/// Linear probing over the buckets of one table segment, from a home
/// bucket onwards, wrapping at the end once.
///
/// Every probe loop of `OpenAddressingSet` (insert, lookup, rehash) walks
/// its buckets with this one iterator. The tables keep a free bucket by
/// construction (their load stays below 1), so a probe always ends; if that
/// ever broke, a second wrap-around traps instead of spinning forever.
/// Modelled on the bucket iterator of swift-collections' `_HashTable`.
@frozen @usableFromInline
struct BucketIterator {
    /// The bucket being looked at.
    @usableFromInline var bucket: Int
    /// Buckets in the segment.
    @usableFromInline let capacity: Int
    /// Whether the probe already went past the last bucket to the first.
    @usableFromInline var wrapped: Bool

    /// The probe of a key whose hash is `hash`, in a segment of `capacity` buckets.
    @inlinable @inline(__always)
    init(hash: UInt64, capacity: Int) {
        bucket = Self.home(hash: hash, capacity: capacity)
        self.capacity = capacity
        wrapped = false
    }

    /// The home bucket of `hash`: a multiply-shift of its low 56 bits (the
    /// top bits choose the segment), so capacities need not be powers of two.
    @inlinable @inline(__always)
    static func home(hash: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: (hash << 8).multipliedFullWidth(by: UInt64(capacity)).high)
    }

    /// Moves to the next bucket; traps when the probe would wrap a second time.
    @inlinable @inline(__always)
    mutating func advance() {
        bucket &+= 1
        if bucket == capacity {
            precondition(!wrapped, "a probe went round a whole hash table segment: the table is full")
            wrapped = true
            bucket = 0
        }
    }
}
