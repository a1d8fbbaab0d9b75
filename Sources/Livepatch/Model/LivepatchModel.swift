import KLPEngine

/// The livepatch core of a world, as a model the engine explores.
///
/// A state is the packed section-2 state of the world; an action is an
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
    private let eventCount: Int
    private let keepAlive: Storage
    /// The task switches' events, `taskEvents.lowerBound` being task 0's.
    private let taskEvents: Range<Int>
    /// With tasks named, their patch-state bits when they form one run in
    /// one word (the usual layout): the word, the run's shift, and its mask
    /// in place; mask 0 otherwise.
    private let taskWord: Int
    private let taskShift: UInt64
    private let taskRunMask: UInt64

    /// The model of `world`; its states must fit `State`.
    public init(world: CompiledWorld) {
        precondition(world.wordCount <= State.wordCount, "state type too small")
        self.world = world
        tables = WorldRef(world)
        events = LivepatchEvent.all(in: world)
        eventCount = events.count
        keepAlive = Storage(count: events.count)
        codes = keepAlive.codes
        decoded = keepAlive.events
        for (index, event) in events.enumerated() {
            codes[index] = event.code
            decoded[index] = event
        }
        let all = events
        let switches = all.indices.filter { if case .switchTask = all[$0] { return true } else { return false } }
        taskEvents = (switches.first ?? events.count)..<((switches.last ?? events.count - 1) + 1)
        let tables = WorldRef(world)
        let named = world.symmetry ? 0 : world.taskCount
        let first = tables.taskPatched[0]
        let isRun = named > 0 && Int(first.shift) + named <= 64 && (0..<named).allSatisfy { task in
            let field = tables.taskPatched[task]
            return field.word == first.word && field.shift == first.shift + UInt64(task) && field.mask == 1
        }
        taskWord = isRun ? first.word : 0
        taskShift = isRun ? first.shift : 0
        taskRunMask = isRun ? (named == 64 ? .max : (UInt64(1) << UInt64(named) - 1)) << first.shift : 0
    }

    /// Every property of section 5, indexed by `LivepatchProperty.index`.
    public var properties: [PropertyDescriptor] {
        LivepatchProperty.allCases.map { PropertyDescriptor(name: $0.rawValue, kind: $0.kind) }
    }

    /// Bit-field packing is a dense encoding: every state of a one-word
    /// world is below 2^bits, so small worlds can use a bitmap.
    public var denseStateCount: UInt64? {
        world.wordCount == 1 && world.bitCount <= 40 ? UInt64(1) << UInt64(world.bitCount) : nil
    }

    /// With tasks named (symmetry off), the first six tasks' patch states:
    /// every transition lets each task switch, so the states that differ
    /// only there come together, and a paged visited set keeps them as one.
    public var pageField: PageField? {
        let run = min(6, tables.taskCount)
        guard taskRunMask != 0, run >= 2, Int(taskShift) + run <= 62 else { return nil }
        return PageField(word: taskWord, shift: Int(taskShift), bits: run)
    }

    /// Events plus one per open outcome.
    public var maxSuccessors: Int { eventCount + world.objectCount + 2 }

    /// Nothing loaded, nothing listed.
    public func initialStates(into sink: inout SuccessorSink<State>) {
        sink.emit(.zero, action: 0)
    }

    /// Fires every event, once per outcome.
    ///
    /// Task switches, most of the transitions of a world with many tasks,
    /// take a fast path: they run no callback, so they only flip a task's
    /// state (exactly what `Machine.switchTask` and `finishStep` do).
    public func successors(of state: State, into sink: inout SuccessorSink<State>) {
        let transition = state[tables.transitionPatch] - 1
        let switching = transition >= 0 && !state[flag: tables.reversed]
        let target = state[flag: tables.targetPatched]
        let unlisted: PropertySet =
            transition >= 0 && state[tables.position[transition]] == 0
            ? PropertySet(index: LivepatchProperty.singleTransition.index) : []
        for index in 0..<taskEvents.lowerBound {
            emitEvent(index, from: state, transition: transition, target: target, into: &sink)
        }
        if switching && tables.hasContracts {
            // A switch changes which code a task runs: the contracts judge it in the machine.
            for index in taskEvents { emitEvent(index, from: state, transition: transition, target: target, into: &sink) }
        } else if switching {
            if taskRunMask != 0 {
                // Each task not yet in the target state switches: one bit flips.
                let word = state.word(taskWord)
                var pending = (target ? ~word : word) & taskRunMask
                while pending != 0 {
                    let bit = pending & (0 &- pending)
                    pending &= pending &- 1
                    var next = state
                    next.setWord(taskWord, to: word ^ bit)
                    let task = UInt64(bit.trailingZeroBitCount) &- taskShift
                    sink.emit(next, action: codes[taskEvents.lowerBound &+ Int(task)], violating: unlisted)
                }
            } else {
                for index in taskEvents {
                    guard case .switchTask(let task) = decoded[index] else { continue }
                    var next = state
                    if tables.symmetry {
                        let count = state[tables.patchedTaskCount]
                        if target ? count == tables.taskCount : count == 0 { continue }
                        next[tables.patchedTaskCount] = target ? count + 1 : count - 1
                    } else {
                        if state[flag: tables.taskPatched[task]] == target { continue }
                        next[flag: tables.taskPatched[task]] = target
                    }
                    sink.emit(next, action: codes[index], violating: unlisted)
                }
            }
        }
        for index in taskEvents.upperBound..<eventCount {
            emitEvent(index, from: state, transition: transition, target: target, into: &sink)
        }
    }

    /// Fires event `index` once per outcome: every event but a task switch,
    /// which runs no callback and takes the fast path above.
    @inline(__always)
    private func emitEvent(
        _ index: Int, from state: State, transition: Int, target: Bool, into sink: inout SuccessorSink<State>
    ) {
        let event = decoded[index]
        guard mayFire(event, in: state, transition: transition, target: target) else { return }
        let code = codes[index]
        var failAt = 0
        var outcomes = 0
        repeat {
            var machine = Machine(
                world: tables, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: failAt))
            let result = machine.apply(event)
            if result == .disabled { break }
            if result == .done || machine.ranCallback || machine.state != state {
                sink.emit(machine.state, action: code | UInt32(failAt), violating: PropertySet(rawValue: machine.violated))
            }
            if failAt == 0 { outcomes = machine.oracle.choicePoints }
            failAt += 1
        } while failAt <= outcomes
    }

    /// A necessary condition for `event` to fire or to run a callback,
    /// read straight from the state: most events are disabled in most
    /// states, and this skips them without running the machine. Events it
    /// lets through are decided by the machine itself.
    @inline(__always)
    func mayFire(_ event: LivepatchEvent, in state: State, transition: Int, target: Bool) -> Bool {
        switch event {
        case .moduleComing(let m): return state[tables.moduleState[m]] == ModuleState.unloaded
        case .moduleInit(let m): return state[tables.moduleState[m]] == ModuleState.coming
        case .moduleExit(let m): return state[tables.moduleState[m]] == ModuleState.live
        case .moduleGoing(let m): return state[tables.moduleState[m]] == ModuleState.going
        case .loadPatch(let p):
            // While a transition runs, upstream refuses with -EBUSY and no log
            // or callback: a pure self-loop. Incompatible states log only.
            return state[tables.position[p]] == 0 && !state[flag: tables.retired[p]]
                && (transition < 0 || tables.core == .enableDuringTransition)
        case .disablePatch(let p):
            // Writing 0 to a patch already being disabled is refused with
            // -EINVAL, and one to another patch during a transition with
            // -EBUSY: no log, no callback, no change.
            return state[tables.position[p]] != 0 && (transition < 0 || (transition == p && target))
        case .enablePatch(let p): return transition == p && !target
        case .unloadPatch(let p): return state[flag: tables.retired[p]] && !state[flag: tables.forced[p]]
        case .forcePatch(let p): return transition == p
        case .complete:
            // Completion needs every task switched (unless the core completes
            // early): with the tasks' bits in one run, one comparison.
            guard transition >= 0 else { return false }
            return taskRunMask == 0 || tables.core == .completeBeforeSwitch
                || state.word(taskWord) & taskRunMask == (target ? taskRunMask : 0)
        case .switchWorker(let w):
            return transition >= 0 && !state[flag: tables.reversed] && state[flag: tables.workerPatched[w]] != target
        case .switchTask: return transition >= 0
        }
    }

    /// `progress`: a state with no transition.
    public func isGoal(_ state: State, property: Int) -> Bool { state[tables.transitionPatch] == 0 }

    private final class Storage: @unchecked Sendable {
        let codes: UnsafeMutablePointer<UInt32>
        let events: UnsafeMutablePointer<LivepatchEvent>
        init(count: Int) {
            codes = .allocate(capacity: max(count, 1))
            events = .allocate(capacity: max(count, 1))
            events.initialize(repeating: .complete, count: max(count, 1))
        }
        deinit {
            codes.deallocate()
            events.deallocate()
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
    public var description: String {
        "the world's state needs \(bits) bits; at most \(PackedStateLayout.payloadBits(words: 8)) fit: declare fewer patches, objects, modules or tasks"
    }
}

extension CompiledWorld {
    /// Calls `visitor` with the model of this world, packed in 1, 2, 4 or 8 words.
    public func withModel<V: LivepatchModelVisitor>(_ visitor: V) throws -> V.Result {
        switch self.wordCount {
        case 1: return try visitor.visit(LivepatchModel<UInt64>(world: self))
        case 2: return try visitor.visit(LivepatchModel<PackedWords2>(world: self))
        case 3, 4: return try visitor.visit(LivepatchModel<PackedWords4>(world: self))
        case 5...8: return try visitor.visit(LivepatchModel<PackedWords8>(world: self))
        default: throw WorldTooLarge(bits: self.bitCount)
        }
    }
}
