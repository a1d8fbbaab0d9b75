import KLPEngine

/// A property broken (or a finding found) while a scenario ran.
public struct ScenarioViolation: Sendable, Equatable {
    /// The property or finding.
    public var property: LivepatchProperty
    /// The scenario line whose command broke it.
    public var location: SourceLocation
    /// Why, in one sentence.
    public var reason: String
}

/// A replay step whose event cannot happen where the replay has got to:
/// the replay does not reproduce the trace it was written from.
public struct ScenarioImpossibleStep: Sendable, Equatable {
    /// The step's line.
    public var location: SourceLocation
    /// The step as written, whitespace folded.
    public var step: String
}

/// What a scenario printed and broke.
public struct ScenarioOutcome: Sendable {
    /// `% COMMAND` lines, kernel log lines and the commands' own errors.
    public var output: [String]
    /// Checked properties broken on the way, in order.
    public var violations: [ScenarioViolation]
    /// Findings on the way, in order.
    public var findings: [ScenarioViolation]
    /// Replay steps that could not happen (each was skipped), in order.
    public var impossibleSteps: [ScenarioImpossibleStep] = []
}

/// Runs a scenario against a world: `klpcheck run`.
///
/// Commands run as the selftests run them: `insmod` of a target module is
/// its COMING notifier then its init, `rmmod` its exit then its GOING
/// notifier, and after each command tasks switch and the transition
/// completes while they can (Livepatch.docc, Scenarios). In replay mode
/// (a `replay` line) each line is exactly one step and nothing else runs.
public enum ScenarioRunner {
    /// The selftest modules' insmod-time parameters and their defaults
    /// (Livepatch.docc, Scenarios): `replace` of test_klp_callbacks_demo2 defaults to 0 and
    /// `block_transition` of test_klp_callbacks_busy to N. Other patches and
    /// modules default to what the model declares.
    static let defaultReplace = ["test_klp_callbacks_demo2": false]
    static let defaultBusy = ["test_klp_callbacks_busy": false]

    /// Runs `scenario` from `file` against `world`, checking `checked` (empty: the world's, or all).
    public static func run(
        _ scenario: Scenario, file: String, world: World, core: CoreVariant? = nil, checked: [LivepatchProperty] = []
    ) throws(ModelErrors) -> ScenarioOutcome {
        var world = world
        if let core { world.core = core }
        try configure(&world, for: scenario)
        let symmetry = !scenario.lines.contains {
            if case .step(let step) = $0.command { return step.kind == .switchTask && step.operand != nil }
            return false
        }
        let compiled = CompiledWorld(world, symmetry: symmetry)
        let wanted = !checked.isEmpty ? checked : (!world.checked.isEmpty ? world.checked : LivepatchProperty.allCases)
        struct Visit: LivepatchModelVisitor {
            let scenario: Scenario
            let checked: Set<LivepatchProperty>
            func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> ScenarioOutcome {
                var execution = Execution<State>(world: model.world, checked: checked)
                return try execution.run(scenario)
            }
        }
        do {
            return try compiled.withModel(Visit(scenario: scenario, checked: Set(wanted)))
        } catch let errors as ModelErrors {
            throw errors
        } catch {
            throw ModelErrors(diagnostics: [
                Diagnostic(location: SourceLocation(file: file, line: 1, column: 1), message: "\(error)")
            ])
        }
    }

    /// Checks every name and parameter, then applies the insmod-time
    /// parameters (`replace=`, `block_transition=`) to the world.
    static func configure(_ world: inout World, for scenario: Scenario) throws(ModelErrors) {
        var validation = ScenarioValidation(world: world)
        for line in scenario.lines { validation.check(line) }
        if !validation.diagnostics.isEmpty { throw ModelErrors(diagnostics: validation.diagnostics) }
        apply(validation.flags, to: &world, for: scenario)
    }

    /// Sets each patch's `replace` and each module's `busy` to the
    /// scenario's value, else to the selftest module's default when the
    /// scenario loads it, else leaves the model's.
    static func apply(_ flags: InsmodFlags, to world: inout World, for scenario: Scenario) {
        func chosen(_ name: String, _ given: [String: (Bool, SourceLocation)], _ defaults: [String: Bool]) -> Bool? {
            if let (value, _) = given[name] { return value }
            if let value = defaults[name], scenarioLoads(name, scenario) { return value }
            return nil
        }
        for index in world.patches.indices {
            if let value = chosen(world.patches[index].name, flags.replace, defaultReplace) { world.patches[index].replace = value }
        }
        for index in world.modules.indices {
            if let value = chosen(world.modules[index].name, flags.busy, defaultBusy) { world.modules[index].busy = value }
        }
    }

