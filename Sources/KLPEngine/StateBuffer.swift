/// A growable array of packed states in ledger-accounted memory.
///
/// A value with manual lifetime: the engine keeps these in worker contexts
/// and frontiers and frees them explicitly, so appending costs no ARC.
///
/// - Complexity: `append` is amortised O(1); growth doubles the capacity.
@frozen
public struct StateBuffer<State: PackedState>: @unchecked Sendable {
    @usableFromInline var base: UnsafeMutablePointer<State>?
    @usableFromInline var capacity: Int
    /// Number of states held.
    @usableFromInline var storedCount: Int
    /// (see `count`)
    @inlinable public var count: Int { storedCount }

    /// An empty buffer; it allocates on first append.
    @inlinable public init() {
        base = nil
        capacity = 0
        storedCount = 0
    }

    /// Appends `state`; returns false (and drops nothing already held) when
    /// the ledger refuses to grow the buffer.
    @inlinable @inline(__always)
    public mutating func append(_ state: State, ledger: MemoryLedger) -> Bool {
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
    @inlinable public subscript(index: Int) -> State { base.unsafelyUnwrapped[index] }

    /// Empties the buffer, keeping its memory.
    @inlinable public mutating func removeAll() { storedCount = 0 }

    /// Frees the memory.
    public mutating func free(ledger: MemoryLedger) {
        if let base { ledger.free(base, count: capacity) }
        base = nil
        capacity = 0
        storedCount = 0
    }
}

/// A block of states: memory from the ledger and how many it holds.
@frozen
public struct StateBlock<State: PackedState>: @unchecked Sendable {
    /// The states.
    public let base: UnsafeMutablePointer<State>
    /// How many it holds.
    public let count: Int
    /// How many it can hold (what the ledger accounted).
    public let capacity: Int
}

/// A next-level buffer made of blocks, so that growing never copies and
/// never holds twice the memory; blocks grow geometrically up to a cap.
///
/// - Complexity: `append` is O(1); a new block every `capacity` appends.
@frozen
public struct StateBlockList<State: PackedState>: @unchecked Sendable {
    @usableFromInline var sealed: [StateBlock<State>] = []
    @usableFromInline var current: UnsafeMutablePointer<State>?
    @usableFromInline var currentCount = 0
    @usableFromInline var currentCapacity = 0

    /// The smallest and largest blocks, in states.
    static var firstBlock: Int { 1024 }
    static var largestBlock: Int { 1 << 16 }

    /// An empty list.
    @inlinable public init() {}

    /// Appends `state`; false when the ledger refuses a new block.
    @inlinable @inline(__always)
    public mutating func append(_ state: State, ledger: MemoryLedger) -> Bool {
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
    public mutating func takeBlocks() -> [StateBlock<State>] {
        if let current { sealed.append(StateBlock(base: current, count: currentCount, capacity: currentCapacity)) }
        defer { self = StateBlockList() }
        return sealed
    }

    /// Frees every block.
    public mutating func free(ledger: MemoryLedger) {
        for block in takeBlocks() { ledger.free(block.base, count: block.capacity) }
    }
}

/// One BFS level: the blocks the workers filled, read as one sequence.
public struct Frontier<State: PackedState>: @unchecked Sendable {
    /// The non-empty blocks.
    public var blocks: [StateBlock<State>]
    /// Prefix sums of the block counts.
    @usableFromInline var starts: [Int]
    /// Blocks before this one have been freed.
    var freedBlocks = 0

    /// A frontier over `blocks`; empty blocks are freed at once.
    public init(blocks: [StateBlock<State>], ledger: MemoryLedger) {
        var kept: [StateBlock<State>] = []
        for block in blocks {
            if block.count > 0 { kept.append(block) } else { ledger.free(block.base, count: block.capacity) }
        }
        self.blocks = kept
        var starts: [Int] = []
        var total = 0
        for block in kept {
            starts.append(total)
            total += block.count
        }
        starts.append(total)
        self.starts = starts
    }

    /// Total number of states.
    public var count: Int { starts.last ?? 0 }

    /// Calls `body` with each state in `range` (positions in the whole level).
    @inlinable
    public func forEach(in range: Range<Int>, _ body: (State) -> Void) {
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
    public mutating func freeBlocks(before position: Int, ledger: MemoryLedger) {
        while freedBlocks < blocks.count && starts[freedBlocks + 1] <= position {
            ledger.free(blocks[freedBlocks].base, count: blocks[freedBlocks].capacity)
            freedBlocks += 1
        }
    }

    /// Frees every block not freed yet.
    public mutating func free(ledger: MemoryLedger) {
        freeBlocks(before: Int.max, ledger: ledger)
        blocks = []
        starts = [0]
        freedBlocks = 0
    }
}
