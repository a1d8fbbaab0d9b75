import Livepatch

/// The text form of a search document, for people.
public enum TextReport {
    /// Renders the whole document.
    public static func render(_ document: SearchDocument) -> String {
        var lines: [String] = []
        lines.append("klpcheck \(document.command) \(VisibleText.escape(document.model))")
        lines.append("world: \(document.world)")
        if let swarm = document.swarm {
            lines.append("swarm: member \(swarm.member) of \(swarm.members), seed \(swarm.seed) (bitstate: never pass; 'klpcheck merge' combines the members)")
        }
        lines.append("")
        lines.append("verdict: \(verdictLine(document))")
        lines.append("")
        lines.append("statistics")
        let statistics = document.result.statistics
        let rows: [(String, String)] = [
            ("states", Format.count(statistics.states)),
            ("transitions", Format.count(statistics.transitions)),
            ("depth", "\(statistics.depth)"),
            ("time", "\(Format.fixed(statistics.seconds, 3)) s search, \(Format.fixed(statistics.totalSeconds, 3)) s in all"),
            ("states/s", Format.count(UInt64(statistics.statesPerSecond.rounded()))),
            ("bytes/state", Format.fixed(statistics.bytesPerState, 1)),
            ("engine memory", Format.bytes(statistics.engineMemoryBytes)),
            ("peak memory", Format.bytes(statistics.peakMemoryBytes)),
            ("threads", "\(statistics.threads)"),
            ("visited set", statistics.visited.rawValue),
        ]
        for (name, value) in rows { lines.append("  " + pad(name, 16) + value) }
        if let reduction = document.result.reduction, reduction.name != "none" {
            let stands =
                reduction.fullStates.map { full in
                    "; stands for \(Format.count(full)) states, \(reduction.fullTransitions.map { Format.count($0) } ?? "?") transitions"
                } ?? (reduction.countsFullSpace ? "" : "; the full space is not counted (--reduction exact counts it)")
            let traces = reduction.shortestTraces ? "" : "; traces may be longer than the shortest (--reduction module-symmetry keeps them shortest)"
            lines.append("  " + pad("reduction", 16) + reduction.name + stands + traces + " (--reduction none: the full space)")
        }
        if let omission = statistics.omissionProbability {
            lines.append("  " + pad("omission", 16) + "\(omission) per state (bitstate: coverage is not guaranteed)")
        }
        lines.append("")
        lines.append("properties")
        let width = max(24, (document.result.properties.map(\.name.count).max() ?? 0) + 2)
        lines.append("  " + pad("NAME", width) + pad("KIND", 13) + "STATUS")
        for property in document.result.properties {
            let status = property.role == .finding ? "\(property.status.rawValue) (finding)" : property.status.rawValue
            lines.append("  " + pad(property.name, width) + pad(property.kind.rawValue, 13) + status)
        }
        for counterexample in document.result.violations {
            lines.append("")
            lines.append(contentsOf: render(counterexample, heading: "counterexample"))
        }
        for finding in document.result.findings {
            lines.append("")
            lines.append(contentsOf: render(finding, heading: "finding"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The one line an interrupted search prints in text: who stopped it,
    /// the counts so far, and what was found.
    public static func interruptedLine(_ document: SearchDocument, by signal: String) -> String {
        let result = document.result
        let found = result.violations.isEmpty
            ? "no violation found so far"
            : "violated so far: " + result.violations.map(\.property).joined(separator: ", ")
        return "INTERRUPTED by \(signal) after \(Format.count(result.statistics.states)) states, "
            + "\(Format.count(result.statistics.transitions)) transitions, depth \(result.statistics.depth) "
            + "(\(Format.fixed(result.statistics.seconds, 3)) s); \(found)"
    }

    /// The verdict in words.
    public static func verdictLine(_ document: SearchDocument) -> String {
        let result = document.result
        switch result.verdict {
        case .pass:
            return "PASS: every checked property holds over all \(Format.count(result.statistics.states)) reachable states"
        case .fail:
            let names = result.violations.map(\.property).joined(separator: ", ")
            return "FAIL: \(result.violations.count) violated (\(names))"
        case .incomplete:
            if result.statistics.limit == .interrupted { return "INCOMPLETE: interrupted; no violation found so far" }
            if let limit = result.statistics.limit {
                return "INCOMPLETE: stopped by --\(limit.rawValue); no violation found so far"
            }
            if result.statistics.visited == .bitstate { return "INCOMPLETE: bitstate search; no violation found, coverage not guaranteed" }
            return "INCOMPLETE: not every property could be decided"
        }
    }

    /// One counterexample: numbered steps, their log, their changes, and why.
    public static func render(_ counterexample: Counterexample, heading: String) -> [String] {
        let trace = counterexample.trace
        let count = trace.steps.count
        var lines = ["\(heading): \(counterexample.property) (\(count) step\(count == 1 ? "" : "s"))"]
        if !trace.initial.isEmpty {
            lines.append("  initial state: " + trace.initial.joined(separator: "; "))
        }
        let numberWidth = String(trace.steps.count).count
        for step in trace.steps {
            let number = String(repeating: " ", count: numberWidth - String(step.number).count) + "\(step.number)"
            lines.append("  \(number). \(step.action)")
            let indent = String(repeating: " ", count: numberWidth + 6)
            for line in step.log { lines.append(indent + "| " + line) }
            // Contract action lines are in the log already.
            let changes = step.changes.filter { !$0.hasPrefix(ContractMessage.prefix) }
            if !changes.isEmpty { lines.append(indent + "=> " + changes.joined(separator: "; ")) }
        }
        lines.append("  \(heading == "finding" ? "found" : "violated"): \(trace.explanation)")
        return lines
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
