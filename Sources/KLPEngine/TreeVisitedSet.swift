import CKLPSupport
import Dispatch

/// An exact visited set for states of 2, 4 or 8 words that stores each
/// state as a binary tree of shared nodes (tree compression, after
/// Laarman, van de Pol and Weber, "Parallel recursive state compression
/// for free", 2011).
///
/// The leaves are the state's words, kept once each in a leaf table (the
/// zero word is not stored: its index is 0). Each inner node is a pair of
/// 31-bit indices into the table of the level below, and the root table
/// holds, per state, the pair of its two halves' indices: one 64-bit slot.
/// States share their halves, and the halves their quarters, so a state
/// costs its root slot plus the few nodes it does not share: about 8 bytes
/// over the root's load factor when a model's words take few distinct
/// values, against `8 × words` over the load factor in the hash set.
///
/// Every table is a `NodeTable`: lock-free, its insert a compare-and-swap
/// that answers "new or seen" and the index; the root's answer is the
/// set's. Entries sit where a hash of their content puts them (the root's
/// is the state's own `hash64`, so the search's prefetch reaches it), so
/// when a table grows and its indices change, the level above rewrites its
/// pairs in place and nothing else moves. The root grows in steps of about
/// 1.2 (load 0.72 to 0.88, never above 0.93): at 8 bytes a slot, memory
/// stays near 10 bytes per state; the smaller tables grow at 0.75 to 0.5.
///
/// - Complexity: `insert` is expected O(`words`) probes, one per table
///   level node; growing a table level is linear in it and in the level
///   above.
public final class TreeVisitedSet<State: PackedState>: VisitedSet, @unchecked Sendable {
    /// `tables[0]` the leaves, `tables[depth]` the root.
    @usableFromInline let tables: UnsafeMutablePointer<NodeTable>
    /// log2 of the state's words: the root's level.
    @usableFromInline let depth: Int
    @usableFromInline let ledger: MemoryLedger
    @usableFromInline var isFreed = false
    /// The first global slot of each root segment, and the total at the end.
    @usableFromInline var bases: [Int] = []

    /// The flag bit of an inner or root entry, so that no entry is 0.
    @inlinable static var occupiedBit: UInt64 { 1 << 63 }

    /// The kind: `.tree`.
    public var kind: VisitedKind { .tree }
    /// Exact.
    public var isExact: Bool { true }

    /// Whether a state of `words` words can be stored: 2, 4 or 8.
    @inlinable
    public static func supports(words: Int) -> Bool { words == 2 || words == 4 || words == 8 }

    /// Creates an empty set, or nil when the state's width is not 2, 4 or
    /// 8 words or the ledger refuses the first bytes.
    public init?(ledger: MemoryLedger, initialSegmentCapacity: Int = 512) {
        guard Self.supports(words: State.wordCount) else { return nil }
        self.ledger = ledger
        depth = State.wordCount.trailingZeroBitCount
        tables = .allocate(capacity: depth + 1)
        for level in 0...depth {
            let isRoot = level == depth
            guard
                let table = NodeTable(
                    ledger: ledger, initialCapacity: initialSegmentCapacity,
                    growAboveLoad: isRoot ? 0.88 : 0.75, loadAfterGrowth: isRoot ? 0.72 : 0.5, hardLoad: isRoot ? 0.93 : 0.9)
            else {
                for earlier in 0..<level { tables[earlier].free(ledger: ledger) }
                // Every stored property is set, so deinit runs: it
                // deallocates `tables`, and must not free them again.
                isFreed = true
                return nil
            }
            (tables + level).initialize(to: table)
        }
        rebuildBases()
    }

    deinit {
        free()
        tables.deallocate()
    }

    /// Number of states held.
    public var count: Int { tables[depth].count }

    /// Bytes of every table's slots.
    public var memoryBytes: Int { (0...depth).reduce(0) { $0 + tables[$1].capacity * 8 } }

    // MARK: Hashes of content

    /// The content hash of a leaf.
    @inlinable @inline(__always)
    static func leafHash(_ word: UInt64) -> UInt64 { mix64(word) }

