/// A model explored from given states instead of its initial ones.
///
/// Everything but `initialStates(into:)` is the base model's, so a search
/// of the rooted model is the base model's search from `roots`: what a
/// question about the current state (can a transition still end from
/// here?) needs, without a second explorer.
public struct RootedSystem<Base: TransitionSystem>: TransitionSystem {
    /// The states.
    public typealias State = Base.State

    /// The model whose steps are explored.
    public let base: Base
    /// The states the search starts from, in this order.
    public let roots: [State]

    /// The model `base`, started from `roots`.
    @inlinable
    public init(_ base: Base, from roots: [State]) {
        self.base = base
        self.roots = roots
    }

    /// The base model's properties.
    @inlinable public var properties: [PropertyDescriptor] { base.properties }
    /// The base model's bound.
    @inlinable public var maxSuccessors: Int { base.maxSuccessors }
    /// The base model's dense encoding.
    @inlinable public var denseStateCount: UInt64? { base.denseStateCount }
    /// The base model's page field.
    @inlinable public var pageField: PageField? { base.pageField }

    /// The roots.
    @inlinable
    public func initialStates(into sink: inout SuccessorSink<State>) {
        for root in roots { sink.emit(root, action: 0) }
    }

    /// The base model's successors.
    @inlinable @inline(__always)
    public func successors(of state: State, into sink: inout SuccessorSink<State>) {
        base.successors(of: state, into: &sink)
    }

    /// The base model's invariant violations.
    @inlinable @inline(__always)
    public func invariantViolations(of state: State, checked: PropertySet) -> PropertySet {
        base.invariantViolations(of: state, checked: checked)
    }

    /// The base model's goals.
    @inlinable @inline(__always)
    public func isGoal(_ state: State, property: Int) -> Bool { base.isGoal(state, property: property) }

    /// The base model's progress hint.
    @inlinable
    public func progressHint(of state: State, property: Int) -> State? { base.progressHint(of: state, property: property) }

    /// Whether the base model folds states.
    @inlinable public var foldsStates: Bool { base.foldsStates }

    /// The base model's weight of `state`.
    @inlinable
    public func representedStates(by state: State) -> Double { base.representedStates(by: state) }

    /// Whether the base model's weights count the full space.
    @inlinable public var countsFullSpace: Bool { base.countsFullSpace }
}
