import KLPEngine
import Livepatch

/// What `klpcheck merge` prints and writes for a swarm: the text summary,
/// the JSON document (`--json`) and GitHub annotations (`--github`).
enum SwarmReport {
    /// The text: one line per member, the verdict, the totals, the
    /// coverage estimate, then each counterexample.
    static func text(_ merge: SwarmMerge) -> String {
        var lines = ["klpcheck merge: swarm of \(merge.memberCount) member\(merge.memberCount == 1 ? "" : "s") over \(VisibleText.escape(merge.model))"]
        lines.append("world: \(merge.world)")
        lines.append("")
        let verdicts = merge.members.map { _, document in
            let found = document.result.violations.map(\.property)
            return document.result.verdict.rawValue + (found.isEmpty ? "" : " (\(found.joined(separator: ", ")))")
                + (document.result.statistics.limit.map { " (\($0.rawValue))" } ?? "")
        }
        let width = (verdicts.map(\.count).max() ?? 0) + 2
        for ((file, document), verdict) in zip(merge.members, verdicts) {
            let statistics = document.result.statistics
            lines.append(
                "  member \(document.swarm?.member ?? 0): " + TextReport.pad(verdict, width) + "states: \(Format.count(statistics.states)); "
                    + "depth: \(statistics.depth); omission: \(statistics.omissionProbability.map { "\($0)" } ?? "-"); "
                    + VisibleText.escape(file))
        }
        lines.append("")
        lines.append("verdict: \(verdictLine(merge))")
        lines.append(
            "states: \(Format.count(merge.totalStates)) visited by the members in all, \(Format.count(merge.totalTransitions)) transitions "
                + "(a state several members visited counts for each)")
        lines.append("coverage estimate: \(merge.coverageEstimate) = \(SwarmMerge.coverageMethod)")
        for chosen in merge.violations {
            lines.append("")
            lines.append(contentsOf: TextReport.render(chosen.counterexample, heading: "counterexample"))
            lines.append("  found by member \(chosen.member) (\(VisibleText.escape(chosen.file)))\(replayNote(chosen))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The verdict in words.
    static func verdictLine(_ merge: SwarmMerge) -> String {
        if merge.violations.isEmpty {
            return "INCOMPLETE: no member found a violation; a swarm of bitstate searches never proves a property"
        }
        let names = merge.violations.map(\.counterexample.property).joined(separator: ", ")
        return "FAIL: \(merge.violations.count) violated (\(names)); the shortest counterexample of each, replayed"
    }

    static func replayNote(_ chosen: SwarmCounterexample) -> String {
        chosen.counterexample.trace.scenario == nil ? "; no replay scenario (the member could not rebuild the trace)" : "; it replays"
    }

    /// GitHub Actions annotations at the model's `expect` line: an error
    /// per violated property, or a warning that the swarm is incomplete.
    static func annotations(_ merge: SwarmMerge) -> [String] {
        let location = [("file", merge.model), ("line", "\(max(merge.expectLine, 1))")]
        if merge.violations.isEmpty {
            return [
                GitHubAnnotation.command(
                    "warning", location,
                    message: "swarm of \(merge.memberCount): incomplete, no violation found; coverage estimate \(merge.coverageEstimate)")
            ]
        }
        return merge.violations.map { chosen in
            let trace = chosen.counterexample.trace
            return GitHubAnnotation.command(
                "error", location,
                message: "violated \(chosen.counterexample.property) (swarm member \(chosen.member), \(trace.steps.count) steps): \(trace.explanation)")
        }
    }

    /// The JSON document (schema `klpcheck/1`, command `merge`).
    static func document(_ merge: SwarmMerge) -> SwarmMergeDocument {
        SwarmMergeDocument(
            model: merge.model, world: merge.world, verdict: merge.verdict, exitCode: merge.exitStatus.rawValue,
            swarm: .init(
                members: merge.memberCount, version: merge.members[0].document.swarm?.version ?? "",
                modelFingerprint: merge.members[0].document.swarm?.modelFingerprint ?? ""),
            states: merge.totalStates, transitions: merge.totalTransitions, coverageEstimate: merge.coverageEstimate,
            coverageMethod: SwarmMerge.coverageMethod,
            members: merge.members.map { file, document in
                let statistics = document.result.statistics
                return .init(
                    member: document.swarm?.member ?? 0, file: file, seed: document.swarm?.seed ?? "", verdict: document.result.verdict,
                    states: statistics.states, transitions: statistics.transitions, depth: statistics.depth,
                    omissionProbability: statistics.omissionProbability, limit: statistics.limit,
                    violated: document.result.violations.map(\.property))
            },
            violations: merge.violations.map { .init(member: $0.member, file: $0.file, counterexample: $0.counterexample) })
    }
}

/// `klpcheck merge --json` of a swarm: the verdict, the totals, the
/// coverage estimate, each member's figures and the counterexamples.
struct SwarmMergeDocument: Encodable {
    /// The swarm as a whole.
    struct Swarm: Encodable {
        var members: Int
        var version: String
        var modelFingerprint: String
    }

    /// One member's figures.
    struct Member: Encodable {
        var member: Int
        var file: String
        var seed: String
        var verdict: Verdict
        var states: UInt64
        var transitions: UInt64
        var depth: Int
        var omissionProbability: Double?
        var limit: SearchLimit?
        var violated: [String]

        private enum CodingKeys: String, CodingKey {
            case member, file, seed, verdict, states, transitions, depth, omissionProbability, limit, violated
        }

        /// Every key, `null` when absent.
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(member, forKey: .member)
            try container.encode(file, forKey: .file)
            try container.encode(seed, forKey: .seed)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(states, forKey: .states)
            try container.encode(transitions, forKey: .transitions)
            try container.encode(depth, forKey: .depth)
            try container.encode(omissionProbability, forKey: .omissionProbability)
            try container.encode(limit, forKey: .limit)
            try container.encode(violated, forKey: .violated)
        }
    }

    /// A counterexample with the member that found it; it replayed.
    struct Violation: Encodable {
        var member: Int
        var file: String
        var counterexample: Counterexample

        private enum CodingKeys: String, CodingKey { case member, file, replayed }

        /// The counterexample's fields (as in a verify document), then `member`, `file` and `replayed`.
        func encode(to encoder: Encoder) throws {
            try counterexample.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(member, forKey: .member)
            try container.encode(file, forKey: .file)
            try container.encode(counterexample.trace.scenario != nil, forKey: .replayed)
        }
    }

    var schema = SearchDocument.schemaName
    var command = "merge"
    var model: String
    var world: String
    var verdict: Verdict
    var exitCode: Int32
    var swarm: Swarm
    var states: UInt64
    var transitions: UInt64
    var coverageEstimate: Double
    var coverageMethod: String
    var members: [Member]
    var violations: [Violation]
}
