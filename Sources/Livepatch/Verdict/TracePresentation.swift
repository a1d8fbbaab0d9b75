/// A counterexample in words, built once from one replay of its trace:
/// the text, JSON and Markdown reports and the replay scenario all read it.
public struct TracePresentation: Sendable, Equatable {
    /// The initial state, in words.
    public var initial: [String]
    /// The steps.
    public var steps: [PresentedStep]
    /// Why the last step breaks the property, in one sentence.
    public var explanation: String
    /// The trace as a scenario that `klpcheck run` replays, if the model has one.
    public var scenario: String?

    /// Creates a presentation.
    public init(initial: [String], steps: [PresentedStep], explanation: String, scenario: String? = nil) {
        self.initial = initial
        self.steps = steps
        self.explanation = explanation
        self.scenario = scenario
    }
}
