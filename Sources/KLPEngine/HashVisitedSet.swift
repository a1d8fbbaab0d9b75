import CKLPSupport
import Dispatch

/// An exact visited set: open addressing with linear probing, split into
/// 256 segments that grow one at a time.
///
/// Each slot holds a state's words, word 0 tagged with an "occupied" bit, so
/// the table stores the states themselves: no pointers, no parent links.
/// Inserts are lock-free (a compare-and-swap claims an empty slot). A segment
/// never grows during a round: between rounds, each worker is granted its
/// share of every segment's room below the hard load limit; an insert that
/// finds its share used up answers `.deferred`, and the explorer grows the
/// segment between rounds. The grants are per worker, in rows of their own,
/// so that counting a new state never writes a cache line another core
/// writes too. Growing one small segment at a time keeps the transient
/// memory of a rehash to one segment instead of doubling the whole table. Capacities
/// are not powers of two (a multiply-shift maps hashes to slots), so the load
/// factor after a search stays between 0.55 and 0.9.
///
/// - Complexity: `insert` is expected O(1) at the load factors used.
public final class HashVisitedSet<State: PackedState>: VisitedSet, @unchecked Sendable {
    @usableFromInline static var segmentShift: UInt64 { 56 }
    @usableFromInline static var segmentCount: Int { 256 }
    /// Stride, in words, between workers' rows: the room each worker has
    /// left per segment, then what it was granted.
    @usableFromInline static var rowStride: Int { 2 * segmentCount }
    @usableFromInline static var occupiedBit: UInt64 { 1 << 63 }
    @usableFromInline static var busyBit: UInt64 { 1 << 62 }
    static var growAboveLoad: Double { 0.8 }
    static var loadAfterGrowth: Double { 0.55 }
    static var hardLoad: Double { 0.9 }

    @usableFromInline let slots: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    @usableFromInline let capacities: UnsafeMutablePointer<Int>
    @usableFromInline let hardLimits: UnsafeMutablePointer<Int>
    /// States per segment as of the last settling of the workers' rows.
    let committed: UnsafeMutablePointer<Int>
    /// One row per worker (see `rowStride`); only that worker writes it
    /// during a round.
    @usableFromInline var rows: UnsafeMutablePointer<Int>
    /// Number of rows.
    var workers = 1
    let ledger: MemoryLedger
    var isFreed = false
    /// The first global slot of each segment, and the total at the end;
    /// rebuilt whenever a segment grows.
    var bases: [Int] = []

    /// The kind: `.hash`.
    public var kind: VisitedKind { .hash }
    /// Exact.
    public var isExact: Bool { true }

    /// Creates an empty set, or nil when the ledger refuses its first bytes.
    public init?(ledger: MemoryLedger, initialSegmentCapacity: Int = 64) {
        self.ledger = ledger
        let n = Self.segmentCount
        slots = .allocate(capacity: n)
        capacities = .allocate(capacity: n)
        hardLimits = .allocate(capacity: n)
        committed = .allocate(capacity: n)
        committed.initialize(repeating: 0, count: n)
        rows = Self.allocateRows(1)
        capacities.initialize(repeating: 0, count: n)
        for segment in 0..<n {
            guard let table = ledger.allocate(UInt64.self, count: initialSegmentCapacity * State.wordCount, zeroed: true)
            else {
                for earlier in 0..<segment { ledger.free(slots[earlier], count: capacities[earlier] * State.wordCount) }
                // Every stored property is set, so deinit runs: it deallocates
                // the arrays, and must not free the tables again.
                isFreed = true
                return nil
            }
            slots[segment] = table
            capacities[segment] = initialSegmentCapacity
            hardLimits[segment] = Int(Double(initialSegmentCapacity) * Self.hardLoad)
        }
        rebuildBases()
        grantRoom()
    }

    static func allocateRows(_ count: Int) -> UnsafeMutablePointer<Int> {
        // Page-aligned, so that no two workers' rows share a cache line.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * rowStride * 8, alignment: 4096)
        let rows = raw.bindMemory(to: Int.self, capacity: count * rowStride)
        rows.initialize(repeating: 0, count: count * rowStride)
        return rows
    }

    /// Adds what the workers inserted to `committed` and clears their rows.
    func settleRows() {
        for worker in 0..<workers {
            let row = rows + worker * Self.rowStride
            for segment in 0..<Self.segmentCount {
                committed[segment] += row[Self.segmentCount + segment] - row[segment]
                row[segment] = 0
                row[Self.segmentCount + segment] = 0
            }
        }
    }

