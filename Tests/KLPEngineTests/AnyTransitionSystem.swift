import KLPEngine

/// Any one-word model, behind one type: every requirement is the wrapped
/// model's, called through a closure.
///
/// The release build compiles the engine's search once per visited set
/// for each model type (and visitor type) a test explores; the tests that
/// explore small models over several visited sets explore them as this one
/// type, so that the test module holds one set of those copies, not one
/// per model. A closure call per state costs these small searches nothing.
struct AnyTransitionSystem: TransitionSystem {
    typealias State = UInt64

    let properties: [PropertyDescriptor]
    let maxSuccessors: Int
    let denseStateCount: UInt64?
    let pageField: PageField?
    let foldsStates: Bool
    let countsFullSpace: Bool
    private let emitInitial: @Sendable (inout SuccessorSink<UInt64>) -> Void
    private let emitSuccessors: @Sendable (UInt64, inout SuccessorSink<UInt64>) -> Void
    private let violated: @Sendable (UInt64, PropertySet) -> PropertySet
    private let goal: @Sendable (UInt64, Int) -> Bool
    private let hint: @Sendable (UInt64, Int) -> UInt64?
    private let weight: @Sendable (UInt64) -> Double

    /// `model`, behind this type.
    init<Model: TransitionSystem>(_ model: Model) where Model.State == UInt64 {
        properties = model.properties
        maxSuccessors = model.maxSuccessors
        denseStateCount = model.denseStateCount
        pageField = model.pageField
        foldsStates = model.foldsStates
        countsFullSpace = model.countsFullSpace
        emitInitial = { model.initialStates(into: &$0) }
        emitSuccessors = { model.successors(of: $0, into: &$1) }
        violated = { model.invariantViolations(of: $0, checked: $1) }
        goal = { model.isGoal($0, property: $1) }
        hint = { model.progressHint(of: $0, property: $1) }
        weight = { model.representedStates(by: $0) }
    }

    func initialStates(into sink: inout SuccessorSink<UInt64>) { emitInitial(&sink) }

    func successors(of state: UInt64, into sink: inout SuccessorSink<UInt64>) { emitSuccessors(state, &sink) }

    func invariantViolations(of state: UInt64, checked: PropertySet) -> PropertySet { violated(state, checked) }

    func isGoal(_ state: UInt64, property: Int) -> Bool { goal(state, property) }

    func progressHint(of state: UInt64, property: Int) -> UInt64? { hint(state, property) }

    func representedStates(by state: UInt64) -> Double { weight(state) }
}