    static func scenarioLoads(_ name: String, _ scenario: Scenario) -> Bool {
        scenario.lines.contains { if case .insmod(name, _) = $0.command { return true } else { return false } }
    }

    static func objectName(_ target: Target, in world: World) -> String {
        if case .module(let m) = target { return world.modules[m].name }
        return "vmlinux"
    }
}

/// The state of one scenario run.
struct Execution<State: PackedState> {
    let world: CompiledWorld
    let checked: Set<LivepatchProperty>
    var state = State.zero
    var output: [String] = []
    var violations: [ScenarioViolation] = []
    var findings: [ScenarioViolation] = []
    var impossibleSteps: [ScenarioImpossibleStep] = []
    /// `pre_patch_ret` of each loaded patch module.
    var prePatchReturn: [Int: Int32] = [:]
    var location = SourceLocation(file: "", line: 0, column: 0)

    init(world: CompiledWorld, checked: Set<LivepatchProperty>) {
        self.world = world
        self.checked = checked
    }

    func patchIndex(_ name: String) -> Int? { world.world.patches.firstIndex { $0.name == name } }
    func moduleIndex(_ name: String) -> Int? { world.world.modules.firstIndex { $0.name == name } }

    /// Runs one event, printing its log and noting what it breaks.
    mutating func fire(_ event: LivepatchEvent, failing: Set<ChoicePoint> = []) -> EventResult {
        let record = world.run(event, from: state, oracle: ScriptedOracle(failing: failing, prePatchReturn: prePatchReturn))
        guard record.result != .disabled else { return .disabled }
        output += record.log
        for property in LivepatchProperty.allCases {
            guard let reason = record.reasons[property] else { continue }
            let violation = ScenarioViolation(property: property, location: location, reason: reason)
            if property.isFinding { findings.append(violation) } else if checked.contains(property) { violations.append(violation) }
        }
        state = record.state
        return record.result
    }

    /// Lets tasks switch and the transition complete while they can, as the selftests wait.
    mutating func settle() {
        while world.inTransition(state) {
            var progressed = false
            // With symmetry the event switches "a task": fire it once per task.
            for task in 0..<world.taskCount where fire(LivepatchEvent(.switchTask, world.symmetry ? 0 : task)) == .done {
                progressed = true
            }
            for worker in 0..<world.workerCount where fire(LivepatchEvent(.switchWorker, worker)) == .done { progressed = true }
            if fire(LivepatchEvent(.complete)) == .done { progressed = true }
            if !progressed { break }
        }
    }

    static func sysfsError(_ errno: Int32) -> String {
        errno == Errno.einval ? "Invalid argument" : Errno.text(errno)
    }

    mutating func run(_ scenario: Scenario) throws -> ScenarioOutcome {
        for line in scenario.lines {
            location = line.location
            output.append("% " + line.text)
            switch line.command {
            case .insmod(let name, let parameters):
                insmod(name, parameters: parameters)
            case .rmmod(let name):
                rmmod(name)
            case .writeEnabled(let name, let value):
                let p = patchIndex(name)!
                guard isListed(p) else {
                    output.append("bash: /sys/kernel/livepatch/\(name)/enabled: No such file or directory")
                    continue
                }
                let result = fire(LivepatchEvent(value == 0 ? .disablePatch : .enablePatch, p))
                if case .refused(let errno) = result { output.append("bash: echo: write error: \(Self.sysfsError(errno))") }
            case .writeForce(let name):
                let p = patchIndex(name)!
                guard isListed(p) else {
                    output.append("bash: /sys/kernel/livepatch/\(name)/force: No such file or directory")
                    continue
                }
                if fire(LivepatchEvent(.forcePatch, p)) == .disabled { output.append("bash: echo: write error: Invalid argument") }
            case .writePrePatchReturn(let name, let value):
                let p = patchIndex(name)!
                guard isLoaded(p) else {
                    output.append("bash: /sys/module/\(name)/parameters/pre_patch_ret: No such file or directory")
                    continue
                }
                prePatchReturn[p] = value
            case .step(let step):
                try replay(step, text: line.text)
            }
            if !scenario.isReplay { settle() }
            checkProgress()
        }
        return ScenarioOutcome(output: output, violations: violations, findings: findings, impossibleSteps: impossibleSteps)
    }