    /// The content hash of an inner node from its halves' content hashes.
    @inlinable @inline(__always)
    static func nodeHash(_ left: UInt64, _ right: UInt64) -> UInt64 {
        mix64(left ^ (right &* 0x9e37_79b9_7f4a_7c15) &+ 0x632b_e59b_d9b4_e019)
    }

    /// The entry of an inner or root node over the halves `left` and `right`.
    @inlinable @inline(__always)
    static func pair(_ left: Int, _ right: Int) -> UInt64 {
        occupiedBit | UInt64(truncatingIfNeeded: left) << 32 | UInt64(truncatingIfNeeded: right)
    }

    // MARK: Insert

    /// The leaf index of `word` (inserting it), or -1 without room.
    @inlinable @inline(__always)
    func leaf(_ word: UInt64, hash: UInt64, worker: Int) -> Int {
        if word == 0 { return 0 }
        let answer = tables[0].insert(word, hash: hash, worker: worker)
        return answer == 0 ? -1 : Int(answer.magnitude)
    }

    /// The index of the node of `level` over `left` and `right` (inserting
    /// it), or -1 without room or when a half had none.
    @inlinable @inline(__always)
    func node(level: Int, _ left: Int, _ right: Int, hash: UInt64, worker: Int) -> Int {
        if left < 0 || right < 0 { return -1 }
        let answer = tables[level].insert(Self.pair(left, right), hash: hash, worker: worker)
        return answer == 0 ? -1 : Int(answer.magnitude)
    }

    /// Prefetches the state's root slot and its leaves' slots.
    @inlinable @inline(__always)
    public func prefetch(_ state: State, hash: UInt64) {
        tables[depth].prefetch(hash: hash)
        for word in 0..<State.wordCount {
            let value = state.word(word)
            if value != 0 { tables[0].prefetch(hash: Self.leafHash(value)) }
        }
    }

    /// Test-and-set insert: the leaves, the inner nodes, then the root,
    /// whose answer is the set's. Nodes stored before a table ran out of
    /// room stay (they are found again when the state is retried).
    @inlinable @inline(__always)
    public func insert(_ state: State, hash: UInt64, worker: Int) -> InsertOutcome {
        let left: Int
        let right: Int
        switch State.wordCount {
        case 2:
            let w0 = state.word(0)
            let w1 = state.word(1)
            left = leaf(w0, hash: Self.leafHash(w0), worker: worker)
            right = leaf(w1, hash: Self.leafHash(w1), worker: worker)
        case 4:
            (left, _) = quarterPair(state, from: 0, worker: worker)
            (right, _) = quarterPair(state, from: 2, worker: worker)
        default:
            let (a, ha) = quarterPair(state, from: 0, worker: worker)
            let (b, hb) = quarterPair(state, from: 2, worker: worker)
            let (c, hc) = quarterPair(state, from: 4, worker: worker)
            let (d, hd) = quarterPair(state, from: 6, worker: worker)
            left = node(level: 2, a, b, hash: Self.nodeHash(ha, hb), worker: worker)
            right = node(level: 2, c, d, hash: Self.nodeHash(hc, hd), worker: worker)
        }
        if left < 0 || right < 0 { return .deferred }
        let answer = tables[depth].insert(Self.pair(left, right), hash: hash, worker: worker)
        return answer == 0 ? .deferred : answer < 0 ? .new : .seen
    }

    /// The level-1 node over words `first` and `first + 1` (inserted), and its content hash.
    @inlinable @inline(__always)
    func quarterPair(_ state: State, from first: Int, worker: Int) -> (index: Int, hash: UInt64) {
        let w0 = state.word(first)
        let w1 = state.word(first + 1)
        let h0 = Self.leafHash(w0)
        let h1 = Self.leafHash(w1)
        let hash = Self.nodeHash(h0, h1)
        let index = node(
            level: 1, leaf(w0, hash: h0, worker: worker), leaf(w1, hash: h1, worker: worker), hash: hash, worker: worker)
        return (index, hash)
    }

    // MARK: Lookup and walking

