import KLPEngine
import Livepatch

/// A benchmark model the engine explores, with its traces in words: what
/// `SearchPipeline.run` needs beside the model to judge and report a search.
/// Livepatch worlds are judged and presented by the library
/// (`CompiledWorld.verify`).
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
    /// The counterexample of property `index` in words.
    func presentation(property index: Int, trace: Trace<Model.State>) -> TracePresentation
}

extension ModelPresenter {
    /// No findings by default.
    public func isFinding(_ index: Int) -> Bool { false }
}
