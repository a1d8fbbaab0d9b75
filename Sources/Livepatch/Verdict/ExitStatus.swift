/// The exit statuses of every klpcheck command; a verification result
/// gives `holds`, `violated` or `incomplete`.
public enum ExitStatus: Int32, Sendable, Codable {
    /// Every checked property holds over a complete search (or the command succeeded).
    case holds = 0
    /// A checked property is violated (or the gate found a mismatch).
    case violated = 1
    /// Bad input or usage.
    case badInput = 2
    /// The search was incomplete: a limit, or bitstate mode.
    case incomplete = 3
    /// An internal error.
    case internalError = 70
}
