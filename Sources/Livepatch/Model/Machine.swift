import KLPEngine

/// What one event did.
public enum EventResult: Equatable, Sendable {
    /// Its guard does not hold: the event cannot happen here.
    case disabled
    /// It happened.
    case done
    /// It was refused with an errno (a self-loop unless callbacks ran).
    case refused(Int32)
}

/// The livepatch core, executing one event at a time on a packed state:
/// Livepatch.docc's CallbackWrappers and Events, with the monitor of PropertiesAndFindings.
///
/// Every event is one atomic step under `klp_mutex`. The machine records
/// which properties the step breaks in `violated`, and the kernel log in `log`.
///
/// Its handle on the world does not keep the world alive, so only this
/// module runs it, from a `CompiledWorld` it holds: programs step the
/// machine through `CompiledWorld.run` and `CompiledWorld.replay`.
@usableFromInline
struct Machine<State: PackedState, Log: KernelLog, Oracle: OutcomeOracle> {
    /// The world's tables.
    @usableFromInline let world: WorldRef
    /// The state, updated by each event.
    @usableFromInline var state: State
    /// The kernel log of the step.
    @usableFromInline var log: Log
    /// The outcomes of the step's open choices.
    @usableFromInline var oracle: Oracle
    /// Properties (by `LivepatchProperty.index`) the step violates, findings included.
    @usableFromInline var violated: UInt64 = 0
    /// Whether any callback wrapper ran.
    @usableFromInline var ranCallback = false

    /// The object whose pre_patch failed in this step, or -1. An index, not
    /// a mask (objects go up to 256): a failure ends its event (the load is
    /// cancelled or refused), so a step has at most one.
    @usableFromInline var failedPrePatch: Int = -1
    /// The object whose patching failed in this step, or -1 (at most one, likewise).
    @usableFromInline var failedPatching: Int = -1
    /// Patches replaced in this step.
    @usableFromInline var replacedPatches: UInt32 = 0
    /// The state task-related properties are judged on: the state before a
    /// completion while it runs (the core resets task states and clears
    /// `func->transition` before the post callbacks), else the current one.
    @usableFromInline var taskView: State?

    /// A machine at `state`, for as long as the caller holds `world`.
    @inlinable init(world: CompiledWorld, state: State, log: Log, oracle: Oracle) {
        self.init(world: WorldRef(world), state: state, log: log, oracle: oracle)
    }

    /// A machine at `state`, for the hot path: `world` must outlive it.
    @inlinable @inline(__always)
    init(world: WorldRef, state: State, log: Log, oracle: Oracle) {
        self.world = world
        self.state = state
        self.log = log
        self.oracle = oracle
    }

    // MARK: Reading the state

    @inlinable @inline(__always) func position(_ p: Int) -> Int { state[world.position[p]] }
    @inlinable @inline(__always) func isListed(_ p: Int) -> Bool { state[world.position[p]] != 0 }
    /// The transition patch, or -1.
    @inlinable @inline(__always) var transitionPatch: Int { state[world.transitionPatch] &- 1 }
    @inlinable @inline(__always) var targetIsPatched: Bool { state[flag: world.targetPatched] }
    @inlinable @inline(__always) func moduleState(_ m: Int) -> Int { state[world.moduleState[m]] }
    @inlinable @inline(__always) func objectOf(_ p: Int, _ t: Int) -> Int { Int(world.objectOf[p &* world.targetCount &+ t]) }
    @inlinable @inline(__always) func dynamicOf(_ p: Int, _ t: Int) -> Int { Int(world.dynamicOf[p &* world.targetCount &+ t]) }
    @inlinable @inline(__always) func target(ofObject g: Int) -> Int { Int(world.targetOfObject[g]) }
    @inlinable @inline(__always) func patch(ofObject g: Int) -> Int { Int(world.patchOfObject[g]) }

    /// Whether target `t` is loaded: vmlinux always, a module while COMING, LIVE or GOING.
    @inlinable @inline(__always) func isLoaded(target t: Int) -> Bool { t == 0 || moduleState(t - 1) != ModuleState.unloaded }

    /// The dynamic (nop) slot of p for t when that object exists, else -1.
    @inlinable @inline(__always) func existingDynamic(_ p: Int, _ t: Int) -> Int {
        let d = dynamicOf(p, t)
        return d >= 0 && state[flag: world.dynamicExists[d]] ? d : -1
    }

    /// Patch indices in `list` order, oldest first, packed four bits each.
    @usableFromInline struct ListOrder {
        @usableFromInline var packed: UInt64 = 0
        @usableFromInline var count = 0
        @inlinable init() {}
        @inlinable @inline(__always) subscript(index: Int) -> Int { Int((packed >> UInt64(4 &* index)) & 15) }
    }

