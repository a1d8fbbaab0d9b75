import KLPEngine

/// The livepatch core of a world, as a model the engine explores.
///
/// A state is the world's state (Livepatch.docc, WorldAndState), packed; an action is an
/// event with the outcome of its open choices. Refused events that run no
/// callback and change nothing are self-loops and are not fired.
public struct LivepatchModel<State: PackedState>: TransitionSystem, @unchecked Sendable {
    /// The compiled world.
    public let world: CompiledWorld
    /// The events, in action order.
    public let events: [LivepatchEvent]
    /// The hot path's handle on the world: one pointer.
    private let tables: WorldRef
    private let codes: UnsafeMutablePointer<UInt32>
    private let decoded: UnsafeMutablePointer<LivepatchEvent>
    /// Per event, the event that follows it at once when it is done, or
    /// -1: a merged module's init after its COMING notifier, its GOING
    /// notifier after its exit (`MergedLoaderSteps`).
    private let followUps: UnsafeMutablePointer<Int32>
    private let eventCount: Int
    private let keepAlive: Storage
    /// The task switches' events, `taskEvents.lowerBound` being task 0's.
    private let taskEvents: Range<Int>
    /// The events that drive a transition to its end, in the order the
    /// progress hint tries them: completion, task switches, worker switches.
    private let drivingEvents: [Int]
    /// With tasks named, their patch-state bits when they form one run in
    /// one word (the usual layout): the word, the run's shift, and its mask
    /// in place; mask 0 otherwise.
    private let taskWord: Int
    private let taskShift: UInt64
    let taskRunMask: UInt64
    /// Whether the events begin with each module's four loader steps
    /// (coming, init, exit, going), in module order, each kind's raw value
    /// being the module state its guard asks for: then a module's open step
    /// is event `4 * m + state`, found without reading four guards.
    let loaderStepsLead: Bool
    private let moduleCount: Int
    /// Whether each patch's steps follow the loader steps, in patch order
    /// and in `EventKind` order (load, disable, enable, unload, then force
    /// when the world explores it): then the successor generator reads
    /// their guards patch by patch, with no dispatch on the event's kind.
    let patchStepsFollow: Bool
    private let patchCount: Int
    /// Steps per patch: 4, or 5 with `force`.
    private let stepsPerPatch: Int
    /// Whether the world has classes of interchangeable modules to fold
    /// (`ModuleSymmetry`): each successor of a representative is then its
    /// orbit's representative.
    let foldsModules: Bool
    /// Whether some module's loader steps are merged (`MergedLoaderSteps`).
    let mergesLoaderSteps: Bool
    /// Whether a completion also removes the patches it retired
    /// (`CompiledWorld.mergesRetirement`).
    let mergesRetirement: Bool

    /// The model of `world`; its states must fit `State`.
    public init(world: CompiledWorld) {
        self.init(world: world, reducing: true)
    }

    /// The model of `world`, with the reductions it was compiled with
    /// only when `reducing` (a trace's replay needs the states themselves).
    init(world: CompiledWorld, reducing: Bool) {
        precondition(world.wordCount <= State.wordCount, "state type too small")
        self.world = world
        tables = WorldRef(world)
        let events = LivepatchEvent.all(in: world)
        self.events = events
        eventCount = events.count
        keepAlive = Storage(count: events.count)
        codes = keepAlive.codes
        decoded = keepAlive.events
        followUps = keepAlive.followUps
        let merged = world.tables.pointee.mergedLoaderSteps
        mergesLoaderSteps = reducing && merged.count > 0
        mergesRetirement = reducing && world.tables.pointee.mergesRetirement
        for (index, event) in events.enumerated() {
            codes[index] = event.code
            decoded[index] = event
            if mergesLoaderSteps, let next = merged.secondHalf(of: event), let follow = events.firstIndex(of: next) {
                followUps[index] = Int32(follow)
            }
        }
        let switches = events.indices.filter { events[$0].kind == .switchTask }
        taskEvents = (switches.first ?? events.count)..<((switches.last ?? events.count - 1) + 1)
        drivingEvents = [EventKind.complete, .switchTask, .switchWorker].flatMap { kind in
            events.indices.filter { events[$0].kind == kind }
        }
        let tables = WorldRef(world)
        let named = world.symmetry ? 0 : world.taskCount
        let first = tables.taskPatched[0]
        let isRun = named > 0 && Int(first.shift) + named <= 64 && (0..<named).allSatisfy { task in
            let field = tables.taskPatched[task]
            return field.word == first.word && field.shift == first.shift + UInt64(task) && field.mask == 1
        }
        taskWord = isRun ? first.word : 0
        taskShift = isRun ? first.shift : 0
        foldsModules = reducing && tables.moduleSymmetry.classCount > 0
        taskRunMask = isRun ? (named == 64 ? .max : (UInt64(1) << UInt64(named) - 1)) << first.shift : 0
        moduleCount = world.moduleCount
        let loaderKinds: [EventKind] = [.moduleComing, .moduleInit, .moduleExit, .moduleGoing]
        let guardStates = [ModuleState.unloaded, ModuleState.coming, ModuleState.live, ModuleState.going]
        loaderStepsLead =
            loaderKinds.map { Int($0.rawValue) } == guardStates
            && Self.events(events, from: 0, are: loaderKinds, forEachOf: world.moduleCount)
        let patchKinds: [EventKind] = [.loadPatch, .disablePatch, .enablePatch, .unloadPatch] + (world.force ? [.forcePatch] : [])
        patchCount = world.patchCount
        stepsPerPatch = patchKinds.count
        patchStepsFollow =
            loaderStepsLead && Self.events(events, from: 4 * world.moduleCount, are: patchKinds, forEachOf: world.patchCount)
    }

