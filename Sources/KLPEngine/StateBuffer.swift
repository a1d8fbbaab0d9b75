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

    /// The states, copied into an array (for tests and traces, not hot paths).
    public var array: [State] { (0..<count).map { self[$0] } }
}

/// One BFS level: the buffers the workers filled, read as one sequence.
public struct Frontier<State: PackedState>: @unchecked Sendable {
    /// The buffers, in worker order.
    public var segments: [StateBuffer<State>]
    /// Prefix sums of the segment counts.
    @usableFromInline var starts: [Int]

    /// A frontier over `segments`.
    public init(segments: [StateBuffer<State>]) {
        self.segments = segments.filter { $0.count > 0 }
        var starts: [Int] = []
        var total = 0
        for segment in self.segments {
            starts.append(total)
            total += segment.count
        }
        starts.append(total)
        self.starts = starts
    }

    /// Total number of states.
    public var count: Int { starts.last ?? 0 }

    /// Calls `body` with each state in `range` (positions in the whole level).
    @inlinable
    public func forEach(in range: Range<Int>, _ body: (State) -> Void) {
        var segment = 0
        while starts[segment + 1] <= range.lowerBound { segment += 1 }
        var position = range.lowerBound
        while position < range.upperBound {
            let buffer = segments[segment]
            let offset = position - starts[segment]
            let end = min(range.upperBound - starts[segment], buffer.count)
            for index in offset..<end { body(buffer[index]) }
            position = starts[segment] + end
            segment += 1
        }
    }

    /// Every state, copied into an array.
    public var array: [State] { segments.flatMap { $0.array } }

    /// Frees every segment.
    public mutating func free(ledger: MemoryLedger) {
        for index in segments.indices { segments[index].free(ledger: ledger) }
        segments = []
        starts = [0]
    }
}