    /// Searches from the current state for one with no transition; none
    /// reachable breaks `progress`. Bounded, so it never claims what it could
    /// not search.
    mutating func checkProgress(limit: Int = 1_000_000) {
        guard checked.contains(.progress), world.inTransition(state),
            !violations.contains(where: { $0.property == .progress })
        else { return }
        // A breadth-first search of its own over a Swift set, stopped at the
        // first state with no transition and after `limit` states. The
        // engine's search would be compiled once more for every state width
        // for this small question, which costs release builds minutes.
        let model = LivepatchModel<State>(world: world)
        var sink = SuccessorSink<State>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        var seen: Set<State> = [state]
        var frontier = [state]
        while !frontier.isEmpty {
            var next: [State] = []
            for source in frontier {
                sink.reset()
                model.successors(of: source, into: &sink)
                for index in 0..<sink.count {
                    let target = sink.state(at: index)
                    guard seen.insert(target).inserted else { continue }
                    if !world.inTransition(target) || seen.count > limit { return }
                    next.append(target)
                }
            }
            frontier = next
        }
        let patch = world.transitionPatchName(state) ?? "?"
        violations.append(
            ScenarioViolation(
                property: .progress, location: location,
                reason: "from here no sequence of events ends the transition of \(VisibleText.quoted(patch)) (\(seen.count) reachable states searched)"))
    }

    func isListed(_ p: Int) -> Bool { world.isListed(p, in: state) }
    func isLoaded(_ p: Int) -> Bool { world.isInserted(p, in: state) }
    func moduleLoaded(_ m: Int) -> Bool { world.isLoaded(module: m, in: state) }

    mutating func insmod(_ name: String, parameters: [String: String]) {
        let failure = "insmod: ERROR: could not insert module test_modules/\(name).ko: "
        if let m = moduleIndex(name) {
            guard !moduleLoaded(m) else {
                output.append(failure + "File exists")
                return
            }
            if case .refused(let errno) = fire(LivepatchEvent(.moduleComing, m)) {
                output.append(failure + Errno.text(errno))
                return
            }
            _ = fire(LivepatchEvent(.moduleInit, m))
        } else if let p = patchIndex(name) {
            guard !isLoaded(p) else {
                output.append(failure + "File exists")
                return
            }
            prePatchReturn[p] = parameters["pre_patch_ret"].flatMap { Int32($0) }.flatMap { $0 == 0 ? nil : $0 }
            if case .refused(let errno) = fire(LivepatchEvent(.loadPatch, p)) {
                output.append(failure + Errno.text(errno))
                prePatchReturn[p] = nil
            }
        }
    }

    mutating func rmmod(_ name: String) {
        if let m = moduleIndex(name) {
            guard fire(LivepatchEvent(.moduleExit, m)) == .done else {
                output.append("rmmod: ERROR: Module \(name) is not currently loaded")
                return
            }
            _ = fire(LivepatchEvent(.moduleGoing, m))
        } else if let p = patchIndex(name) {
            switch fire(LivepatchEvent(.unloadPatch, p)) {
            case .done: prePatchReturn[p] = nil
            case .refused: output.append("rmmod: ERROR: Module \(name) is in use")
            case .disabled: output.append("rmmod: ERROR: Module \(name) is not currently loaded")
            }
        }
    }

    /// One explorer step, exactly.
    mutating func replay(_ step: ScenarioStep, text: String) throws {
        // `ScenarioRunner.configure` has checked every name.
        guard let event = world.event(step.kind, named: step.operand) else { return }
        var failing: Set<ChoicePoint> = []
        if let failure = step.failure, let p = patchIndex(failure.patch),
            let g = world.object(patch: p, target: failure.target)
        {
            failing.insert(ChoicePoint(kind: failure.kind, object: g))
        }
        switch fire(event, failing: failing) {
        case .disabled:
            output.append("klpcheck: this step cannot happen here (its guard does not hold); skipped")
            impossibleSteps.append(ScenarioImpossibleStep(location: location, step: text))
        case .refused(let errno):
            output.append("klpcheck: the step is refused: \(Errno.name(errno)) (\(Errno.text(errno)))")
        case .done:
            break
        }
    }
}
