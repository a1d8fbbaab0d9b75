import CKLPSupport
import Dispatch

/// An exact visited set: open addressing with linear probing, split into
/// 32 segments that grow separately.
///
/// Each slot holds a state's words, word 0 tagged with an "occupied" bit, so
/// the table stores the states themselves: no pointers, no parent links.
/// Inserts are lock-free (a compare-and-swap claims an empty slot). A segment
/// never grows during a round: between rounds, each worker is granted its
/// share of every segment's room below the hard load limit; an insert that
/// finds its share used up answers `.deferred`, and the explorer grows the
/// segment between rounds. The grants are per worker, in rows of their own,
/// so that counting a new state never writes a cache line another core
/// writes too. Growing a segment at a time keeps the transient memory of a
/// rehash to a segment or two instead of doubling the whole table, and
/// segments large enough (2 MiB) live on transparent huge pages, so random
/// probes rarely miss the TLB. Capacities are not powers of two (a
/// multiply-shift maps hashes to slots), so the load factor after a search
/// stays between 0.55 and 0.9 (0.2 and 0.5 when paged).
///
/// How a slot is keyed is the static strategy `Keying`: `PlainKeying`
/// stores a state per slot (`HashVisitedSet`), `PagedKeying` a page of
/// states per slot (`PagedVisitedSet`). Every probe walks a `BucketIterator`.
///
/// - Complexity: `insert` is expected O(1) at the load factors used.
public final class OpenAddressingSet<Keying: HashKeying>: VisitedSet, @unchecked Sendable {
    /// The packed state.
    public typealias State = Keying.State
    @inlinable static var segmentShift: UInt64 { 59 }
    @inlinable static var segmentCount: Int { SegmentRoom.segmentCount }
    @inlinable static var occupiedBit: UInt64 { 1 << 63 }
    @inlinable static var busyBit: UInt64 { 1 << 62 }
    @usableFromInline let slots: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    @usableFromInline let capacities: UnsafeMutablePointer<Int>
    /// Each worker's room per segment, the segments' hard limits and what
    /// they held at the round's start. Pointers only: a stored `var` on a
    /// class would cost a dynamic exclusivity check on every insert.
    @usableFromInline let room: SegmentRoom
    /// Words per slot: the state's, plus the page bitmap when paged.
    @inlinable var slotWords: Int { Keying.slotWords }
    /// The keying: the page field, when paged.
    @usableFromInline let keying: Keying
    /// Bits of the page field (0: not paged).
    @inlinable var pageBits: Int { keying.pageBits }
    @usableFromInline let ledger: MemoryLedger
    @usableFromInline var isFreed = false
    /// The first global slot of each segment, and the total at the end;
    /// rebuilt whenever a segment grows.
    @usableFromInline var bases: [Int] = []

    /// The kind: `.hash`, or `.paged` with a page field.
    public var kind: VisitedKind { Keying.isPaged ? .paged : .hash }
    /// Exact.
    public var isExact: Bool { true }

    /// Creates an empty set (over `page` when paged), or nil when the
    /// keying refuses `page` or the ledger refuses the first bytes.
    public init?(ledger: MemoryLedger, initialSegmentCapacity: Int = 512, page: PageField? = nil) {
        guard let keying = Keying(page: page) else { return nil }
        self.keying = keying
        self.ledger = ledger
        let slotWords = Keying.slotWords
        let n = Self.segmentCount
        slots = .allocate(capacity: n)
        capacities = .allocate(capacity: n)
        room = SegmentRoom()
        capacities.initialize(repeating: 0, count: n)
        for segment in 0..<n {
            guard let table = ledger.allocate(UInt64.self, count: initialSegmentCapacity * slotWords, zeroed: true)
            else {
                for earlier in 0..<segment { ledger.free(slots[earlier], count: capacities[earlier] * slotWords) }
                // Every stored property is set, so deinit runs: it deallocates
                // the arrays, and must not free the tables again.
                isFreed = true
                return nil
            }
            slots[segment] = table
            capacities[segment] = initialSegmentCapacity
            room.hardLimits[segment] = Int(Double(initialSegmentCapacity) * Keying.hardLoad)
        }
        rebuildBases()
        room.grant()
    }

