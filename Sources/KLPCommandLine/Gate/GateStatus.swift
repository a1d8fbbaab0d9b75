import Livepatch

/// How one model fared against its `expect` line.
public enum GateStatus: String, Codable, Sendable {
    /// The verdict matches the expectation.
    case pass
    /// It does not.
    case fail
    /// The search was incomplete and could not decide the expectation.
    case incomplete
    /// The model file is bad.
    case bad

    /// The status in capitals, as the gate's lines and the report's index show it.
    var mark: String { rawValue.uppercased() }
}

extension GateStatus {
    /// The gate's word for the library's check of a result against its expectation.
    init(_ outcome: ExpectationCheck.Outcome) {
        switch outcome {
        case .met: self = .pass
        case .unmet: self = .fail
        case .undecided: self = .incomplete
        }
    }
}