    @inlinable func listOrder() -> ListOrder { listOrder(in: state) }

    /// The list order of `view`.
    @inlinable func listOrder(in view: State) -> ListOrder {
        var order = ListOrder()
        for p in 0..<world.patchCount {
            let position = view[world.position[p]]
            if position > 0 {
                order.packed |= UInt64(p) << UInt64(4 &* (position &- 1))
                order.count &+= 1
            }
        }
        return order
    }

    /// Whether p is enabled: listed and not unpatching.
    @inlinable func isEnabled(_ p: Int) -> Bool { isListed(p) && !(transitionPatch == p && !targetIsPatched) }

    // MARK: Callback wrappers (Livepatch.docc, CallbackWrappers) and the monitor (PropertiesAndFindings)

    /// Records that the step breaks `property`; the caller explains why
    /// through `log.explain`, which costs nothing when the log is silent.
    @inlinable @inline(__always) mutating func mark(_ property: LivepatchProperty) {
        violated |= 1 << UInt64(property.index)
    }

    /// `pre_patch of 'p' on 'o'`, for reasons.
    @inlinable func call(_ kind: CallbackKind, _ g: Int) -> String {
        "\(kind.token) of '\(world.patchName(patch(ofObject: g)))' on '\(objectName(g))'"
    }

    @inlinable @inline(__always) func has(_ g: Int, _ kind: CallbackKind) -> Bool {
        world.callbackMask[g] & UInt8(1 << kind.rawValue) != 0
    }

    /// Checks common to every callback wrapper call on static object `g`.
    @inlinable mutating func checkCall(_ g: Int, _ kind: CallbackKind) {
        ranCallback = true
        let p = patch(ofObject: g)
        if !isLoaded(target: target(ofObject: g)) {
            mark(.loadedOnly)
            log.explain(.loadedOnly, "\(call(kind, g)) ran while '\(objectName(g))' is not loaded")
        }
        if replacedPatches & (1 << UInt32(p)) != 0 {
            mark(.replacedSilent)
            log.explain(.replacedSilent, "\(call(kind, g)) ran while '\(world.patchName(p))' was being replaced")
        } else if !isListed(p) {
            mark(.replacedSilent)
            log.explain(.replacedSilent, "\(call(kind, g)) ran after '\(world.patchName(p))' left the list")
        }
        if kind != .prePatch && failedPrePatch == g {
            mark(.failedPrePatchSilent)
            log.explain(.failedPrePatchSilent, "\(call(kind, g)) ran after its pre_patch failed")
        }
        if has(g, kind) {
            let t = target(ofObject: g)
            log.append(
                KernelMessage.callback(
                    world.patchName(p), kind, target: world.targetName(t),
                    moduleState: t == 0 ? nil : moduleState(t - 1)))
        }
    }

    /// `klp_pre_patch_callback`: returns 0 or the errno.
    @inlinable mutating func prePatch(_ g: Int) -> Int32 {
        checkCall(g, .prePatch)
        let result = has(g, .prePatch) ? oracle.prePatchResult(object: g, in: world) : 0
        if result == 0 {
            if state[flag: world.preOpen[g]] {
                mark(.prePatchOnce)
                log.explain(.prePatchOnce, "\(call(.prePatch, g)) succeeded again with no post_unpatch since its last success")
            }
            state[flag: world.preOpen[g]] = true
            if failedPrePatch == g { failedPrePatch = -1 }
            if world.hasContracts { runActions(g, .prePatch) }
        } else {
            failedPrePatch = g
        }
        state[flag: world.postUnpatchEnabled[g]] = result == 0
        return result
    }

    /// `klp_post_patch_callback`.
    @inlinable mutating func postPatch(_ g: Int) {
        checkCall(g, .postPatch)
        if !state[flag: world.preOpen[g]] {
            mark(.postPatchPaired)
            log.explain(.postPatchPaired, "\(call(.postPatch, g)) ran with no successful pre_patch open")
        } else if state[flag: world.postOpen[g]] {
            mark(.postPatchPaired)
            log.explain(.postPatchPaired, "\(call(.postPatch, g)) ran a second time with no pre_unpatch in between")
        }
        if !everyTaskRunsNewCode(ofObject: g) {
            mark(.postPatchAllTasks)
            log.explain(.postPatchAllTasks, "\(call(.postPatch, g)) ran while a task still runs older code for '\(objectName(g))'")
        }
        state[flag: world.postOpen[g]] = true
        if world.hasContracts { runActions(g, .postPatch) }
    }

