import KLPEngine

/// One fact about a state, in words: `test_klp_callbacks_mod` is `LIVE`.
public struct StateFact: Hashable, Sendable {
    /// What the fact is about.
    public var subject: String
    /// Its value.
    public var value: String
    /// `subject: value`.
    public var text: String { "\(subject): \(value)" }
}

/// The state type of every step run with a recording log (a printed
/// trace's steps, a scenario's steps), whatever the world's width: these
/// steps are few, so one copy of the machine with a recording log serves
/// every width. A copy per width and oracle took a third of the
/// `Livepatch` module's release build (Reports/bench.md, seventh session).
typealias RecordingState = PackedWords32

extension PackedWordPair where Self == RecordingState {
    /// `state`'s words, the words it does not have zero.
    init<Narrow: PackedState>(_ state: Narrow) {
        self = .zero
        for w in 0..<Narrow.wordCount { setWord(w, to: state.word(w)) }
    }
}

extension StepRecord where State == RecordingState {
    /// The record with its state in `Narrow`, which holds the world's words.
    func narrowed<Narrow: PackedState>() -> StepRecord<Narrow> {
        var narrow = Narrow.zero
        for w in 0..<Narrow.wordCount { narrow.setWord(w, to: state.word(w)) }
        assert(RecordingState(narrow) == state, "a world's state fits the type it was packed in")
        return StepRecord<Narrow>(event: event, result: result, state: narrow, log: log, reasons: reasons, failed: failed)
    }
}

/// Everything one step did, replayed with a recording log.
public struct StepRecord<State: PackedState> {
    /// The event.
    public var event: LivepatchEvent
    /// What it returned.
    public var result: EventResult
    /// The state after it.
    public var state: State
    /// The kernel log lines it printed.
    public var log: [String]
    /// Properties and findings it breaks, with why.
    public var reasons: [LivepatchProperty: String]
    /// The choice point it failed, if any.
    public var failed: ChoicePoint?
}

