import KLPEngine

/// The judged result of a search: every property's outcome, the
/// counterexamples and findings in words, the verdict and the exit status.
///
/// This is the one place that decides what counts as pass, fail, finding
/// and incomplete: the command line presents it, the gate compares its
/// typed values with the model's `expect` line, and a program using the
/// library gets the same verdict as `klpcheck verify`.
public struct VerificationResult: Sendable {
    /// The engine's statistics of the search.
    public var statistics: SearchStatistics
    /// Every property of the model with its role and outcome.
    public var properties: [PropertyResult]
    /// Counterexamples of violated properties, in property order.
    public var violations: [Counterexample]
    /// Traces of findings (not violations), in property order.
    public var findings: [Counterexample]
    /// What the model file expects, if the model has an `expect` line.
    public var expectation: Expectation?
    /// The reduction the search used, for models that have one (livepatch worlds).
    public var reduction: ReductionSummary?

    /// Fail if a property is violated; else incomplete if the search was
    /// incomplete or left a property undecided; else pass.
    public var verdict: Verdict {
        if !violations.isEmpty { return .fail }
        let undecided = properties.contains { $0.role == .property && $0.status == .undecided }
        return !statistics.complete || undecided ? .incomplete : .pass
    }

    /// The exit status the verdict gives: 0 pass, 1 fail, 3 incomplete.
    public var exitStatus: ExitStatus {
        switch verdict {
        case .pass: return .holds
        case .fail: return .violated
        case .incomplete: return .incomplete
        }
    }

    /// Judges a search report: property `index` is a finding when
    /// `isFinding(index)`, and `present` puts each rebuilt trace in words.
    public init<State: PackedState>(
        report: SearchReport<State>, expectation: Expectation? = nil, isFinding: (Int) -> Bool,
        present: (_ property: Int, _ trace: Trace<State>) -> TracePresentation
    ) {
        statistics = report.statistics
        self.expectation = expectation
        properties = []
        violations = []
        findings = []
        for (index, property) in report.properties.enumerated() {
            let finding = isFinding(index)
            let status: PropertyOutcome
            switch report.statuses[index] {
            case .holds: status = finding ? .notFound : .holds
            case .violated: status = finding ? .found : .violated
            case .undecided: status = .undecided
            case .notChecked: status = .notChecked
            }
            properties.append(
                PropertyResult(
                    index: index, name: property.name, kind: property.kind, role: finding ? .finding : .property,
                    status: status))
            guard case .violated(let trace) = report.statuses[index] else { continue }
            let presentation: TracePresentation
            if let trace {
                presentation = present(index, trace)
            } else {
                presentation = TracePresentation(
                    initial: [], steps: [],
                    explanation: statistics.limit == .interrupted
                        ? "violated; the search was interrupted before its trace was rebuilt"
                        : "violated; the trace could not be rebuilt within the memory budget")
            }
            let counterexample = Counterexample(propertyIndex: index, property: property.name, trace: presentation)
            if finding { findings.append(counterexample) } else { violations.append(counterexample) }
        }
    }

    /// Whether property `index` is violated (a property, not a finding).
    public func isViolated(_ index: Int) -> Bool { violations.contains { $0.propertyIndex == index } }

    /// Whether finding `index` was found.
    public func isFound(_ index: Int) -> Bool { findings.contains { $0.propertyIndex == index } }

    /// What the search found, in the words of an `expect` line: `pass`,
    /// `fail NAME, ...` or `incomplete (LIMIT)`, then any findings.
    public var summary: String {
        var text: String
        switch verdict {
        case .fail: text = "fail " + violations.map(\.property).joined(separator: ", ")
        case .pass: text = "pass"
        case .incomplete: text = "incomplete" + (statistics.limit.map { " (\($0.rawValue))" } ?? "")
        }
        if !findings.isEmpty { text += " (finding " + findings.map(\.property).joined(separator: ", ") + ")" }
        return text
    }
}
