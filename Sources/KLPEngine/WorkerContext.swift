/// The best violation candidate of one property within one BFS level.
///
/// Candidates are compared by (predecessor, action, state), so the one kept
/// does not depend on which thread found what first: traces are the same
/// for any thread count.
@usableFromInline
struct ViolationCandidate<State: PackedState> {
    @usableFromInline var isSet: Bool
    @usableFromInline var predecessor: State
    @usableFromInline var action: UInt32
    @usableFromInline var state: State
    /// True for a step violation (the step itself is the last step of the
    /// trace); false for an invariant broken by `state`.
    @usableFromInline var isStep: Bool

    @inlinable
    init(isSet: Bool, predecessor: State, action: UInt32, state: State, isStep: Bool) {
        self.isSet = isSet
        self.predecessor = predecessor
        self.action = action
        self.state = state
        self.isStep = isStep
    }

    @inlinable static var empty: ViolationCandidate {
        ViolationCandidate(isSet: false, predecessor: .zero, action: 0, state: .zero, isStep: false)
    }

    /// A state that breaks an invariant: keyed by the state alone, since the
    /// trace reconstruction picks the canonical predecessor.
    @inlinable static func invariant(_ state: State) -> ViolationCandidate {
        ViolationCandidate(isSet: true, predecessor: .zero, action: 0, state: state, isStep: false)
    }

    @inlinable func precedes(_ other: ViolationCandidate) -> Bool {
        guard other.isSet else { return true }
        if predecessor != other.predecessor { return predecessor < other.predecessor }
        if action != other.action { return action < other.action }
        return state < other.state
    }
}

/// Per-thread scratch: everything a worker touches in the hot loop.
@usableFromInline
struct WorkerContext<State: PackedState> {
    /// The worker's index, which it passes to the visited set.
    @usableFromInline let worker: Int
    @usableFromInline var sink: SuccessorSink<State>
    @usableFromInline var next: StateBlockList<State>
    @usableFromInline var deferred: StateBuffer<State>
    @usableFromInline var transitions: UInt64 = 0
    @usableFromInline var newStates: UInt64 = 0
    /// For a model that folds states: the full-space states and
    /// transitions that the states this worker expanded stand for.
    @usableFromInline var representedStates: Double = 0
    @usableFromInline var representedTransitions: Double = 0
    @usableFromInline var outOfMemory = false
    @usableFromInline var found: PropertySet = []
    @usableFromInline var candidates: UnsafeMutablePointer<ViolationCandidate<State>>
    /// A small direct-mapped cache of states this worker inserted or found
    /// lately: every state in it is in the visited set, so a hit answers
    /// "seen" without a probe into the big table. Siblings in a frontier
    /// share many successors (commuting steps), which makes hits common.
    @usableFromInline var recentStates: UnsafeMutablePointer<State>
    /// Per entry: a tag from the hash, 0 when empty.
    @usableFromInline var recentTags: UnsafeMutablePointer<UInt32>

    /// Entries of the recent-states cache.
    @inlinable static var recentCapacity: Int { 1 << 15 }

    @inlinable
    init(worker: Int, sinkCapacity: Int) {
        self.worker = worker
        sink = SuccessorSink(capacity: sinkCapacity)
        next = StateBlockList()
        deferred = StateBuffer()
        candidates = .allocate(capacity: 64)
        candidates.initialize(repeating: .empty, count: 64)
        recentStates = .allocate(capacity: Self.recentCapacity)
        recentStates.initialize(repeating: .zero, count: Self.recentCapacity)
        recentTags = .allocate(capacity: Self.recentCapacity)
        recentTags.initialize(repeating: 0, count: Self.recentCapacity)
    }

    @inlinable mutating func offer(_ candidate: ViolationCandidate<State>, for properties: PropertySet) {
        for index in properties.indices where candidate.precedes(candidates[index]) {
            candidates[index] = candidate
        }
        found.formUnion(properties)
    }

    /// Frees everything the context holds: called once, by its owner
    /// `WorkerContexts`, which is why the fields above need no frees of
    /// their own anywhere else.
    @usableFromInline
    mutating func release(ledger: MemoryLedger) {
        sink.deallocate()
        next.free(ledger: ledger)
        deferred.free(ledger: ledger)
        candidates.deinitialize(count: 64)
        candidates.deallocate()
        recentStates.deallocate()
        recentTags.deallocate()
    }
}

/// The workers' contexts of one search, and their only owner: it allocates
/// each on cache lines of its own and frees each, with all it holds, in its
/// deinit.
@usableFromInline
final class WorkerContexts<State: PackedState> {
    @usableFromInline let contexts: UnsafeMutablePointer<UnsafeMutablePointer<WorkerContext<State>>>
    @usableFromInline let count: Int
    @usableFromInline let ledger: MemoryLedger

    /// Two cache lines, so that adjacent-line prefetching cannot couple workers either.
    @inlinable static var cacheLine: Int { 128 }

    /// `count` fresh contexts whose sinks hold `sinkCapacity` successors;
    /// their next levels take memory from `ledger`.
    @inlinable
    init(count: Int, sinkCapacity: Int, ledger: MemoryLedger) {
        self.count = count
        self.ledger = ledger
        contexts = .allocate(capacity: count)
        for worker in 0..<count {
            // Each worker's context on cache lines of its own: the workers
            // write their counters on every state, and sharing a line would
            // make the two cores fight over it.
            let bytes = (MemoryLayout<WorkerContext<State>>.stride + Self.cacheLine - 1) / Self.cacheLine * Self.cacheLine
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Self.cacheLine)
            let context = raw.bindMemory(to: WorkerContext<State>.self, capacity: 1)
            context.initialize(to: WorkerContext(worker: worker, sinkCapacity: sinkCapacity))
            contexts[worker] = context
        }
    }

    deinit {
        for worker in 0..<count {
            let context = contexts[worker]
            context.pointee.release(ledger: ledger)
            context.deinitialize(count: 1)
            UnsafeMutableRawPointer(context).deallocate()
        }
        contexts.deallocate()
    }

    /// Worker `worker`'s context, valid while this owner lives.
    @inlinable
    subscript(worker: Int) -> UnsafeMutablePointer<WorkerContext<State>> { contexts[worker] }
}

/// A violation the search found, at the BFS level of its last state.
@usableFromInline
struct FoundViolation<State: PackedState> {
    @usableFromInline var level: Int
    @usableFromInline var candidate: ViolationCandidate<State>

    @inlinable
    init(level: Int, candidate: ViolationCandidate<State>) {
        self.level = level
        self.candidate = candidate
    }
}

