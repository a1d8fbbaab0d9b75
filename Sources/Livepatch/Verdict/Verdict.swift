/// The verdict of a search.
public enum Verdict: String, Codable, Sendable {
    /// Every checked property holds over a complete search.
    case pass
    /// A checked property is violated.
    case fail
    /// No violation, but the search was incomplete.
    case incomplete
}