    deinit {
        free()
        slots.deallocate()
        capacities.deallocate()
        room.deallocate()
    }

    /// Number of states held.
    public var count: Int {
        guard !Keying.isPaged else {
            var states = 0
            forEachSlot { _, slot in states += slot[State.wordCount].nonzeroBitCount }
            return states
        }
        return slotsHeld
    }

    /// Number of slots in use.
    var slotsHeld: Int { room.held }

    /// Bytes of slot memory held.
    public var memoryBytes: Int {
        (0..<Self.segmentCount).reduce(0) { $0 + capacities[$1] * slotWords * 8 }
    }

    /// The hash inserts take: that of the key, so that a page's states
    /// share a slot.
    @inlinable @inline(__always)
    public func hash(of state: State) -> UInt64 { keying.key(of: state).hash64 }

    /// Prefetches the state's home slot: its last word too when slots can
    /// straddle two cache lines (a paged two-word state's slot is 24 bytes,
    /// so one slot in four does), since the insert reads every word.
    @inlinable @inline(__always)
    public func prefetch(_ state: State, hash: UInt64) {
        let segment = Int(truncatingIfNeeded: hash >> Self.segmentShift)
        let slot = slots[segment] + BucketIterator.home(hash: hash, capacity: capacities[segment]) &* slotWords
        klp_prefetch(slot)
        if 64 % (slotWords &* 8) != 0 { klp_prefetch(slot + (slotWords &- 1)) }
    }

    /// Test-and-set insert; `hash` is `hash(of: state)`.
    @inlinable @inline(__always)
    public func insert(_ state: State, hash: UInt64, worker: Int) -> InsertOutcome {
        let segment = Int(truncatingIfNeeded: hash >> Self.segmentShift)
        let left = room.left(worker: worker, segment: segment)
        if left.pointee <= 0 { return .deferred }
        let table = slots[segment]
        let words = State.wordCount
        let stride = Keying.slotWords
        let paged = Keying.isPaged
        let keyState = keying.key(of: state)
        let offset = keying.offset(of: state)
        let bit: UInt64 = paged ? 1 << UInt64(offset) : 0
        let key = keyState.word(0) | Self.occupiedBit
        var probe = BucketIterator(hash: hash, capacity: capacities[segment])
        while true {
            let slot = table + probe.bucket &* stride
            var found = klp_load_acquire(slot)
            if found == 0 {
                if words == 1 {
                    found = klp_cas(slot, 0, key)
                    if found == 0 {
                        left.pointee &-= 1
                        // Another worker may have set the same bit since the claim.
                        guard paged else { return .new }
                        return klp_test_and_set_bit(slot + 1, offset) ? .seen : .new
                    }
                } else {
                    found = klp_cas(slot, 0, key | Self.busyBit)
                    if found == 0 {
                        for word in 1..<words { slot[word] = keyState.word(word) }
                        klp_store_release(slot, key)
                        left.pointee &-= 1
                        guard paged else { return .new }
                        return klp_test_and_set_bit(slot + words, offset) ? .seen : .new
                    }
                }
            }
            if words > 1 {
                while found & Self.busyBit != 0 { found = klp_load_acquire(slot) }
            }
            if found == key {
                var same = true
                if words > 1 {
                    for word in 1..<words where slot[word] != keyState.word(word) {
                        same = false
                        break
                    }
                }
                if same {
                    guard paged else { return .seen }
                    // Mostly already set: look before the locked write.
                    let bitmap = slot + words
                    if klp_load_relaxed(bitmap) & bit != 0 { return .seen }
                    return klp_test_and_set_bit(bitmap, offset) ? .seen : .new
                }
            }
            probe.advance()
        }
    }

