import Foundation
import KLPEngine
import Livepatch

/// The members of a swarm (`verify --swarm K/N`), combined by `klpcheck
/// merge`: any violation fails the whole, with the shortest counterexample
/// any member found for each property, replayed through the library before
/// it is reported; otherwise the swarm is incomplete. Never pass: bitstate
/// searches prove nothing.
struct SwarmMerge {
    /// One member's document and the file it came from.
    typealias Input = (file: String, document: SearchDocument)

    /// The members, by member index.
    var members: [Input]
    /// The shortest counterexample of each violated property, in property order.
    var violations: [SwarmCounterexample]
    /// The model's `expect` line, for annotations (1 when unknown).
    var expectLine: Int

    /// The swarm's size.
    var memberCount: Int { members.count }
    /// The model every member searched.
    var model: String { members[0].document.model }
    /// The world in one line.
    var world: String { members[0].document.world }
    /// Fail when any member found a violation, else incomplete.
    var verdict: Verdict { violations.isEmpty ? .incomplete : .fail }
    /// 1 for fail, 3 for incomplete.
    var exitStatus: ExitStatus { violations.isEmpty ? .incomplete : .violated }
    /// States every member stored, added up (a state two members found counts twice).
    var totalStates: UInt64 { members.reduce(0) { $0 + $1.document.result.statistics.states } }
    /// Transitions every member fired, added up.
    var totalTransitions: UInt64 { members.reduce(0) { $0 + $1.document.result.statistics.transitions } }

    /// What the combined coverage estimate is, in words (also in the JSON).
    static let coverageMethod =
        "1 - the product of the members' omission probabilities (a member stopped by a limit counts 1): "
        + "the chance that every member skipped a given state, taking their hash functions as independent"

    /// A member's chance of skipping a state: its bitstate omission
    /// probability, or 1 when a limit stopped it (it did not search its share).
    static func omission(of document: SearchDocument) -> Double {
        let statistics = document.result.statistics
        guard statistics.limit == nil, let omission = statistics.omissionProbability else { return 1 }
        return min(1, max(0, omission))
    }

    /// The members' combined estimate of coverage: `coverageMethod`.
    var coverageEstimate: Double { 1 - members.reduce(1.0) { $0 * Self.omission(of: $1.document) } }

    /// Checks that the documents are the members 0 to N-1 of one swarm, by
    /// this klpcheck over the same model, and combines them; the error names
    /// the file that does not belong. A counterexample that does not replay
    /// is an internal error (exit 70).
    static func merge(_ inputs: [Input], version: String) throws -> SwarmMerge {
        let first = inputs[0]
        let firstName = VisibleText.escape(first.file)
        var parts = MergeParts(noun: "member", count: first.document.swarm?.members ?? 0, firstFile: first.file)
        for (file, document) in inputs {
            let name = VisibleText.escape(file)
            guard let swarm = document.swarm, let firstSwarm = first.document.swarm else {
                throw MergeCommand.failure("\(name): not a swarm member (written without --swarm)")
            }
            guard swarm.version == version else {
                throw MergeCommand.failure("\(name): written by klpcheck \(swarm.version), not by this klpcheck \(version)")
            }
            guard document.model == first.document.model, swarm.modelFingerprint == firstSwarm.modelFingerprint else {
                throw MergeCommand.failure(
                    "\(name): a member over another model than \(firstName) "
                        + "('\(VisibleText.escape(document.model))', fingerprint \(swarm.modelFingerprint))")
            }
            guard document.world == first.document.world, checkedNames(document) == checkedNames(first.document) else {
                throw MergeCommand.failure(
                    "\(name): a member of another world or property set than \(firstName) (world: \(document.world))")
            }
            try parts.record(index: swarm.member, count: swarm.members, file: file)
        }
        try parts.checkComplete(files: inputs.map(\.file))
        let members = inputs.sorted { ($0.document.swarm?.member ?? 0) < ($1.document.swarm?.member ?? 0) }
        let chosen = shortest(members)
        // The model is needed to replay; without violations only for the annotations' line.
        let world = chosen.isEmpty ? try? loadModel(of: first) : try loadModel(of: first)
        if let world {
            for counterexample in chosen { try replay(counterexample, in: world) }
        }
        return SwarmMerge(members: members, violations: chosen, expectLine: world?.expectationLocation?.line ?? 1)
    }