    /// Whether `events`, from index `start`, are `kinds` for operand 0, then
    /// `kinds` for operand 1, and so on for `operands` operands: the order
    /// the successor generator's fast paths rely on.
    private static func events(_ events: [LivepatchEvent], from start: Int, are kinds: [EventKind], forEachOf operands: Int) -> Bool {
        let count = kinds.count * operands
        return events.count >= start + count
            && (0..<count).allSatisfy { events[start + $0] == LivepatchEvent(kinds[$0 % kinds.count], $0 / kinds.count) }
    }

    /// Every property and finding (Livepatch.docc, PropertiesAndFindings), indexed by `LivepatchProperty.index`.
    public var properties: [PropertyDescriptor] {
        LivepatchProperty.allCases.map { PropertyDescriptor(name: $0.rawValue, kind: $0.kind) }
    }

    /// Bit-field packing is a dense encoding: every state of a one-word
    /// world is below 2^bits, so small worlds can use a bitmap.
    public var denseStateCount: UInt64? {
        world.wordCount == 1 && world.bitCount <= 40 ? UInt64(1) << UInt64(world.bitCount) : nil
    }

    /// The bits a paged visited set keeps as a page (`PageField`): those
    /// that many steps change, so that a state's successors share its page.
    ///
    /// With tasks named (symmetry off), the first six tasks' patch states:
    /// every transition lets each task switch; with fewer than six tasks,
    /// the bits of busy modules' workers (patch state, then sleeping) that
    /// follow the tasks' in the same word join them, up to six bits, since
    /// workers switch as tasks do. Else, when no module is
    /// folded or merged, the states of up to three modules: every state
    /// has one loader step per module. Module paging is off under those
    /// reductions, which leave a module few of its four states (merged, only
    /// UNLOADED and LIVE) and the pages sparse. Measured in
    /// `Reports/bench.md` (eighth session).
    public var pageField: PageField? {
        let run = min(6, tables.taskCount)
        if taskRunMask != 0 && run >= 2 {
            var bits = run
            if run == tables.taskCount {
                let workers = 0..<tables.workerCount
                let followers = workers.map { tables.workerPatched[$0] } + workers.map { tables.workerSleeping[$0] }
                for field in followers {
                    let end = Int(taskShift) + bits
                    guard bits < 6 && end < 62 && field.word == taskWord && Int(field.shift) == end && field.mask == 1 else { break }
                    bits += 1
                }
            }
            return Int(taskShift) + bits <= 62 ? PageField(word: taskWord, shift: Int(taskShift), bits: bits) : nil
        }
        guard !foldsModules && !mergesLoaderSteps else { return nil }
        return moduleStatePage
    }

    /// The longest run of two or three module states packed side by side in
    /// one word, the first one found; nil without one.
    private var moduleStatePage: PageField? {
        var best: PageField?
        var m = 0
        while m < moduleCount {
            let first = tables.moduleState[m]
            var length = 1
            while length < 3 && m + length < moduleCount {
                let next = tables.moduleState[m + length]
                guard next.word == first.word && next.shift == first.shift + UInt64(2 * length) else { break }
                length += 1
            }
            if length >= 2 && length * 2 > (best?.bits ?? 0) && Int(first.shift) + 2 * length <= 62 {
                best = PageField(word: first.word, shift: Int(first.shift), bits: 2 * length)
            }
            m += length
        }
        return best
    }

