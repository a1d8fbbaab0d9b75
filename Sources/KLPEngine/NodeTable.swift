import CKLPSupport
import Dispatch

/// One level of a `TreeVisitedSet`: a lock-free open-addressing table of
/// nonzero 64-bit entries, split into 32 segments that grow separately,
/// whose insert answers whether the entry is new and where it is.
///
/// An entry's index is its slot: `(segment << 26 | slot) + 1`, never 0 and
/// below 2^31, so that two indices and a flag bit fit one word of the
/// level above. An entry sits where the caller's hash of its *content*
/// (the words it stands for) puts it, never a hash of its bits: when this
/// level grows and its entries move, the level above rewrites the indices
/// it holds in place (`remap`), and none of its own entries moves.
///
/// Rooms are granted per worker between rounds as in `OpenAddressingSet`:
/// an insert that would claim a slot beyond its worker's room answers "no
/// room", and the set grows between rounds. Only claiming takes room; an
/// entry already present is found whatever the room.
///
/// A value type over pointers (no reference counting in the hot path); the
/// set that owns it frees it.
@frozen @usableFromInline
struct NodeTable {
    @inlinable static var segmentShift: UInt64 { 59 }
    @inlinable static var segmentCount: Int { SegmentRoom.segmentCount }
    /// Bits of the slot within a segment in an index.
    @inlinable static var slotBits: Int { 26 }
    /// The most slots a segment may have (an index stays below 2^31).
    @inlinable static var maxSegmentCapacity: Int { (1 << 26) - 1 }
    @usableFromInline let slots: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    @usableFromInline let capacities: UnsafeMutablePointer<Int>
    /// Each worker's room per segment, the segments' hard limits and what
    /// they held at the round's start.
    @usableFromInline let room: SegmentRoom
    /// A segment grows when its load passes this...
    @usableFromInline let growAboveLoad: Double
    /// ...to this load...
    @usableFromInline let loadAfterGrowth: Double
    /// ...and never holds more than this.
    @usableFromInline let hardLoad: Double

    /// An empty table of 32 segments of `initialCapacity` slots, or nil when
    /// the ledger refuses.
    @usableFromInline
    init?(ledger: MemoryLedger, initialCapacity: Int, growAboveLoad: Double, loadAfterGrowth: Double, hardLoad: Double) {
        let n = Self.segmentCount
        self.growAboveLoad = growAboveLoad
        self.loadAfterGrowth = loadAfterGrowth
        self.hardLoad = hardLoad
        slots = .allocate(capacity: n)
        capacities = .allocate(capacity: n)
        capacities.initialize(repeating: 0, count: n)
        room = SegmentRoom()
        for segment in 0..<n {
            guard let table = ledger.allocate(UInt64.self, count: initialCapacity, zeroed: true) else {
                free(ledger: ledger)
                return nil
            }
            slots[segment] = table
            capacities[segment] = initialCapacity
            room.hardLimits[segment] = min(Int(Double(initialCapacity) * hardLoad), initialCapacity - 1)
        }
        room.grant()
    }

    /// Frees every segment and the bookkeeping; the table is unusable afterwards.
    @usableFromInline
    func free(ledger: MemoryLedger) {
        for segment in 0..<Self.segmentCount where capacities[segment] > 0 {
            ledger.free(slots[segment], count: capacities[segment])
        }
        slots.deallocate()
        capacities.deallocate()
        room.deallocate()
    }

    /// The index of slot `slot` of `segment`.
    @inlinable @inline(__always)
    static func index(segment: Int, slot: Int) -> Int { (segment << slotBits | slot) &+ 1 }

    /// The entry at `index` (an index this table gave).
    @inlinable @inline(__always)
    func entry(at index: Int) -> UInt64 {
        let position = index &- 1
        return slots[position >> Self.slotBits][position & (1 << Self.slotBits - 1)]
    }

    /// Prefetches the home slot of `hash`.
    @inlinable @inline(__always)
    func prefetch(hash: UInt64) {
        let segment = Int(truncatingIfNeeded: hash >> Self.segmentShift)
        klp_prefetch(slots[segment] + BucketIterator.home(hash: hash, capacity: capacities[segment]))
    }

    /// Test-and-set insert of `entry` (nonzero) whose content hash is
    /// `hash`: its index if it was present, minus its index if it is new,
    /// 0 if claiming a slot would exceed `worker`'s room.
    ///
    /// - Complexity: expected O(1) probes at the load factors used.
    @inlinable @inline(__always)
    func insert(_ entry: UInt64, hash: UInt64, worker: Int) -> Int {
        let segment = Int(truncatingIfNeeded: hash >> Self.segmentShift)
        let table = slots[segment]
        var probe = BucketIterator(hash: hash, capacity: capacities[segment])
        while true {
            let slot = table + probe.bucket
            var found = klp_load_acquire(slot)
            if found == 0 {
                let left = room.left(worker: worker, segment: segment)
                if left.pointee <= 0 { return 0 }
                found = klp_cas(slot, 0, entry)
                if found == 0 {
                    left.pointee &-= 1
                    return -Self.index(segment: segment, slot: probe.bucket)
                }
            }
            if found == entry { return Self.index(segment: segment, slot: probe.bucket) }
            probe.advance()
        }
    }

