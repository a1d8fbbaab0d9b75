/// How a property is decided.
public enum PropertyKind: String, Codable, Sendable {
    /// Must hold in every reachable state (`always`).
    case invariant
    /// Must hold on every step between reachable states; a step reports the
    /// properties it violates when the model emits it.
    case step
    /// From every reachable state, a goal state must be reachable (AG EF goal).
    case possibility
}

/// A named property that a model declares.
public struct PropertyDescriptor: Sendable, Hashable {
    /// The property's name, as users type it.
    public var name: String
    /// How the engine decides it.
    public var kind: PropertyKind

    /// Creates a descriptor.
    public init(name: String, kind: PropertyKind) {
        self.name = name
        self.kind = kind
    }
}

/// A set of property indices, at most 64, as one word.
@frozen
public struct PropertySet: OptionSet, Sendable, Hashable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// The set holding only property `index`.
    @inlinable public init(index: Int) { self.rawValue = 1 << UInt64(index) }
    /// The set of the first `count` properties.
    @inlinable public static func first(_ count: Int) -> PropertySet {
        PropertySet(rawValue: count >= 64 ? ~0 : (1 << UInt64(count)) &- 1)
    }
    /// Whether property `index` is in the set.
    @inlinable public func contains(index: Int) -> Bool { rawValue & (1 << UInt64(index)) != 0 }
    /// The indices in the set, in increasing order.
    public var indices: [Int] { (0..<64).filter { contains(index: $0) } }
}

/// A model the engine can explore: LTSmin's PINS seam, in Swift.
///
/// The engine knows only packed states, action indices and property indices.
/// It calls these requirements from several threads at once, so a model must
/// be an immutable value. Generic specialisation makes every call direct: keep
/// `successors(of:into:)` free of allocation.
public protocol TransitionSystem: Sendable {
    /// The packed state.
    associatedtype State: PackedState

    /// The properties the model can check, indexed by position (at most 64).
    var properties: [PropertyDescriptor] { get }

    /// An upper bound on the number of successors of one state (a hint for
    /// buffer sizes; exceeding it costs a reallocation, not correctness).
    var maxSuccessors: Int { get }

    /// When every state, read as an integer, is below this bound and the
    /// encoding is a single word, the engine may index a bitmap with it.
    var denseStateCount: UInt64? { get }

    /// The bits that successors change most often, if they form one run of
    /// at most six bits: `--visited paged` stores the states that differ
    /// only there as one page.
    var pageField: PageField? { get }

    /// Writes the initial states.
    func initialStates(into sink: inout SuccessorSink<State>)

    /// Writes every successor of `state`, each with its action index and the
    /// step properties it violates.
    func successors(of state: State, into sink: inout SuccessorSink<State>)

    /// The invariants in `checked` that `state` violates.
    func invariantViolations(of state: State, checked: PropertySet) -> PropertySet

    /// Whether `state` is a goal state of the possibility property `property`.
    func isGoal(_ state: State, property: Int) -> Bool

    /// One successor of `state` that the model expects to lead towards a
    /// goal of `property`, or nil: the progress check follows it before it
    /// generates every successor. It must be one of `successors(of:into:)`'s
    /// states (the check is sound for any such choice: only real paths
    /// mark a state); a good hint makes the check cost one step per state.
    func progressHint(of state: State, property: Int) -> State?

    /// Whether a stored state may stand for several states of the full
    /// space, as with a symmetry reduction that keeps one state per orbit.
    /// The search then sums `representedStates(by:)` over the states it
    /// expands and reports the full space's size (`SearchReport.fullSpace`).
    var foldsStates: Bool { get }

    /// How many states of the full space `state`, a stored representative,
    /// stands for (its orbit's size). Every state of an orbit has as many
    /// steps as `state`: the full space's transitions are the same weights
    /// times the steps of each representative. Called only when
    /// `foldsStates`.
    func representedStates(by state: State) -> Double

    /// Whether the weights (`representedStates(by:)`) count the full space
    /// exactly. A reduction whose stored states stand for a number of full
    /// states that depends on the path taken (not on the state) says false:
    /// its report's `fullSpace` is then nil, unknown.
    var countsFullSpace: Bool { get }

    /// Explores the model with `Explorer.explore(_:options:)`.
    ///
    /// The search is @inlinable: it runs at full speed where it is
    /// specialised for a concrete model whose code the compiler can see. The
    /// default suits a model whose hot requirements are @inlinable (or a
    /// caller in the model's own module). A model whose code stays in its
    /// module, or whose state type is chosen at run time, implements this to
    /// run the search specialised there, for each concrete state type.
    func explore(options: SearchOptions) throws -> SearchReport<State>
}

extension TransitionSystem {
    /// No dense encoding by default.
    public var denseStateCount: UInt64? { nil }
    /// No page field by default.
    public var pageField: PageField? { nil }
    /// No invariants by default.
    public func invariantViolations(of state: State, checked: PropertySet) -> PropertySet { [] }
    /// No possibility properties by default.
    public func isGoal(_ state: State, property: Int) -> Bool { true }
    /// No hint by default: the progress check generates every successor.
    @inlinable public func progressHint(of state: State, property: Int) -> State? { nil }
    /// No folding by default: every stored state is one state.
    @inlinable public var foldsStates: Bool { false }
    /// One state by default.
    @inlinable public func representedStates(by state: State) -> Double { 1 }
    /// Weights are exact by default.
    @inlinable public var countsFullSpace: Bool { true }
    /// The search, specialised where the caller's types are concrete.
    @inlinable
    public func explore(options: SearchOptions) throws -> SearchReport<State> {
        try Explorer.explore(self, options: options)
    }
}

/// A run of at most six bits of one word of a state, which the model's
/// successors change most often (a task's switch, say). A paged visited set
/// keeps the states that differ only there in one slot: a page of up to 64.
public struct PageField: Sendable, Hashable {
    /// The word that holds the run.
    public let word: Int
    /// The run's lowest bit.
    public let shift: Int
    /// The run's length, 1 to 6.
    public let bits: Int

    /// The run of `bits` bits from bit `shift` of word `word`.
    public init(word: Int, shift: Int, bits: Int) {
        precondition((1...6).contains(bits) && shift >= 0 && shift + bits <= 62, "a page field is 1 to 6 payload bits")
        self.word = word
        self.shift = shift
        self.bits = bits
    }
}
