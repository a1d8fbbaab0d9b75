/// The verdict `klpcheck gate` requires of a model.
public enum Expectation: Sendable, Hashable, CustomStringConvertible {
    /// No checked property is violated.
    case pass
    /// This property is among the violated ones.
    case fail(LivepatchProperty)
    /// No violation, and this finding is reported.
    case finding(LivepatchProperty)

    /// As the `expect` line says it: `pass`, `fail NAME` or `finding NAME`.
    public var description: String {
        switch self {
        case .pass: return "pass"
        case .fail(let property): return "fail \(property.rawValue)"
        case .finding(let property): return "finding \(property.rawValue)"
        }
    }
}
