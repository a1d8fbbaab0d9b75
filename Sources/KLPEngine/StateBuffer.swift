/// A growable array of packed states in ledger-accounted memory.
///
/// A value with manual lifetime: the engine keeps these in worker contexts
/// and frontiers and frees them explicitly, so appending costs no ARC.
///
/// - Complexity: `append` is amortised O(1); growth doubles the capacity.
@frozen
@usableFromInline
struct StateBuffer<State: PackedState>: @unchecked Sendable {
    @usableFromInline var base: UnsafeMutablePointer<State>?
    @usableFromInline var capacity: Int
    /// Number of states held.
    @usableFromInline var storedCount: Int
    /// (see `count`)
    @inlinable var count: Int { storedCount }

    /// An empty buffer; it allocates on first append.
    @inlinable init() {
        base = nil
        capacity = 0
        storedCount = 0
    }

    /// Appends `state`; returns false (and drops nothing already held) when
    /// the ledger refuses to grow the buffer.
    @inlinable @inline(__always)
    mutating func append(_ state: State, ledger: MemoryLedger) -> Bool {
        if count == capacity {
            guard grow(ledger: ledger) else { return false }
        }
        base.unsafelyUnwrapped[count] = state
        storedCount += 1
        return true
    }

    @usableFromInline
    mutating func grow(ledger: MemoryLedger) -> Bool {
        let newCapacity = max(1024, capacity * 2)
        guard let fresh = ledger.allocate(State.self, count: newCapacity) else { return false }
        if let base {
            fresh.update(from: base, count: count)
            ledger.free(base, count: capacity)
        }
        base = fresh
        capacity = newCapacity
        return true
    }

    /// State `index`.
    @inlinable subscript(index: Int) -> State { base.unsafelyUnwrapped[index] }

    /// Empties the buffer, keeping its memory.
    @inlinable mutating func removeAll() { storedCount = 0 }

    /// Frees the memory.
    @inlinable
    mutating func free(ledger: MemoryLedger) {
        if let base { ledger.free(base, count: capacity) }
        base = nil
        capacity = 0
        storedCount = 0
    }
}

/// A block of states: memory from the ledger and how many it holds.
@frozen
@usableFromInline
struct StateBlock<State: PackedState>: @unchecked Sendable {
    /// The states.
    @usableFromInline
    let base: UnsafeMutablePointer<State>
    /// How many it holds.
    @usableFromInline
    let count: Int
    /// How many it can hold (what the ledger accounted).
    @usableFromInline
    let capacity: Int

    /// `count` states at `base`, in ledger memory for `capacity`.
    @inlinable
    init(base: UnsafeMutablePointer<State>, count: Int, capacity: Int) {
        self.base = base
        self.count = count
        self.capacity = capacity
    }
}

/// A next-level buffer made of blocks, so that growing never copies and
/// never holds twice the memory; blocks grow geometrically up to a cap.
///
/// - Complexity: `append` is O(1); a new block every `capacity` appends.
@frozen
@usableFromInline
struct StateBlockList<State: PackedState>: @unchecked Sendable {
    @usableFromInline var sealed: [StateBlock<State>] = []
    @usableFromInline var current: UnsafeMutablePointer<State>?
    @usableFromInline var currentCount = 0
    @usableFromInline var currentCapacity = 0

    /// The smallest and largest blocks, in states.
    @inlinable
    static var firstBlock: Int { 1024 }
    @inlinable
    static var largestBlock: Int { 1 << 16 }

    /// An empty list.
    @inlinable init() {}

    /// Appends `state`; false when the ledger refuses a new block.
    @inlinable @inline(__always)
    mutating func append(_ state: State, ledger: MemoryLedger) -> Bool {
        if currentCount == currentCapacity {
            guard newBlock(ledger: ledger) else { return false }
        }
        current.unsafelyUnwrapped[currentCount] = state
        currentCount &+= 1
        return true
    }