    /// The checked properties of a member, by name: members of one swarm check the same ones.
    static func checkedNames(_ document: SearchDocument) -> [String] {
        document.result.properties.filter { $0.status != .notChecked }.map(\.name)
    }

    /// For each property some member violated, its shortest counterexample
    /// (fewest steps; ties: the lowest member), preferring one with a replay scenario.
    static func shortest(_ members: [Input]) -> [SwarmCounterexample] {
        var best: [Int: SwarmCounterexample] = [:]
        for (file, document) in members {
            guard let member = document.swarm?.member else { continue }
            for violation in document.result.violations {
                let candidate = SwarmCounterexample(counterexample: violation, member: member, file: file)
                if let known = best[violation.propertyIndex], !candidate.isBetter(than: known) { continue }
                best[violation.propertyIndex] = candidate
            }
        }
        return best.keys.sorted().compactMap { best[$0] }
    }

    /// The model the members searched, as it is now; exit 2 when it cannot
    /// be read or is no longer the file the members searched.
    static func loadModel(of member: Input) throws -> World {
        let path = member.document.model
        let name = VisibleText.escape(member.file)
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MergeCommand.failure("\(name): its model '\(VisibleText.escape(path))' cannot be read here, to replay the counterexample")
        }
        let now = GateShard.fingerprint([path])
        guard now == member.document.swarm?.modelFingerprint else {
            throw MergeCommand.failure(
                "\(name): the model '\(VisibleText.escape(path))' has changed since the members ran "
                    + "(fingerprint \(member.document.swarm?.modelFingerprint ?? "unknown"), now \(now))")
        }
        do {
            return try ModelParser.parse(contentsOf: path)
        } catch {
            throw CommandFailure.diagnostics(error.description)
        }
    }

    /// Replays a counterexample's scenario through the library
    /// (`ScenarioRunner`): it must violate its property with every step
    /// possible, else the member reported a trace the semantics does not
    /// have, an internal error.
    static func replay(_ counterexample: SwarmCounterexample, in world: World) throws {
        guard let scenario = counterexample.counterexample.trace.scenario else { return }
        let property = counterexample.counterexample.property
        let source = "\(counterexample.file) (counterexample of \(property))"
        func broken(_ why: String) -> CommandFailure {
            var failure = CommandFailure(
                "the counterexample of \(property) from \(VisibleText.escape(counterexample.file)) does not replay: \(why)",
                status: .internalError)
            failure.pointsToHelp = false
            return failure
        }
        guard let checked = LivepatchProperty(rawValue: property) else { throw broken("unknown property '\(property)'") }
        let outcome: ScenarioOutcome
        do {
            outcome = try ScenarioRunner.run(Scenario.parse(scenario, file: source), file: source, world: world, checked: [checked])
        } catch {
            throw broken("\(error)")
        }
        if let impossible = outcome.impossibleSteps.first {
            throw broken("step \(VisibleText.escape(impossible.step)) at line \(impossible.location.line) cannot happen")
        }
        guard outcome.violations.contains(where: { $0.property == checked }) else {
            throw broken("\(property) is not violated on the way")
        }
    }
}

/// The counterexample a swarm reports for one property, and its member.
struct SwarmCounterexample {
    /// The trace in words, as the member printed it.
    var counterexample: Counterexample
    /// The member that found it.
    var member: Int
    /// The member's file.
    var file: String

    /// Shorter, else as short with a replay scenario where `other` has none.
    func isBetter(than other: SwarmCounterexample) -> Bool {
        let (mine, theirs) = (counterexample.trace, other.counterexample.trace)
        if (mine.scenario == nil) != (theirs.scenario == nil) { return mine.scenario != nil }
        return mine.steps.count < theirs.steps.count
    }
}