    /// The index of the node of `level` over words `first ..< first + 2^level`
    /// of `words`, and its content hash; index -1 when absent.
    @inlinable
    func find(level: Int, _ state: State, from first: Int) -> (index: Int, hash: UInt64) {
        if level == 0 {
            let word = state.word(first)
            let hash = Self.leafHash(word)
            if word == 0 { return (0, hash) }
            let index = tables[0].find(word, hash: hash)
            return (index == 0 ? -1 : index, hash)
        }
        let half = 1 << (level - 1)
        let left = find(level: level - 1, state, from: first)
        let right = find(level: level - 1, state, from: first + half)
        let hash = Self.nodeHash(left.hash, right.hash)
        guard left.index >= 0, right.index >= 0 else { return (-1, hash) }
        let index = tables[level].find(Self.pair(left.index, right.index), hash: hash)
        return (index == 0 ? -1 : index, hash)
    }

    /// Writes the words of node `index` of `level` to `words`.
    @inlinable
    func unpack(level: Int, index: Int, into words: UnsafeMutablePointer<UInt64>) {
        if level == 0 {
            words.pointee = index == 0 ? 0 : tables[0].entry(at: index)
            return
        }
        let entry = tables[level].entry(at: index)
        unpack(level: level - 1, index: Int(entry >> 32 & 0x7fff_ffff), into: words)
        unpack(level: level - 1, index: Int(entry & 0xffff_ffff), into: words + (1 << (level - 1)))
    }

    /// The content hash of node `index` of `level` (below the root).
    @usableFromInline
    func contentHash(level: Int, index: Int) -> UInt64 {
        if level == 0 { return Self.leafHash(index == 0 ? 0 : tables[0].entry(at: index)) }
        let entry = tables[level].entry(at: index)
        return Self.nodeHash(
            contentHash(level: level - 1, index: Int(entry >> 32 & 0x7fff_ffff)),
            contentHash(level: level - 1, index: Int(entry & 0xffff_ffff)))
    }