    /// Whether each state stands for several of the full space: its orbit
    /// under module symmetry (`foldsModules`), and the other loader states
    /// of its merged modules (`mergesLoaderSteps`).
    public var foldsStates: Bool { foldsModules || mergesLoaderSteps }

    /// Whether the states' weights count the full space: not when
    /// retirement is merged, since a removed patch stands for one state of
    /// the full space or for two (retired too) depending on the path, which
    /// the state does not record.
    public var countsFullSpace: Bool { !mergesRetirement }

    /// The full-space states `state` stands for: the size of its orbit under
    /// module symmetry (`ModuleSymmetry.orbitSize(of:)`) times the loader
    /// states its merged modules stand for (`MergedLoaderSteps.representedStates(by:)`).
    /// The orbit's states hold as many merged modules LIVE as `state` does.
    public func representedStates(by state: State) -> Double {
        (foldsModules ? tables.moduleSymmetry.orbitSize(of: state) : 1)
            * (mergesLoaderSteps ? tables.mergedLoaderSteps.representedStates(by: state) : 1)
    }

    /// Events plus one per open outcome.
    public var maxSuccessors: Int { eventCount + world.objectCount + 2 }

    /// Nothing loaded, nothing listed.
    public func initialStates(into sink: inout SuccessorSink<State>) {
        sink.emit(.zero, action: 0)
    }