    /// `klp_pre_unpatch_callback`.
    @inlinable mutating func preUnpatch(_ g: Int) {
        checkCall(g, .preUnpatch)
        if !state[flag: world.postOpen[g]] {
            mark(.preUnpatchPaired)
            log.explain(.preUnpatchPaired, "\(call(.preUnpatch, g)) ran with no post_patch before it")
        }
        state[flag: world.postOpen[g]] = false
        if world.hasContracts { runActions(g, .preUnpatch) }
    }

    /// `klp_post_unpatch_callback`: runs only while `post_unpatch_enabled` is set.
    @inlinable mutating func postUnpatch(_ g: Int) {
        guard state[flag: world.postUnpatchEnabled[g]] || world.core == .ungatedPostUnpatch else { return }
        checkCall(g, .postUnpatch)
        if !state[flag: world.preOpen[g]] {
            mark(.postUnpatchPaired)
            log.explain(.postUnpatchPaired, "\(call(.postUnpatch, g)) ran with no successful pre_patch open")
        }
        if state[flag: world.postOpen[g]] {
            mark(.unpatchOrder)
            log.explain(.unpatchOrder, "\(call(.postUnpatch, g)) ran while post_patch's bracket is open (no pre_unpatch ran)")
        }
        if someTaskRunsCode(ofObject: g) {
            mark(.postUnpatchNoTask)
            log.explain(.postUnpatchNoTask, "\(call(.postUnpatch, g)) ran while a task can still run the patch's code for '\(objectName(g))'")
        }
        if failedPatching == g {
            mark(.postUnpatchAfterPatchFailure)
            log.explain(.postUnpatchAfterPatchFailure, "\(call(.postUnpatch, g)) ran although patching '\(objectName(g))' failed after its pre_patch succeeded (callbacks.rst says it does not)")
        }
        state[flag: world.preOpen[g]] = false
        state[flag: world.postUnpatchEnabled[g]] = false
        if world.hasContracts { runActions(g, .postUnpatch) }
    }

    // MARK: Which code tasks run (Livepatch.docc, WorldAndState)

    /// The top two entries of target t's stack in `view`: the entries of
    /// the two listed patches with the highest list positions (newest) that
    /// have one for t. One pass over the patches, without building the list
    /// order: the monitor asks this for every callback it judges.
    @inlinable func stack(of t: Int, in view: State) -> (top: Entry, below: Entry) {
        var top = Entry.original
        var below = Entry.original
        var topPosition = 0
        var belowPosition = 0
        for p in 0..<world.patchCount {
            // Unlisted (0), or older than both entries kept so far.
            let position = view[world.position[p]]
            guard position > belowPosition else { continue }
            let g = objectOf(p, t)
            var entry: Entry?
            if g >= 0 && view[flag: world.patched[g]] {
                entry = Entry(patch: p, isNop: false)
            } else {
                let d = dynamicOf(p, t)
                if d >= 0 && view[flag: world.dynamicPatched[d]] { entry = Entry(patch: p, isNop: true) }
            }
            guard let entry else { continue }
            if position > topPosition {
                below = top
                belowPosition = topPosition
                top = entry
                topPosition = position
            } else {
                below = entry
                belowPosition = position
            }
        }
        return (top, below)
    }

    /// The entry a task in patch state `patched` runs for t in `view`.
    @inlinable func runs(_ t: Int, patched: Bool, in view: State) -> Entry {
        entry(patched: patched, of: stack(of: t, in: view), in: view)
    }

    /// Which of a stack's top two entries a task in patch state `patched`
    /// runs: the one below when the top is the transition patch's and the
    /// task has not switched to it.
    @inlinable func entry(patched: Bool, of stack: (top: Entry, below: Entry), in view: State) -> Entry {
        let transition = view[world.transitionPatch] - 1
        return stack.top.patch == transition && transition >= 0 && !patched ? stack.below : stack.top
    }

    /// The entries the tasks of `view` run for t: one per patch state some
    /// task or worker is in (nil for a state no task is in).
    @inlinable func entriesRun(for t: Int, in view: State) -> (unpatched: Entry?, patched: Entry?) {
        let present = taskStates(in: view)
        let stack = stack(of: t, in: view)
        return (
            present.unpatched ? entry(patched: false, of: stack, in: view) : nil,
            present.patched ? entry(patched: true, of: stack, in: view) : nil
        )
    }

    /// The patch states present among ordinary tasks and workers of `view`.
    @inlinable func taskStates(in view: State) -> (unpatched: Bool, patched: Bool) {
        var unpatched = false
        var patched = false
        if world.symmetry {
            let count = view[world.patchedTaskCount]
            patched = count > 0
            unpatched = count < world.taskCount
        }
        for word in 0..<world.wordCount {
            let mask = world.taskMask[word] | world.workerMask[word]
            guard mask != 0 else { continue }
            let bits = view.word(word) & mask
            if bits != 0 { patched = true }
            if bits != mask { unpatched = true }
        }
        return (unpatched, patched)
    }

