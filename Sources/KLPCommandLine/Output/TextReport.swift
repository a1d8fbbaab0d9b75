import Livepatch

/// The text form of a search document, for people.
public enum TextReport {
    /// Renders the whole document.
    public static func render(_ document: SearchDocument) -> String {
        var lines: [String] = []
        lines.append("klpcheck \(document.command) \(VisibleText.escape(document.model))")
        lines.append("world: \(document.world)")
        lines.append("")
        lines.append("verdict: \(verdictLine(document))")
        lines.append("")
        lines.append("statistics")
        let rows: [(String, String)] = [
            ("states", Format.count(document.states)),
            ("transitions", Format.count(document.transitions)),
            ("depth", "\(document.depth)"),
            ("time", "\(Format.fixed(document.seconds, 3)) s search, \(Format.fixed(document.totalSeconds, 3)) s in all"),
            ("states/s", Format.count(UInt64(document.statesPerSecond.rounded()))),
            ("bytes/state", Format.fixed(document.bytesPerState, 1)),
            ("engine memory", Format.bytes(document.engineMemoryBytes)),
            ("peak memory", Format.bytes(document.peakMemoryBytes)),
            ("threads", "\(document.threads)"),
            ("visited set", document.visited),
        ]
        for (name, value) in rows { lines.append("  " + pad(name, 16) + value) }
        if let omission = document.omissionProbability {
            lines.append("  " + pad("omission", 16) + "\(omission) per state (bitstate: coverage is not guaranteed)")
        }
        lines.append("")
        lines.append("properties")
        let width = max(24, (document.properties.map(\.name.count).max() ?? 0) + 2)
        lines.append("  " + pad("NAME", width) + pad("KIND", 13) + "STATUS")
        for property in document.properties {
            let status = property.role == "finding" ? "\(property.status) (finding)" : property.status
            lines.append("  " + pad(property.name, width) + pad(property.kind, 13) + status)
        }
        for counterexample in document.violations {
            lines.append("")
            lines.append(contentsOf: render(counterexample, heading: "counterexample"))
        }
        for finding in document.findings {
            lines.append("")
            lines.append(contentsOf: render(finding, heading: "finding"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The one line an interrupted search prints in text: who stopped it,
    /// the counts so far, and what was found.
    public static func interruptedLine(_ document: SearchDocument, by signal: String) -> String {
        let found = document.violations.isEmpty
            ? "no violation found so far"
            : "violated so far: " + document.violations.map(\.property).joined(separator: ", ")
        return "INTERRUPTED by \(signal) after \(Format.count(document.states)) states, "
            + "\(Format.count(document.transitions)) transitions, depth \(document.depth) "
            + "(\(Format.fixed(document.seconds, 3)) s); \(found)"
    }

    /// The verdict in words.
    public static func verdictLine(_ document: SearchDocument) -> String {
        switch document.verdict {
        case .pass:
            return "PASS: every checked property holds over all \(Format.count(document.states)) reachable states"
        case .fail:
            let names = document.violations.map(\.property).joined(separator: ", ")
            return "FAIL: \(document.violations.count) violated (\(names))"
        case .incomplete:
            if document.limit == "interrupted" { return "INCOMPLETE: interrupted; no violation found so far" }
            if let limit = document.limit { return "INCOMPLETE: stopped by --\(limit); no violation found so far" }
            if document.visited == "bitstate" { return "INCOMPLETE: bitstate search; no violation found, coverage not guaranteed" }
            return "INCOMPLETE: not every property could be decided"
        }
    }

    /// One counterexample: numbered steps, their log, their changes, and why.
    public static func render(_ counterexample: CounterexampleDocument, heading: String) -> [String] {
        let count = counterexample.steps.count
        var lines = ["\(heading): \(counterexample.property) (\(count) step\(count == 1 ? "" : "s"))"]
        if !counterexample.initial.isEmpty {
            lines.append("  initial state: " + counterexample.initial.joined(separator: "; "))
        }
        let numberWidth = String(counterexample.steps.count).count
        for step in counterexample.steps {
            let number = String(repeating: " ", count: numberWidth - String(step.number).count) + "\(step.number)"
            lines.append("  \(number). \(step.action)")
            let indent = String(repeating: " ", count: numberWidth + 6)
            for line in step.log { lines.append(indent + "| " + line) }
            // Contract action lines are in the log already.
            let changes = step.changes.filter { !$0.hasPrefix(ContractMessage.prefix) }
            if !changes.isEmpty { lines.append(indent + "=> " + changes.joined(separator: "; ")) }
        }
        lines.append("  \(heading == "finding" ? "found" : "violated"): \(counterexample.explanation)")
        return lines
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