    /// Shares each segment's room below its hard limit among the workers.
    func grantRoom() {
        for segment in 0..<Self.segmentCount {
            let room = max(0, hardLimits[segment] - committed[segment])
            for worker in 0..<workers {
                let share = room / workers + (worker < room % workers ? 1 : 0)
                let row = rows + worker * Self.rowStride
                row[segment] = share
                row[Self.segmentCount + segment] = share
            }
        }
    }

    deinit {
        free()
        slots.deallocate()
        capacities.deallocate()
        hardLimits.deallocate()
        committed.deallocate()
        UnsafeMutableRawPointer(rows).deallocate()
    }

    /// Number of states held.
    public var count: Int {
        var total = (0..<Self.segmentCount).reduce(0) { $0 + committed[$1] }
        for worker in 0..<workers {
            let row = rows + worker * Self.rowStride
            for segment in 0..<Self.segmentCount { total += row[Self.segmentCount + segment] - row[segment] }
        }
        return total
    }

    /// Bytes of slot memory held.
    public var memoryBytes: Int {
        (0..<Self.segmentCount).reduce(0) { $0 + capacities[$1] * State.wordCount * 8 }
    }

    @inlinable @inline(__always)
    static func homeSlot(hash: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: (hash << 8).multipliedFullWidth(by: UInt64(capacity)).high)
    }

    /// Prefetches the state's home slot.
    @inlinable @inline(__always)
    public func prefetch(_ state: State, hash: UInt64) {
        let segment = Int(truncatingIfNeeded: hash >> Self.segmentShift)
        klp_prefetch(slots[segment] + Self.homeSlot(hash: hash, capacity: capacities[segment]) &* State.wordCount)
    }

    /// Test-and-set insert.
    @inlinable
    public func insert(_ state: State, hash: UInt64, worker: Int) -> InsertOutcome {
        let segment = Int(truncatingIfNeeded: hash >> Self.segmentShift)
        let room = rows + (worker &* Self.rowStride &+ segment)
        if room.pointee <= 0 { return .deferred }
        let capacity = capacities[segment]
        let table = slots[segment]
        let words = State.wordCount
        let key = state.word(0) | Self.occupiedBit
        var index = Self.homeSlot(hash: hash, capacity: capacity)
        while true {
            let slot = table + index &* words
            var found = klp_load_acquire(slot)
            if found == 0 {
                if words == 1 {
                    found = klp_cas(slot, 0, key)
                    if found == 0 {
                        room.pointee &-= 1
                        return .new
                    }
                } else {
                    found = klp_cas(slot, 0, key | Self.busyBit)
                    if found == 0 {
                        for word in 1..<words { slot[word] = state.word(word) }
                        klp_store_release(slot, key)
                        room.pointee &-= 1
                        return .new
                    }
                }
            }
            if words > 1 {
                while found & Self.busyBit != 0 { found = klp_load_acquire(slot) }
            }
            if found == key {
                if words == 1 { return .seen }
                var same = true
                for word in 1..<words where slot[word] != state.word(word) {
                    same = false
                    break
                }
                if same { return .seen }
            }
            index &+= 1
            if index == capacity { index = 0 }
        }
    }

    /// Grows every segment above the growth load, on up to `threads` threads,
    /// and grants each of `threads` workers its share of the room.
    public func prepareForInserts(threads: Int) -> Bool {
        settleRows()
        if threads > workers {
            UnsafeMutableRawPointer(rows).deallocate()
            rows = Self.allocateRows(threads)
        }
        workers = max(threads, 1)
        defer { grantRoom() }
        var full: [(segment: Int, capacity: Int)] = []
        for segment in 0..<Self.segmentCount {
            let held = committed[segment]
            if Double(held) > Double(capacities[segment]) * Self.growAboveLoad {
                full.append((segment, Int((Double(held) / Self.loadAfterGrowth).rounded(.up)) + 1))
            }
        }
        let crowded = full
        if crowded.isEmpty { return true }
        defer { rebuildBases() }
        if threads <= 1 || crowded.count < 4 {
            return crowded.allSatisfy { grow(segment: $0.segment, to: $0.capacity) }
        }
        // Segments are independent: grow them side by side.
        nonisolated(unsafe) let failures = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        defer { failures.deallocate() }
        failures.pointee = 0
        DispatchQueue.concurrentPerform(iterations: min(threads, crowded.count)) { worker in
            for index in stride(from: worker, to: crowded.count, by: threads)
            where !grow(segment: crowded[index].segment, to: crowded[index].capacity) {
                _ = klp_fetch_add(failures, 1)
            }
        }
        return failures.pointee == 0
    }

    func grow(segment: Int, to newCapacity: Int) -> Bool {
        let words = State.wordCount
        guard let fresh = ledger.allocate(UInt64.self, count: newCapacity * words, zeroed: true) else { return false }
        let old = slots[segment]
        let oldCapacity = capacities[segment]
        for index in 0..<oldCapacity {
            let slot = old + index * words
            guard slot[0] != 0 else { continue }
            let copy = Self.state(inSlot: slot)
            var probe = Self.homeSlot(hash: copy.hash64, capacity: newCapacity)
            while fresh[probe * words] != 0 {
                probe += 1
                if probe == newCapacity { probe = 0 }
            }
            for word in 0..<words { fresh[probe * words + word] = slot[word] }
        }
        ledger.free(old, count: oldCapacity * words)
        slots[segment] = fresh
        capacities[segment] = newCapacity
        hardLimits[segment] = min(Int(Double(newCapacity) * Self.hardLoad), newCapacity - 1)
        return true
    }

    /// The state stored in an occupied slot, without its flag bits.
    static func state(inSlot slot: UnsafeMutablePointer<UInt64>) -> State {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: State.wordCount) { buffer in
            let words = buffer.baseAddress!
            words.update(from: slot, count: State.wordCount)
            words[0] &= ~(occupiedBit | busyBit)
            return State(words: words)
        }
    }

    /// Number of slots over all segments.
    public var slotCount: Int { bases.last ?? 0 }

    func rebuildBases() {
        var total = 0
        bases = (0..<Self.segmentCount).map { segment in
            defer { total += capacities[segment] }
            return total
        }
        bases.append(total)
    }

    /// The global slot of `state`, or nil.
    public func slot(of state: State) -> Int? {
        let hash = state.hash64
        let segment = Int(truncatingIfNeeded: hash >> Self.segmentShift)
        let capacity = capacities[segment]
        let table = slots[segment]
        let words = State.wordCount
        let key = state.word(0) | Self.occupiedBit
        var index = Self.homeSlot(hash: hash, capacity: capacity)
        while true {
            let slot = table + index * words
            if slot[0] == 0 { return nil }
            if slot[0] == key && Self.state(inSlot: slot) == state {
                return bases[segment] + index
            }
            index += 1
            if index == capacity { index = 0 }
        }
    }

    /// Every state with its global slot.
    public func forEach(_ body: (Int, State) -> Void) {
        let words = State.wordCount
        var base = 0
        for segment in 0..<Self.segmentCount {
            let table = slots[segment]
            for index in 0..<capacities[segment] {
                let slot = table + index * words
                guard slot[0] != 0 else { continue }
                body(base + index, Self.state(inSlot: slot))
            }
            base += capacities[segment]
        }
    }

    /// Every state whose global slot is in `range`, in slot order or its reverse.
    public func forEach(slots range: Range<Int>, reversed: Bool, _ body: (Int, State) -> Void) {
        guard !range.isEmpty else { return }
        let words = State.wordCount
        // Segments overlapping the range, in the order asked for.
        var segments = (0..<Self.segmentCount).filter { bases[$0] < range.upperBound && bases[$0 + 1] > range.lowerBound }
        if reversed { segments.reverse() }
        for segment in segments {
            let table = slots[segment]
            let low = max(range.lowerBound, bases[segment]) - bases[segment]
            let high = min(range.upperBound, bases[segment + 1]) - bases[segment]
            for index in reversed ? stride(from: high - 1, through: low, by: -1) : stride(from: low, through: high - 1, by: 1) {
                let slot = table + index * words
                guard slot[0] != 0 else { continue }
                body(bases[segment] + index, Self.state(inSlot: slot))
            }
        }
    }

    /// Frees the slot memory; the set is empty and unusable afterwards.
    public func free() {
        guard !isFreed else { return }
        isFreed = true
        for segment in 0..<Self.segmentCount {
            ledger.free(slots[segment], count: capacities[segment] * State.wordCount)
        }
    }
}
