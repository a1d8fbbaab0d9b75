/// What a verification decided about one property or finding, in the
/// words of the reports.
public enum PropertyOutcome: String, Codable, Sendable {
    /// A property that holds over a complete search.
    case holds
    /// A property that is violated.
    case violated
    /// A finding whose trace was found.
    case found
    /// A finding that does not occur over a complete search.
    case notFound = "not-found"
    /// The search was incomplete and decided nothing about it.
    case undecided
    /// Not among the checked properties.
    case notChecked = "not-checked"
}

/// Whether a property's violation fails the verification.
public enum PropertyRole: String, Codable, Sendable {
    /// A violation fails the verification.
    case property
    /// Reported with a trace, but not a violation.
    case finding
}
