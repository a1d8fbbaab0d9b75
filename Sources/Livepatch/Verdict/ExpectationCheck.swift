/// Whether a verification result meets an expectation, and why not.
public struct ExpectationCheck: Sendable, Equatable {
    /// Met, unmet, or not decided by an incomplete search.
    public enum Outcome: String, Sendable, Equatable {
        /// The result is what the expectation requires.
        case met
        /// It is not.
        case unmet
        /// The search was incomplete and could not decide it.
        case undecided
    }

    /// The outcome.
    public var outcome: Outcome
    /// Why it is not met, when it is not.
    public var reason: String?

    /// Creates a check.
    public init(_ outcome: Outcome, reason: String? = nil) {
        self.outcome = outcome
        self.reason = reason
    }
}

extension Expectation {
    /// Whether `result` meets this expectation: `pass` wants no violation
    /// over a complete search, `fail NAME` wants NAME violated, `finding
    /// NAME` wants no violation and NAME found. A violation decides even an
    /// incomplete search; its absence does not.
    public func check(_ result: VerificationResult) -> ExpectationCheck {
        let complete = result.verdict != .incomplete
        let violated = result.violations.map(\.property).sorted().joined(separator: ", ")
        switch self {
        case .pass:
            if !result.violations.isEmpty {
                return ExpectationCheck(.unmet, reason: "expected no violation, but \(violated) violated")
            }
            return complete ? ExpectationCheck(.met) : ExpectationCheck(.undecided, reason: "the search was incomplete")
        case .fail(let property):
            if result.isViolated(property.index) { return ExpectationCheck(.met) }
            if !complete {
                return ExpectationCheck(
                    .undecided, reason: "the search was incomplete before \(property.rawValue) was violated")
            }
            return ExpectationCheck(.unmet, reason: "expected \(property.rawValue) to be violated, but it holds")
        case .finding(let property):
            if !result.violations.isEmpty {
                return ExpectationCheck(.unmet, reason: "expected no violation, but \(violated) violated")
            }
            if result.isFound(property.index) { return ExpectationCheck(.met) }
            if !complete {
                return ExpectationCheck(.undecided, reason: "the search was incomplete before \(property.rawValue) was found")
            }
            return ExpectationCheck(.unmet, reason: "expected the finding \(property.rawValue), but it was not found")
        }
    }
}

extension VerificationResult {
    /// Whether the result meets the model file's expectation; nil when the
    /// model has none.
    public var expectationCheck: ExpectationCheck? { expectation?.check(self) }
}