    /// post-patch-all-tasks: every task runs p's code for g's target, or a newer patch's.
    @inlinable func everyTaskRunsNewCode(ofObject g: Int) -> Bool {
        let view = taskView ?? state
        let mine = view[world.position[patch(ofObject: g)]]
        let entries = entriesRun(for: target(ofObject: g), in: view)
        func isNew(_ entry: Entry?) -> Bool {
            guard let entry else { return true }
            return entry.patch >= 0 && view[world.position[entry.patch]] >= mine
        }
        return isNew(entries.unpatched) && isNew(entries.patched)
    }

    /// post-unpatch-no-task: some task still runs p's (non-nop) code for g's target.
    @inlinable func someTaskRunsCode(ofObject g: Int) -> Bool {
        let view = taskView ?? state
        let p = patch(ofObject: g)
        let t = target(ofObject: g)
        // p's only non-nop entry for t is its static object there, patched:
        // without it no task runs p's code, and the stack need not be built.
        let own = objectOf(p, t)
        guard own >= 0 && view[flag: world.patched[own]] else { return false }
        let entries = entriesRun(for: t, in: view)
        func isMine(_ entry: Entry?) -> Bool { entry.map { $0.patch == p && !$0.isNop } ?? false }
        return isMine(entries.unpatched) || isMine(entries.patched)
    }

    // MARK: Task states

    @inlinable mutating func setAllTasks(patched: Bool) {
        if world.symmetry {
            state[world.patchedTaskCount] = patched ? world.taskCount : 0
        } else {
            for task in 0..<world.taskCount { state[flag: world.taskPatched[task]] = patched }
        }
        for worker in 0..<world.workerCount { state[flag: world.workerPatched[worker]] = patched }
    }

    /// Whether every task and worker is in the target state.
    @inlinable func allTasksSwitched() -> Bool {
        let target = targetIsPatched
        let present = taskStates(in: state)
        return target ? !present.unpatched : !present.patched
    }

    // MARK: Listing and retiring

    /// Removes p from `list`, closing the gap, and clears its per-listing state.
    @inlinable mutating func unlist(_ p: Int) {
        let gone = position(p)
        guard gone > 0 else { return }
        for q in 0..<world.patchCount where position(q) > gone { state[world.position[q]] = position(q) - 1 }
        state[world.position[p]] = 0
        let first = Int(world.firstObject[p])
        for g in first..<(first + Int(world.objectCountOf[p])) {
            state[flag: world.patched[g]] = false
            state[flag: world.postUnpatchEnabled[g]] = false
            state[flag: world.preOpen[g]] = false
            state[flag: world.postOpen[g]] = false
        }
        discardDynamic(p)
    }

    @inlinable mutating func discardDynamic(_ p: Int) {
        for t in 0..<world.targetCount {
            let d = dynamicOf(p, t)
            if d >= 0 {
                state[flag: world.dynamicExists[d]] = false
                state[flag: world.dynamicPatched[d]] = false
            }
        }
    }

    /// Whether any bracket of p's objects is open.
    @inlinable func hasOpenBrackets(_ p: Int) -> Bool {
        let first = Int(world.firstObject[p])
        for g in first..<(first + Int(world.objectCountOf[p]))
        where state[flag: world.preOpen[g]] || state[flag: world.postOpen[g]] {
            return true
        }
        return false
    }

    /// Unpatches every object of p (static and dynamic).
    @inlinable mutating func unpatchAll(_ p: Int) {
        let first = Int(world.firstObject[p])
        for g in first..<(first + Int(world.objectCountOf[p])) { state[flag: world.patched[g]] = false }
        for t in 0..<world.targetCount {
            let d = dynamicOf(p, t)
            if d >= 0 { state[flag: world.dynamicPatched[d]] = false }
        }
    }

    /// The object's name as the kernel prints it.
    @inlinable func objectName(_ g: Int) -> String { world.targetName(target(ofObject: g)) }
}

/// An entry of a target's function stack.
@usableFromInline
struct Entry: Equatable {
    /// The patch, or -1 for the original function with no entry.
    @usableFromInline var patch: Int
    /// A nop entry stands for the original function.
    @usableFromInline var isNop: Bool
    @inlinable @inline(__always) init(patch: Int, isNop: Bool) {
        self.patch = patch
        self.isNop = isNop
    }
    /// The original function, with no entry.
    @inlinable static var original: Entry { Entry(patch: -1, isNop: false) }
    /// Whether a task running this entry runs the original function.
    @inlinable var runsOriginal: Bool { patch < 0 || isNop }
}
