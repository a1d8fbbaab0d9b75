import KLPEngine

/// Turns a model's states and traces into words: the bridge between the
/// generic engine and the reports people read.
public protocol ModelPresenter {
    /// The model presented.
    associatedtype Model: TransitionSystem

    /// The model explored.
    var model: Model { get }
    /// The model's name in reports: a file path or a benchmark name.
    var modelName: String { get }
    /// The world in one line.
    var worldSummary: String { get }
    /// Whether property `index` is a finding, reported but not a violation.
    func isFinding(_ index: Int) -> Bool
    /// The state in words.
    func describe(_ state: Model.State) -> [String]
    /// The steps of a trace, in words.
    func steps(of trace: Trace<Model.State>) -> [StepDocument]
    /// One sentence: why the trace's last step breaks property `index`.
    func explanation(property index: Int, trace: Trace<Model.State>) -> String
    /// The trace as a replayable scenario, if the model has scenarios.
    func scenario(of trace: Trace<Model.State>) -> String?
}

extension ModelPresenter {
    /// No findings by default.
    public func isFinding(_ index: Int) -> Bool { false }
    /// No scenarios by default.
    public func scenario(of trace: Trace<Model.State>) -> String? { nil }
}
