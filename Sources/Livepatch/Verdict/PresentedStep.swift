/// One step of a counterexample, as people and tools read it.
public struct PresentedStep: Codable, Sendable, Equatable {
    /// 1-based step number.
    public var number: Int
    /// What happened: a command a user types, or the kernel's own step.
    public var action: String
    /// Log lines the step prints, without timestamps.
    public var log: [String]
    /// What changed in the state, in words.
    public var changes: [String]

    /// Creates a step.
    public init(number: Int, action: String, log: [String] = [], changes: [String] = []) {
        self.number = number
        self.action = action
        self.log = log
        self.changes = changes
    }
}
