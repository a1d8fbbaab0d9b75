/// The answer of a visited set's test-and-set insert.
public enum InsertOutcome: Sendable {
    /// The state was not in the set; it is now.
    case new
    /// The state was already in the set (or, in bitstate mode, looked so).
    case seen
    /// The set had no room; insert again after `prepareForInserts(threads:)`.
    case deferred
}

/// Which visited set a search uses.
public enum VisitedKind: String, Codable, Sendable, CaseIterable {
    /// Bitmap when the model has a small dense index space, else hash.
    case auto
    /// A direct-indexed bitset over the model's dense index space.
    case bitmap
    /// An exact open-addressing hash table.
    case hash
    /// The hash table over pages of up to 64 states that differ only in the
    /// model's page field (see `TransitionSystem.pageField`).
    case paged
    /// A probabilistic bit array (SPIN's bitstate hashing); never complete.
    case bitstate
    /// Exact tree compression for states of 2, 4 or 8 words (see
    /// `TreeVisitedSet`); one-word states take `hash`, which it would equal.
    case tree
}

extension VisitedSet {
    /// Inserts `state` as worker 0, answering whether it was new.
    @inlinable @inline(__always)
    public func insert(_ state: State) -> InsertOutcome { insert(state, hash: hash(of: state), worker: 0) }

    /// Inserts `state` as `worker`, answering whether it was new.
    @inlinable @inline(__always)
    public func insert(_ state: State, worker: Int) -> InsertOutcome { insert(state, hash: hash(of: state), worker: worker) }

    /// The state's own hash.
    @inlinable @inline(__always)
    public func hash(of state: State) -> UInt64 { state.hash64 }
}

/// A set of packed states with a concurrent test-and-set insert.
///
/// `insert` may run on several threads at once, each with its own `worker`
/// index below the `threads` of the last `prepareForInserts(threads:)` (0
/// before the first); every other requirement runs on one thread while no
/// insert is under way (between rounds).
public protocol VisitedSet<State>: AnyObject, Sendable {
    /// The packed state.
    associatedtype State: PackedState

    /// Which kind this is (never `.auto`).
    var kind: VisitedKind { get }
    /// Whether "seen" is always true (false for bitstate).
    var isExact: Bool { get }
    /// Bytes of memory the set holds now.
    var memoryBytes: Int { get }

    /// The hash `insert` and `prefetch` take for `state` (its `hash64`
    /// unless the set hashes something else, such as a page key).
    func hash(of state: State) -> UInt64
    /// Inserts `state`, whose `hash(of:)` is `hash`, answering whether it was
    /// new; `worker` is the calling thread's own index.
    func insert(_ state: State, hash: UInt64, worker: Int) -> InsertOutcome
    /// Starts loading the memory that inserting `state` will touch, so that
    /// a batch of inserts overlaps its cache misses.
    func prefetch(_ state: State, hash: UInt64)
    /// Makes room for the next round, using up to `threads` threads; false
    /// when the memory budget refuses.
    func prepareForInserts(threads: Int) -> Bool

    /// Number of slots, for per-state marks (exact sets only).
    var slotCount: Int { get }
    /// The slot of a state in the set, nil if absent (exact sets only).
    func slot(of state: State) -> Int?
    /// Calls `body` with every state in the set and its slot (exact sets only).
    func forEach(_ body: (Int, State) -> Void)
    /// Calls `body` with every state whose slot is in `slots`, in slot order
    /// or its reverse (exact sets only).
    func forEach(slots: Range<Int>, reversed: Bool, _ body: (Int, State) -> Void)
    /// Frees the set's memory.
    func free()
}