    /// Fires every event, once per outcome.
    ///
    /// Each event's guard (`Machine+Guards.swift`) is read straight from the
    /// state, so the machine runs only for events that can do something;
    /// most guards are closed, so they are read in the loop and only open
    /// events pay for a call (`fire`). Each module has exactly one open
    /// loader step, the one its state selects; each patch's steps are read
    /// patch by patch (`firePatchSteps`). With
    /// tasks named and their bits in one run of one word, task switches take
    /// a fast path: their guard gives the tasks that may switch as one word,
    /// and each switch runs no callback, so it only flips the task's bit
    /// (what `Machine.switchTask` and `finishStep` do).
    public func successors(of state: State, into sink: inout SuccessorSink<State>) {
        let probe = Machine(world: tables, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: 0))
        var first = 0
        if loaderStepsLead {
            for m in 0..<moduleCount { fire(m &<< 2 | probe.moduleState(m), from: state, into: &sink) }
            first = moduleCount &<< 2
        }
        if patchStepsFollow {
            firePatchSteps(from: probe, first: first, into: &sink)
            first &+= patchCount &* stepsPerPatch
        }
        // A switch changes which code a task runs: in a world with author
        // contracts the machine judges it, so the fast path stays off there.
        guard taskRunMask != 0 && !tables.hasContracts else {
            fireOpen(first..<eventCount, from: probe, into: &sink)
            return
        }
        fireOpen(first..<taskEvents.lowerBound, from: probe, into: &sink)
        var pending = probe.switchableTasks(inWord: taskWord)
        if pending != 0 {
            let word = state.word(taskWord)
            let transition = probe.transitionPatch
            let unlisted: PropertySet =
                probe.isListed(transition) ? [] : PropertySet(index: LivepatchProperty.singleTransition.index)
            while pending != 0 {
                let bit = pending & (0 &- pending)
                pending &= pending &- 1
                var next = state
                next.setWord(taskWord, to: word ^ bit)
                let task = UInt64(bit.trailingZeroBitCount) &- taskShift
                sink.emit(next, action: codes[taskEvents.lowerBound &+ Int(task)], violating: unlisted)
            }
        }
        fireOpen(taskEvents.upperBound..<eventCount, from: probe, into: &sink)
    }

    /// Fires each patch's steps whose guard is open in `probe`'s state, in
    /// event order, patch `p`'s load being event `first + p * stepsPerPatch`
    /// (`patchStepsFollow`): the guards of `Machine+Guards.swift`, called by
    /// kind, so that their reads of the patch's fields are shared.
    @inline(__always)
    private func firePatchSteps(
        from probe: Machine<State, SilentLog, EnumeratingOracle>, first: Int, into sink: inout SuccessorSink<State>
    ) {
        var index = first
        for p in 0..<patchCount {
            if probe.gate(loadPatch: p) == .open { fire(index, from: probe.state, into: &sink) }
            if probe.gate(disablePatch: p) == .open { fire(index &+ 1, from: probe.state, into: &sink) }
            if probe.gate(enablePatch: p) == .open { fire(index &+ 2, from: probe.state, into: &sink) }
            if probe.gate(unloadPatch: p) == .open { fire(index &+ 3, from: probe.state, into: &sink) }
            if stepsPerPatch == 5 && probe.gate(forcePatch: p) == .open { fire(index &+ 4, from: probe.state, into: &sink) }
            index &+= stepsPerPatch
        }
    }

    /// Fires the events of `range` whose guard is open in `probe`'s state.
    @inline(__always)
    private func fireOpen(
        _ range: Range<Int>, from probe: Machine<State, SilentLog, EnumeratingOracle>, into sink: inout SuccessorSink<State>
    ) {
        for index in range where probe.gate(decoded[index]) == .open { fire(index, from: probe.state, into: &sink) }
    }

    /// Fires event `index`, whose guard is open in `state`, once per outcome:
    /// a step that is done, runs a callback or changes the state (a refusal
    /// that does none of these is a self-loop and is not fired). Kept out of
    /// line: inlined, the whole machine would sit in the loop over the guards.
    @inline(never)
    private func fire(_ index: Int, from state: State, into sink: inout SuccessorSink<State>) {
        let event = decoded[index]
        let code = codes[index]
        var failAt = 0
        var outcomes = 0
        repeat {
            var machine = Machine(
                world: tables, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: failAt))
            let first = machine.apply(event)
            if first == .disabled { break }
            let result = finishMergedStep(index, after: first, on: &machine)
            if result == .done || machine.ranCallback || machine.state != state {
                // Module symmetry: store the orbit's representative. Task
                // switches (the fast path) touch no module, so they keep it;
                // so does any step from a representative (every state the
                // search stores is one) that changes no module's part.
                let next = foldsModules ? tables.moduleSymmetry.canonical(machine.state, after: state) : machine.state
                sink.emit(next, action: code | UInt32(failAt), violating: PropertySet(rawValue: machine.violated))
            }
            if failAt == 0 { outcomes = machine.oracle.choicePoints }
            failAt += 1
        } while failAt <= outcomes
    }

    /// The rest of the merged step that event `index` began, which left
    /// `machine` with `result`: the second half of a merged module's
    /// `insmod` or `rmmod` (`followUps`), and after a completion the removal
    /// of the patches it retired (`mergesRetirement`). Returns the whole
    /// step's result. The successors and the progress hint both end their
    /// steps here, so a hint is always a state the search stores.
    @inline(__always)
    private func finishMergedStep(
        _ index: Int, after result: EventResult, on machine: inout Machine<State, SilentLog, EnumeratingOracle>
    ) -> EventResult {
        guard result == .done else { return result }
        let follow = followUps[index]
        if follow >= 0 { return machine.apply(decoded[Int(follow)]) }
        if mergesRetirement && decoded[index].kind == .complete { machine.unloadRetiredPatches() }
        return result
    }

    /// The second half of a merged module's `insmod` or `rmmod`
    /// (`MergedLoaderSteps`), when `state` is where the first half, step
    /// `action`, left it: the step and the properties it breaks. Nil for any
    /// other step, and for a refused COMING notifier (the module is
    /// UNLOADED again, init is closed).
    func secondHalf(of action: UInt32, from state: State) -> (step: TraceStep<State>, violated: PropertySet)? {
        guard let (event, _) = LivepatchEvent.decode(action), let next = tables.mergedLoaderSteps.secondHalf(of: event) else {
            return nil
        }
        var machine = Machine(world: tables, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: 0))
        guard machine.apply(next) == .done else { return nil }
        return (TraceStep(action: next.code, state: machine.state), PropertySet(rawValue: machine.violated))
    }

    /// The `rmmod` steps a merged completion ran after completion `action`
    /// (`CompiledWorld.mergesRetirement`), from `state`, where the completion
    /// left it; empty for any other step.
    func retirementSteps(after action: UInt32, from state: State) -> [TraceStep<State>] {
        guard tables.mergesRetirement, let (event, _) = LivepatchEvent.decode(action), event.kind == .complete else { return [] }
        var machine = Machine(world: tables, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: 0))
        var steps: [TraceStep<State>] = []
        machine.unloadRetiredPatches { p, after in steps.append(TraceStep(action: LivepatchEvent(.unloadPatch, p).code, state: after)) }
        return steps
    }

    /// `progress`: a state with no transition.
    public func isGoal(_ state: State, property: Int) -> Bool { state[tables.transitionPatch] == 0 }

    /// In a transition, the step that drives it towards its end: the
    /// completion when its guard is open, else the first task or worker
    /// that may switch (Livepatch.docc, Events: 9 and 10). The successor
    /// `successors(of:into:)` emits for that event (its first outcome, with
    /// module symmetry its representative); nil when none is open, so that
    /// the progress check looks at every successor.
    public func progressHint(of state: State, property: Int) -> State? {
        guard state[tables.transitionPatch] != 0 else { return nil }
        let probe = Machine(world: tables, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: 0))
        // Task switches as `successors(of:into:)` takes them on its fast
        // path: the first task that may switch is the lowest bit of the
        // switchable ones, and its switch flips that bit.
        let fastSwitches = taskRunMask != 0 && !tables.hasContracts
        for index in drivingEvents {
            if fastSwitches && taskEvents.contains(index) {
                guard index == taskEvents.lowerBound else { continue }
                let pending = probe.switchableTasks(inWord: taskWord)
                guard pending != 0 else { continue }
                var next = state
                next.setWord(taskWord, to: state.word(taskWord) ^ (pending & (0 &- pending)))
                return next
            }
            guard probe.gate(decoded[index]) == .open else { continue }
            var machine = Machine(world: tables, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: 0))
            guard finishMergedStep(index, after: machine.apply(decoded[index]), on: &machine) == .done else { continue }
            return foldsModules ? tables.moduleSymmetry.canonical(machine.state, after: state) : machine.state
        }
        return nil
    }

    /// The event table in raw memory, read by the hot loop with no
    /// reference counting: each event's action code and the event itself.
    private final class Storage: @unchecked Sendable {
        let codes: UnsafeMutablePointer<UInt32>
        let events: UnsafeMutablePointer<LivepatchEvent>
        let followUps: UnsafeMutablePointer<Int32>
        init(count: Int) {
            codes = .allocate(capacity: max(count, 1))
            events = .allocate(capacity: max(count, 1))
            events.initialize(repeating: LivepatchEvent(.complete), count: max(count, 1))
            followUps = .allocate(capacity: max(count, 1))
            followUps.initialize(repeating: -1, count: max(count, 1))
        }
        deinit {
            codes.deallocate()
            events.deallocate()
            followUps.deallocate()
        }
    }
}