extension CompiledWorld {
    /// The state in words, in a fixed order.
    public func facts<State: PackedState>(of state: State) -> [StateFact] {
        let machine = Machine(world: self, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: 0))
        var facts: [StateFact] = []
        let order = machine.listOrder()
        facts.append(StateFact(subject: "list", value: "[" + (0..<order.count).map { patchName(order[$0]) }.joined(separator: ", ") + "]"))
        let transition = machine.transitionPatch
        facts.append(
            StateFact(
                subject: "transition",
                value: transition < 0
                    ? "none" : "'\(patchName(transition))' to \(machine.targetIsPatched ? "PATCHED" : "UNPATCHED")"))
        for m in 0..<self.moduleCount {
            let names = ["UNLOADED", "COMING", "LIVE", "GOING"]
            facts.append(StateFact(subject: "module \(moduleName(m))", value: names[machine.moduleState(m)]))
        }
        for p in 0..<self.patchCount {
            var stage = machine.isListed(p) ? "listed" : state[flag: self.retired[p]] ? "retired" : "unloaded"
            if state[flag: self.forced[p]] { stage += ", forced" }
            facts.append(StateFact(subject: "patch \(patchName(p))", value: stage))
            let first = Int(self.firstObject[p])
            for g in first..<(first + Int(self.objectCountOf[p])) where machine.isListed(p) {
                var parts = [state[flag: self.patched[g]] ? "patched" : "not patched"]
                if state[flag: self.postUnpatchEnabled[g]] { parts.append("post_unpatch enabled") }
                if state[flag: self.preOpen[g]] { parts.append("pre_patch open") }
                if state[flag: self.postOpen[g]] { parts.append("post_patch open") }
                facts.append(StateFact(subject: "\(patchName(p))/\(machine.objectName(g))", value: parts.joined(separator: ", ")))
            }
            for t in 0..<self.targetCount {
                let d = machine.existingDynamic(p, t)
                if d >= 0 {
                    facts.append(
                        StateFact(
                            subject: "\(patchName(p))/\(targetName(t)) (nop)",
                            value: state[flag: self.dynamicPatched[d]] ? "patched" : "not patched"))
                }
            }
        }
        if self.symmetry {
            facts.append(StateFact(subject: "tasks", value: "\(state[self.patchedTaskCount]) of \(self.taskCount) PATCHED"))
        } else {
            for task in 0..<self.taskCount {
                facts.append(StateFact(subject: "task \(task + 1)", value: state[flag: self.taskPatched[task]] ? "PATCHED" : "UNPATCHED"))
            }
        }
        for w in 0..<self.workerCount {
            let module = moduleName(Int(self.moduleOfWorker[w]))
            var value = state[flag: self.workerPatched[w]] ? "PATCHED" : "UNPATCHED"
            if state[flag: self.workerSleeping[w]] { value += ", sleeping in the original work function" }
            facts.append(StateFact(subject: "worker of \(module)", value: value))
        }
        if state[flag: self.reversed] { facts.append(StateFact(subject: "transition reversed", value: "yes")) }
        if self.hasContracts { facts += contractFacts(of: state) }
        return facts
    }

    /// What changed from `before` to `after`, in words.
    public func changes<State: PackedState>(from before: State, to after: State) -> [String] {
        let old = Dictionary(facts(of: before).map { ($0.subject, $0.value) }, uniquingKeysWith: { a, _ in a })
        var result: [String] = []
        var seen: Set<String> = []
        for fact in facts(of: after) {
            seen.insert(fact.subject)
            if old[fact.subject] != fact.value { result.append(fact.text) }
        }
        for fact in facts(of: before) where !seen.contains(fact.subject) {
            result.append("\(fact.subject): gone")
        }
        return result
    }

    /// Replays the step `action` from `state` with a recording log.
    public func replay<State: PackedState>(action: UInt32, from state: State) -> StepRecord<State>? {
        guard let (event, failAt) = LivepatchEvent.decode(action) else { return nil }
        return recordedStep(event, from: RecordingState(state), oracle: TracingOracle(failAt: failAt)).narrowed()
    }

    /// Runs one event from `state` with scripted outcomes and a recording log.
    public func run<State: PackedState>(
        _ event: LivepatchEvent, from state: State, oracle: ScriptedOracle
    ) -> StepRecord<State> {
        recordedStep(event, from: RecordingState(state), oracle: oracle).narrowed()
    }

    /// One event from `state` with a recording log, on the one state type
    /// recorded steps take (`RecordingState`).
    @inline(never)
    func recordedStep<Oracle: OutcomeOracle>(
        _ event: LivepatchEvent, from state: RecordingState, oracle: Oracle
    ) -> StepRecord<RecordingState> {
        let log = RecordingLog()
        var machine = Machine(world: self, state: state, log: log, oracle: oracle)
        let result = machine.apply(event)
        return StepRecord(
            event: event, result: result, state: machine.state, log: log.lines, reasons: log.reasons,
            failed: machine.oracle.failed)
    }

    /// Whether patch p is on the list in `state`.
    public func isListed<State: PackedState>(_ p: Int, in state: State) -> Bool { state[self.position[p]] != 0 }

    /// Whether patch p's module is inserted (listed or retired) in `state`.
    public func isInserted<State: PackedState>(_ p: Int, in state: State) -> Bool {
        state[self.position[p]] != 0 || state[flag: self.retired[p]]
    }

    /// Whether module m is loaded (COMING, LIVE or GOING) in `state`.
    public func isLoaded<State: PackedState>(module m: Int, in state: State) -> Bool {
        state[self.moduleState[m]] != ModuleState.unloaded
    }

    /// Whether a transition runs in `state`.
    public func inTransition<State: PackedState>(_ state: State) -> Bool { state[self.transitionPatch] != 0 }

    /// The name of the patch in transition in `state`, if any.
    public func transitionPatchName<State: PackedState>(_ state: State) -> String? {
        let p = state[self.transitionPatch] - 1
        return p >= 0 ? patchName(p) : nil
    }

    /// The patch of object `g`.
    public func patch(ofObject g: Int) -> Int { Int(self.patchOfObject[g]) }

    /// The static object of patch p for a target name, if any.
    public func object(patch p: Int, target name: String) -> Int? {
        let t = name == "vmlinux" ? 0 : (world.modules.firstIndex { $0.name == name }.map { $0 + 1 } ?? -1)
        guard t >= 0 else { return nil }
        let g = Int(self.objectOf[p * self.targetCount + t])
        return g >= 0 ? g : nil
    }
}