    /// Grows every segment above the growth load, on up to `threads` threads,
    /// and grants each of `threads` workers its share of the room.
    @inlinable public func prepareForInserts(threads: Int) -> Bool {
        room.settle()
        room.setWorkers(threads)
        defer { room.grant() }
        // The hash spreads states evenly, so segments fill at one pace: when
        // one must grow, those close behind it grow in the same pass, which
        // gives the threads more segments to share and saves passes.
        let companionLoad = threads > 1 ? Keying.growAboveLoad * 0.9 : Keying.growAboveLoad
        var growing: [(segment: Int, capacity: Int)] = []
        var mustGrow = false
        for segment in 0..<Self.segmentCount {
            let held = Double(room.committed[segment])
            let capacity = Double(capacities[segment])
            if held > capacity * companionLoad {
                growing.append((segment, Int((held / Keying.loadAfterGrowth).rounded(.up)) + 1))
                if held > capacity * Keying.growAboveLoad { mustGrow = true }
            }
        }
        guard mustGrow else { return true }
        defer { rebuildBases() }
        if threads <= 1 || growing.count == 1 {
            return growing.allSatisfy { grow(segment: $0.segment, to: $0.capacity) }
        }
        // Segments are independent: grow them side by side, largest first,
        // each thread claiming the next one.
        let queue = growing.sorted { $0.capacity > $1.capacity }
        nonisolated(unsafe) let counters = UnsafeMutablePointer<UInt64>.allocate(capacity: 2)
        defer { counters.deallocate() }
        counters.initialize(repeating: 0, count: 2)
        DispatchQueue.concurrentPerform(iterations: min(threads, queue.count)) { _ in
            while true {
                let next = Int(klp_fetch_add(counters, 1))
                guard next < queue.count else { break }
                if !grow(segment: queue[next].segment, to: queue[next].capacity) { _ = klp_fetch_add(counters + 1, 1) }
            }
        }
        return counters[1] == 0
    }

    @inlinable func grow(segment: Int, to newCapacity: Int) -> Bool {
        let words = slotWords
        guard let fresh = ledger.allocate(UInt64.self, count: newCapacity * words, zeroed: true) else { return false }
        let old = slots[segment]
        let oldCapacity = capacities[segment]
        for index in 0..<oldCapacity {
            let slot = old + index * words
            guard slot[0] != 0 else { continue }
            let copy = Self.state(inSlot: slot)
            var probe = BucketIterator(hash: copy.hash64, capacity: newCapacity)
            while fresh[probe.bucket * words] != 0 { probe.advance() }
            for word in 0..<words { fresh[probe.bucket * words + word] = slot[word] }
        }
        ledger.free(old, count: oldCapacity * words)
        slots[segment] = fresh
        capacities[segment] = newCapacity
        room.hardLimits[segment] = min(Int(Double(newCapacity) * Keying.hardLoad), newCapacity - 1)
        return true
    }