    /// The state a root entry stands for.
    @inlinable
    func state(root entry: UInt64) -> State {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: State.wordCount) { buffer in
            let words = buffer.baseAddress!
            let half = State.wordCount / 2
            unpack(level: depth - 1, index: Int(entry >> 32 & 0x7fff_ffff), into: words)
            unpack(level: depth - 1, index: Int(entry & 0xffff_ffff), into: words + half)
            return State(words: words)
        }
    }

    /// The content hash of an inner entry of `level` (for growing its table).
    @usableFromInline
    func contentHash(level: Int, entry: UInt64) -> UInt64 {
        if level == 0 { return Self.leafHash(entry) }
        if level == depth { return state(root: entry).hash64 }
        return Self.nodeHash(
            contentHash(level: level - 1, index: Int(entry >> 32 & 0x7fff_ffff)),
            contentHash(level: level - 1, index: Int(entry & 0xffff_ffff)))
    }

    // MARK: Growth

    /// Grows every table level above its growth load, leaves first (so that
    /// each level's content hashes read settled levels below), rewriting
    /// the indices of the level above after each; then grants each of
    /// `threads` workers its share of every table's room.
    public func prepareForInserts(threads: Int) -> Bool {
        for level in 0...depth { tables[level].room.settle() }
        defer {
            for level in 0...depth {
                tables[level].room.setWorkers(threads)
                tables[level].room.grant()
            }
            rebuildBases()
        }
        for level in 0...depth {
            let table = tables[level]
            let growing = table.segmentsToGrow()
            if growing.isEmpty { continue }
            let isRoot = level == depth
            // Old slot -> new slot of each growing segment, for the level above.
            let oldCapacities = (0..<NodeTable.segmentCount).map { table.capacities[$0] }
            var maps = [UnsafeMutablePointer<UInt32>?](repeating: nil, count: NodeTable.segmentCount)
            var refused = false
            var plan: [(segment: Int, capacity: Int)] = []
            for item in growing {
                if !isRoot {
                    guard let map = ledger.allocate(UInt32.self, count: oldCapacities[item.segment]) else {
                        refused = true
                        break
                    }
                    maps[item.segment] = map
                }
                plan.append(item)
            }
            let failures = growSegments(plan, level: level, maps: maps, threads: threads)
            // A segment that did not grow keeps its slots: no map for it.
            for (segment, _) in failures {
                if let map = maps[segment] { ledger.free(map, count: oldCapacities[segment]) }
                maps[segment] = nil
            }
            if !isRoot {
                tables[level + 1].remap(children: maps, threads: threads)
                for segment in 0..<NodeTable.segmentCount {
                    if let map = maps[segment] { ledger.free(map, count: oldCapacities[segment]) }
                }
            }
            if refused || !failures.isEmpty { return false }
        }
        return true
    }

    /// Grows the segments of `plan` at `level`, on up to `threads` threads;
    /// the ones that could not grow.
    @usableFromInline
    func growSegments(
        _ plan: [(segment: Int, capacity: Int)], level: Int, maps: [UnsafeMutablePointer<UInt32>?], threads: Int
    ) -> [(segment: Int, capacity: Int)] {
        let table = tables[level]
        let hash: (UInt64) -> UInt64 = { [unowned self] entry in self.contentHash(level: level, entry: entry) }
        if threads <= 1 || plan.count == 1 {
            return plan.filter { !table.grow(segment: $0.segment, to: $0.capacity, ledger: ledger, map: maps[$0.segment], contentHash: hash) }
        }
        // Segments are independent: grow them side by side, largest first.
        let queue = plan.sorted { $0.capacity > $1.capacity }
        nonisolated(unsafe) let failed = UnsafeMutablePointer<UInt64>.allocate(capacity: queue.count + 1)
        defer { failed.deallocate() }
        failed.initialize(repeating: 0, count: queue.count + 1)
        nonisolated(unsafe) let shared = (table: table, maps: maps, hash: hash, ledger: ledger)
        DispatchQueue.concurrentPerform(iterations: min(threads, queue.count)) { _ in
            while true {
                let next = Int(klp_fetch_add(failed + queue.count, 1))
                guard next < queue.count else { break }
                let item = queue[next]
                if !shared.table.grow(
                    segment: item.segment, to: item.capacity, ledger: shared.ledger, map: shared.maps[item.segment],
                    contentHash: shared.hash)
                {
                    failed[next] = 1
                }
            }
        }
        return queue.indices.filter { failed[$0] != 0 }.map { queue[$0] }
    }

    @usableFromInline
    func rebuildBases() {
        let root = tables[depth]
        var total = 0
        bases = (0..<NodeTable.segmentCount).map { segment in
            defer { total += root.capacities[segment] }
            return total
        }
        bases.append(total)
    }

    // MARK: Slots

    /// Number of root slots: a state's slot is its root slot.
    public var slotCount: Int { bases.last ?? 0 }

    /// The global root slot of `state`, or nil.
    @inlinable
    public func slot(of state: State) -> Int? {
        let half = State.wordCount / 2
        let left = find(level: depth - 1, state, from: 0)
        let right = find(level: depth - 1, state, from: half)
        guard left.index >= 0, right.index >= 0 else { return nil }
        let index = tables[depth].find(Self.pair(left.index, right.index), hash: state.hash64)
        guard index > 0 else { return nil }
        let position = index - 1
        return bases[position >> NodeTable.slotBits] + position & (1 << NodeTable.slotBits - 1)
    }

    /// Every state with its global slot.
    @inlinable
    public func forEach(_ body: (Int, State) -> Void) {
        forEach(slots: 0..<slotCount, reversed: false, body)
    }

    /// Every state whose global slot is in `range`, in slot order or its reverse.
    @inlinable
    public func forEach(slots range: Range<Int>, reversed: Bool, _ body: (Int, State) -> Void) {
        guard !range.isEmpty else { return }
        let root = tables[depth]
        var segments = (0..<NodeTable.segmentCount).filter { bases[$0] < range.upperBound && bases[$0 + 1] > range.lowerBound }
        if reversed { segments.reverse() }
        for segment in segments {
            let table = root.slots[segment]
            let first = max(range.lowerBound, bases[segment]) - bases[segment]
            let last = min(range.upperBound, bases[segment + 1]) - bases[segment]
            for index in reversed ? stride(from: last - 1, through: first, by: -1) : stride(from: first, through: last - 1, by: 1) {
                let entry = table[index]
                guard entry != 0 else { continue }
                body(bases[segment] + index, state(root: entry))
            }
        }
    }

    /// Frees every table; the set is empty and unusable afterwards.
    public func free() {
        guard !isFreed else { return }
        isFreed = true
        for level in 0...depth { tables[level].free(ledger: ledger) }
    }
}