/// Something to do with the model of a world, whatever its state width.
public protocol LivepatchModelVisitor {
    /// The visit's result.
    associatedtype Result
    /// Called with the model, specialised for its state type.
    func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> Result
}

/// A world too large to pack.
public struct WorldTooLarge: Error, CustomStringConvertible {
    /// Bits the world's state needs.
    public var bits: Int
    /// The declaration whose inclusion makes the state too large, with the
    /// run's task symmetry (as the parser finds it with tasks counted).
    public var location: SourceLocation?
    public var description: String {
        World.tooLargeMessage(bits: bits) + " (or turn task symmetry on)"
    }
    /// The error at the crossing declaration, `FILE:LINE:COL: error: ...`; nil without a location.
    public var diagnostic: Diagnostic? { location.map { Diagnostic(location: $0, message: description) } }
}

extension CompiledWorld {
    /// Calls `visitor` with the model of this world, packed in 1, 2, 4, 8, 16
    /// or 32 words (the first cases unchanged, so narrow worlds pay nothing
    /// for the wide types).
    public func withModel<V: LivepatchModelVisitor>(_ visitor: V) throws -> V.Result {
        switch self.wordCount {
        case 1: return try visitor.visit(LivepatchModel<UInt64>(world: self))
        case 2: return try visitor.visit(LivepatchModel<PackedWords2>(world: self))
        case 3, 4: return try visitor.visit(LivepatchModel<PackedWords4>(world: self))
        case 5...8: return try visitor.visit(LivepatchModel<PackedWords8>(world: self))
        case 9...16: return try visitor.visit(LivepatchModel<PackedWords16>(world: self))
        case 17...32: return try visitor.visit(LivepatchModel<PackedWords32>(world: self))
        default: throw WorldTooLarge(bits: self.bitCount, location: world.stateSizeDiagnostic(symmetry: self.symmetry)?.location)
        }
    }
}