    @usableFromInline
    mutating func newBlock(ledger: MemoryLedger) -> Bool {
        let capacity = currentCapacity == 0 ? Self.firstBlock : min(currentCapacity * 2, Self.largestBlock)
        guard let block = ledger.allocate(State.self, count: capacity) else { return false }
        if let current { sealed.append(StateBlock(base: current, count: currentCount, capacity: currentCapacity)) }
        current = block
        currentCount = 0
        currentCapacity = capacity
        return true
    }

    /// Every block, the list left empty.
    @inlinable
    mutating func takeBlocks() -> [StateBlock<State>] {
        if let current { sealed.append(StateBlock(base: current, count: currentCount, capacity: currentCapacity)) }
        defer { self = StateBlockList() }
        return sealed
    }

    /// Frees every block.
    @inlinable
    mutating func free(ledger: MemoryLedger) {
        for block in takeBlocks() { ledger.free(block.base, count: block.capacity) }
    }
}

/// One BFS level: the blocks the workers filled, read as one sequence, in
/// parts (one per worker that filled them, in worker order).
@usableFromInline
struct Frontier<State: PackedState>: @unchecked Sendable {
    /// The non-empty blocks.
    @usableFromInline
    var blocks: [StateBlock<State>]
    /// Prefix sums of the block counts.
    @usableFromInline var starts: [Int]
    /// The positions of each part.
    @usableFromInline
    var parts: [Range<Int>]
    /// Which blocks have been freed.
    @usableFromInline
    var freed: [Bool]

    /// A frontier of one part over `blocks`; empty blocks are freed at once.
    @inlinable
    init(blocks: [StateBlock<State>], ledger: MemoryLedger) {
        self.init(parts: [blocks], ledger: ledger)
    }

    /// A frontier over `parts`, each a list of blocks; empty blocks are freed at once.
    @inlinable
    init(parts: [[StateBlock<State>]], ledger: MemoryLedger) {
        var kept: [StateBlock<State>] = []
        var starts: [Int] = []
        var ranges: [Range<Int>] = []
        var total = 0
        for part in parts {
            let first = total
            for block in part {
                if block.count > 0 {
                    kept.append(block)
                    starts.append(total)
                    total += block.count
                } else {
                    ledger.free(block.base, count: block.capacity)
                }
            }
            ranges.append(first..<total)
        }
        starts.append(total)
        self.blocks = kept
        self.starts = starts
        self.parts = ranges
        freed = Array(repeating: false, count: kept.count)
    }

    /// Total number of states.
    @inlinable
    var count: Int { starts.last ?? 0 }

    /// Calls `body` with each state in `range` (positions in the whole level).
    @inlinable
    func forEach(in range: Range<Int>, _ body: (State) -> Void) {
        guard !range.isEmpty else { return }
        var block = 0
        while starts[block + 1] <= range.lowerBound { block += 1 }
        var position = range.lowerBound
        while position < range.upperBound {
            let current = blocks[block]
            let offset = position - starts[block]
            let end = min(range.upperBound - starts[block], current.count)
            for index in offset..<end { body(current.base[index]) }
            position = starts[block] + end
            block += 1
        }
    }

    /// Frees the blocks that lie wholly before `position`: a level is
    /// consumed in order, so its memory can go while the next one grows.
    @inlinable
    mutating func freeBlocks(before position: Int, ledger: MemoryLedger) {
        for index in blocks.indices where !freed[index] && starts[index + 1] <= position {
            ledger.free(blocks[index].base, count: blocks[index].capacity)
            freed[index] = true
        }
    }

    /// Frees the blocks that lie wholly before their part's cursor: each
    /// part is consumed in order, the parts side by side.
    @inlinable
    mutating func freeBlocks(consumed cursors: [Int], ledger: MemoryLedger) {
        var part = 0
        for index in blocks.indices {
            while part < parts.count - 1 && starts[index] >= parts[part].upperBound { part += 1 }
            if !freed[index] && starts[index + 1] <= cursors[part] {
                ledger.free(blocks[index].base, count: blocks[index].capacity)
                freed[index] = true
            }
        }
    }

    /// Frees every block not freed yet.
    @inlinable
    mutating func free(ledger: MemoryLedger) {
        freeBlocks(before: Int.max, ledger: ledger)
        blocks = []
        starts = [0]
        parts = []
        freed = []
    }
}
