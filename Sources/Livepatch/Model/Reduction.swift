/// Which state-space reduction a search of a livepatch world uses
/// (Livepatch.docc, Reductions).
public enum Reduction: String, Sendable, CaseIterable, Codable {
    /// Every reduction that keeps every verdict of this world: `exact`'s,
    /// and a retired patch's module removed in the step that retires it
    /// (`CompiledWorld.mergesRetirement`). The full space's size is then
    /// not known. A counterexample may be longer than the shortest.
    case auto
    /// Symmetry over interchangeable modules (`ModuleSymmetry`) and the
    /// merged halves of `insmod` and `rmmod` (`MergedLoaderSteps`), where
    /// the world allows them: every verdict, and the full space's size
    /// exactly. A counterexample may be longer than the shortest.
    case exact
    /// Symmetry over interchangeable modules only: every verdict, and
    /// breadth-first levels, so every counterexample is a shortest one.
    case moduleSymmetry = "module-symmetry"
    /// The full state space, as every earlier version explored it.
    case none

    /// Whether interchangeable modules are folded.
    var foldsModules: Bool { self != .none }
    /// Whether the halves of `insmod` and `rmmod` run as one step.
    var mergesLoaderSteps: Bool { self == .auto || self == .exact }
    /// Whether a retired patch's module is removed in the step that retires it.
    var mergesRetirement: Bool { self == .auto }
}
