/// Watches a search: every state it stores and every step it fires.
///
/// The engine's one visiting hook (as Stateright's `CheckerVisitor`), so that
/// what needs to see the whole exploration (a state graph, a progress check)
/// builds on the engine's search instead of being another explorer. Pass one
/// to `Explorer.explore(_:options:visitor:)`.
///
/// The search calls a visitor from its worker threads at once, each call
/// with the calling worker's index (below `SearchOptions.threads`), in no
/// particular order across workers: a step may be seen before its target
/// state is. A visitor keeps per-worker records, or synchronises itself.
/// Only the main search is visited, not the re-search that rebuilds traces.
///
/// The search is generic over its visitor: with `NoVisitor`, the default,
/// every call specialises away, so an unwatched search costs nothing.
public protocol SearchVisitor<State>: Sendable {
    /// The packed state.
    associatedtype State: PackedState

    /// Whether the search calls `visitTransition(from:action:to:violating:worker:)`;
    /// false also skips the loop over each state's successors.
    static var visitsTransitions: Bool { get }

    /// A state the search stored for the first time, found at BFS level
    /// `level` (initial states are level 0).
    func visitState(_ state: State, level: Int, worker: Int)

    /// A step the search fired: `action` leads from `source` to `target`,
    /// whether `target` is new or not, and breaks the step properties
    /// `violating` (as the model emitted them, checked or not).
    func visitTransition(from source: State, action: UInt32, to target: State, violating: PropertySet, worker: Int)
}

extension SearchVisitor {
    /// Steps are visited unless a visitor says otherwise.
    @inlinable public static var visitsTransitions: Bool { true }
}

/// The visitor of an unwatched search: does nothing, and specialises away.
@frozen
public struct NoVisitor<State: PackedState>: SearchVisitor {
    /// The visitor that does nothing.
    @inlinable public init() {}
    /// No steps to see: the search skips the loop.
    @inlinable public static var visitsTransitions: Bool { false }
    /// Nothing.
    @inlinable @inline(__always) public func visitState(_ state: State, level: Int, worker: Int) {}
    /// Nothing.
    @inlinable @inline(__always)
    public func visitTransition(from source: State, action: UInt32, to target: State, violating: PropertySet, worker: Int) {}
}