    /// The state (page key, when paged) stored in an occupied slot, without its flag bits.
    @inlinable static func state(inSlot slot: UnsafeMutablePointer<UInt64>) -> State {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: State.wordCount) { buffer in
            let words = buffer.baseAddress!
            words.update(from: slot, count: State.wordCount)
            words[0] &= ~(occupiedBit | busyBit)
            return State(words: words)
        }
    }

    /// Number of slots over all segments; when paged, 2^pageBits per slot,
    /// one for each state the slot's page can hold.
    public var slotCount: Int { (bases.last ?? 0) << pageBits }

    @inlinable func rebuildBases() {
        var total = 0
        bases = (0..<Self.segmentCount).map { segment in
            defer { total += capacities[segment] }
            return total
        }
        bases.append(total)
    }

    /// The global slot of `state`, or nil.
    @inlinable
    public func slot(of state: State) -> Int? {
        let keyState = keying.key(of: state)
        let hash = keyState.hash64
        let segment = Int(truncatingIfNeeded: hash >> Self.segmentShift)
        let table = slots[segment]
        let key = keyState.word(0) | Self.occupiedBit
        var probe = BucketIterator(hash: hash, capacity: capacities[segment])
        while true {
            let slot = table + probe.bucket * Keying.slotWords
            if slot[0] == 0 { return nil }
            if slot[0] == key && Self.state(inSlot: slot) == keyState {
                guard Keying.isPaged else { return bases[segment] + probe.bucket }
                let offset = Int(keying.offset(of: state))
                guard slot[State.wordCount] & (1 << UInt64(offset)) != 0 else { return nil }
                return (bases[segment] + probe.bucket) << pageBits | offset
            }
            probe.advance()
        }
    }

    /// Every occupied slot with its global slot index (before paging).
    @inlinable
    func forEachSlot(_ body: (Int, UnsafeMutablePointer<UInt64>) -> Void) {
        var base = 0
        for segment in 0..<Self.segmentCount {
            let table = slots[segment]
            for index in 0..<capacities[segment] {
                let slot = table + index * slotWords
                if slot[0] != 0 { body(base + index, slot) }
            }
            base += capacities[segment]
        }
    }

    /// Every state with its global slot.
    @inlinable
    public func forEach(_ body: (Int, State) -> Void) {
        forEachSlot { global, slot in
            let key = Self.state(inSlot: slot)
            guard Keying.isPaged else { return body(global, key) }
            var bitmap = slot[State.wordCount]
            while bitmap != 0 {
                let offset = bitmap.trailingZeroBitCount
                bitmap &= bitmap - 1
                body(global << pageBits | offset, keying.state(key: key, offset: offset))
            }
        }
    }

    /// Every state whose global slot is in `range`, in slot order or its reverse.
    @inlinable
    public func forEach(slots range: Range<Int>, reversed: Bool, _ body: (Int, State) -> Void) {
        guard !range.isEmpty else { return }
        // Table slots holding the range's states.
        let low = range.lowerBound >> pageBits
        let high = ((range.upperBound - 1) >> pageBits) + 1
        // Segments overlapping them, in the order asked for.
        var segments = (0..<Self.segmentCount).filter { bases[$0] < high && bases[$0 + 1] > low }
        if reversed { segments.reverse() }
        let pageSize = 1 << pageBits
        for segment in segments {
            let table = slots[segment]
            let first = max(low, bases[segment]) - bases[segment]
            let last = min(high, bases[segment + 1]) - bases[segment]
            for index in reversed ? stride(from: last - 1, through: first, by: -1) : stride(from: first, through: last - 1, by: 1) {
                let slot = table + index * slotWords
                guard slot[0] != 0 else { continue }
                let global = bases[segment] + index
                let key = Self.state(inSlot: slot)
                guard Keying.isPaged else {
                    body(global, key)
                    continue
                }
                let bitmap = slot[State.wordCount]
                for step in 0..<pageSize {
                    let offset = reversed ? pageSize - 1 - step : step
                    let position = global << pageBits | offset
                    guard bitmap & (1 << UInt64(offset)) != 0, range.contains(position) else { continue }
                    body(position, keying.state(key: key, offset: offset))
                }
            }
        }
    }

    /// Frees the slot memory; the set is empty and unusable afterwards.
    public func free() {
        guard !isFreed else { return }
        isFreed = true
        for segment in 0..<Self.segmentCount {
            ledger.free(slots[segment], count: capacities[segment] * slotWords)
        }
    }
}

/// The exact visited set with a state per slot.
public typealias HashVisitedSet<State: PackedState> = OpenAddressingSet<PlainKeying<State>>

/// The exact visited set with a page of states per slot (see `PagedKeying`).
public typealias PagedVisitedSet<State: PackedState> = OpenAddressingSet<PagedKeying<State>>