    /// The index of `entry`, whose content hash is `hash`, or 0 if absent.
    @inlinable
    func find(_ entry: UInt64, hash: UInt64) -> Int {
        let segment = Int(truncatingIfNeeded: hash >> Self.segmentShift)
        let table = slots[segment]
        var probe = BucketIterator(hash: hash, capacity: capacities[segment])
        while true {
            let found = table[probe.bucket]
            if found == 0 { return 0 }
            if found == entry { return Self.index(segment: segment, slot: probe.bucket) }
            probe.advance()
        }
    }

    /// Entries held.
    @usableFromInline
    var count: Int { room.held }

    /// Slots over all segments.
    @usableFromInline
    var capacity: Int { (0..<Self.segmentCount).reduce(0) { $0 + capacities[$1] } }

    /// The segments above the growth load, with the capacity each grows
    /// to (after `room.settle()`).
    @usableFromInline
    func segmentsToGrow() -> [(segment: Int, capacity: Int)] {
        var growing: [(segment: Int, capacity: Int)] = []
        for segment in 0..<Self.segmentCount {
            let held = Double(room.committed[segment])
            if held > Double(capacities[segment]) * growAboveLoad {
                growing.append((segment, Int((held / loadAfterGrowth).rounded(.up)) + 1))
            }
        }
        return growing
    }

    /// Moves `segment` into a table of `newCapacity` slots, placing each
    /// entry by `contentHash(entry)`; with `map`, records each old slot's
    /// new slot there. False, with the segment unchanged, when the ledger
    /// refuses or the capacity exceeds what an index can address.
    @usableFromInline
    func grow(
        segment: Int, to newCapacity: Int, ledger: MemoryLedger, map: UnsafeMutablePointer<UInt32>?,
        contentHash: (UInt64) -> UInt64
    ) -> Bool {
        guard newCapacity <= Self.maxSegmentCapacity,
            let fresh = ledger.allocate(UInt64.self, count: newCapacity, zeroed: true)
        else { return false }
        let old = slots[segment]
        let oldCapacity = capacities[segment]
        for index in 0..<oldCapacity {
            let entry = old[index]
            guard entry != 0 else { continue }
            var probe = BucketIterator(hash: contentHash(entry), capacity: newCapacity)
            while fresh[probe.bucket] != 0 { probe.advance() }
            fresh[probe.bucket] = entry
            map?[index] = UInt32(truncatingIfNeeded: probe.bucket)
        }
        ledger.free(old, count: oldCapacity)
        slots[segment] = fresh
        capacities[segment] = newCapacity
        room.hardLimits[segment] = min(Int(Double(newCapacity) * hardLoad), newCapacity - 1)
        return true
    }

    /// Rewrites the two child indices of every entry (`flag | a << 32 | b`)
    /// after the child level moved the segments that have a map in `maps`,
    /// on up to `threads` threads. Entries stay where they are: their
    /// places depend on content only.
    @usableFromInline
    func remap(children maps: [UnsafeMutablePointer<UInt32>?], threads: Int) {
        if threads <= 1 {
            for segment in 0..<Self.segmentCount { remap(segment: segment, children: maps) }
        } else {
            nonisolated(unsafe) let shared = (table: self, maps: maps)
            DispatchQueue.concurrentPerform(iterations: Self.segmentCount) { segment in
                shared.table.remap(segment: segment, children: shared.maps)
            }
        }
    }

    /// `remap(children:threads:)` of one segment.
    @usableFromInline
    func remap(segment: Int, children maps: [UnsafeMutablePointer<UInt32>?]) {
        let mask = UInt64(1 << Self.slotBits - 1)
        func moved(_ child: UInt64) -> UInt64 {
            guard child != 0 else { return 0 }
            let position = child - 1
            guard let map = maps[Int(position >> UInt64(Self.slotBits))] else { return child }
            return (position & ~mask | UInt64(map[Int(position & mask)])) + 1
        }
        let table = slots[segment]
        for index in 0..<capacities[segment] {
            let entry = table[index]
            guard entry != 0 else { continue }
            table[index] = entry & (1 << 63) | moved(entry >> 32 & 0x7fff_ffff) << 32 | moved(entry & 0xffff_ffff)
        }
    }
}
