import KLPEngine

/// What an event's guard says of a state, before the event changes anything.
@usableFromInline
enum Gate: Equatable {
    /// The event cannot happen here.
    case disabled
    /// It happens and is refused with this errno before it changes anything
    /// or runs a callback (it may still log): a self-loop.
    case refused(Int32)
    /// It runs; what it does is the machine's to decide.
    case open
}

/// The guard of every event kind: one function each, which the machine
/// checks before it acts and the successor generator checks to skip
/// events without running the machine (the guards of LTSmin's PINS
/// transition groups, for the same reason).
extension Machine {
    /// The guard of `event`.
    @inlinable @inline(__always)
    func gate(_ event: LivepatchEvent) -> Gate {
        let o = event.operand
        switch event.kind {
        case .moduleComing: return gate(moduleComing: o)
        case .moduleInit: return gate(moduleInit: o)
        case .moduleExit: return gate(moduleExit: o)
        case .moduleGoing: return gate(moduleGoing: o)
        case .loadPatch: return gate(loadPatch: o)
        case .disablePatch: return gate(disablePatch: o)
        case .enablePatch: return gate(enablePatch: o)
        case .unloadPatch: return gate(unloadPatch: o)
        case .forcePatch: return gate(forcePatch: o)
        case .complete: return gateOfComplete()
        case .switchTask: return gate(switchTask: o)
        case .switchWorker: return gate(switchWorker: o)
        }
    }

    /// Module m's loader step happens from one module state.
    @inlinable @inline(__always)
    func moduleGate(_ m: Int, from expected: Int) -> Gate { moduleState(m) == expected ? .open : .disabled }
    /// `insmod m` (COMING notifier): m is unloaded.
    @inlinable @inline(__always) func gate(moduleComing m: Int) -> Gate { moduleGate(m, from: ModuleState.unloaded) }
    /// m's init: m is COMING.
    @inlinable @inline(__always) func gate(moduleInit m: Int) -> Gate { moduleGate(m, from: ModuleState.coming) }
    /// `rmmod m` (exit): m is LIVE.
    @inlinable @inline(__always) func gate(moduleExit m: Int) -> Gate { moduleGate(m, from: ModuleState.live) }
    /// m's GOING notifier: m is GOING.
    @inlinable @inline(__always) func gate(moduleGoing m: Int) -> Gate { moduleGate(m, from: ModuleState.going) }

    /// `insmod p`: p's module is not inserted. While a transition runs,
    /// upstream refuses with -EBUSY and no log or callback.
    @inlinable @inline(__always)
    func gate(loadPatch p: Int) -> Gate {
        guard !isListed(p) && !state[flag: world.retired[p]] else { return .disabled }
        return transitionPatch >= 0 && world.core != .enableDuringTransition ? .refused(Errno.ebusy) : .open
    }

    /// `echo 0 > enabled`: p is listed. Writing 0 to a patch already being
    /// disabled is refused with -EINVAL, to another patch during a
    /// transition with -EBUSY; during p's own patching transition it reverses.
    @inlinable @inline(__always)
    func gate(disablePatch p: Int) -> Gate {
        guard isListed(p) else { return .disabled }
        guard isEnabled(p) else { return .refused(Errno.einval) }
        let transition = transitionPatch
        return transition >= 0 && transition != p ? .refused(Errno.ebusy) : .open
    }

    /// `echo 1 > enabled`: p is listed; only reversing its unpatching transition does anything.
    @inlinable @inline(__always)
    func gate(enablePatch p: Int) -> Gate {
        guard isListed(p) else { return .disabled }
        return transitionPatch == p && !targetIsPatched ? .open : .refused(Errno.einval)
    }

    /// `rmmod p`: only a retired, unforced patch module can go; a listed or
    /// forced one is in use.
    @inlinable @inline(__always)
    func gate(unloadPatch p: Int) -> Gate {
        let retired = state[flag: world.retired[p]]
        if retired && !state[flag: world.forced[p]] { return .open }
        return isListed(p) || retired ? .refused(Errno.ebusy) : .disabled
    }

    /// `echo 1 > force`: p is in transition (and the world explores force writes).
    @inlinable @inline(__always)
    func gate(forcePatch p: Int) -> Gate { world.force && transitionPatch == p ? .open : .disabled }

    /// Completion: a transition runs and every task and worker has switched
    /// (the `complete-before-switch` core does not wait for them).
    @inlinable @inline(__always)
    func gateOfComplete() -> Gate {
        guard transitionPatch >= 0 else { return .disabled }
        return world.core == .completeBeforeSwitch || allTasksSwitched() ? .open : .disabled
    }

    /// Whether tasks may switch now: a transition runs (the
    /// `no-switch-after-reverse` core forbids it after a reversal).
    @inlinable @inline(__always)
    var switchingAllowed: Bool { transitionPatch >= 0 && !state[flag: world.reversed] }

    /// The named tasks among the bits of state word `word` that may switch:
    /// none unless switching is allowed, else those not in the target state.
    /// The successor generator's task-switch fast path reads a whole word of them.
    @inlinable @inline(__always)
    func switchableTasks(inWord word: Int) -> UInt64 {
        guard switchingAllowed else { return 0 }
        let bits = state.word(word)
        return (targetIsPatched ? ~bits : bits) & world.taskMask[word]
    }

    /// Task `task` switches (with symmetry, any task not yet switched).
    @inlinable @inline(__always)
    func gate(switchTask task: Int) -> Gate {
        guard world.symmetry else {
            let field = world.taskPatched[task]
            return switchableTasks(inWord: field.word) & (field.mask << field.shift) != 0 ? .open : .disabled
        }
        guard switchingAllowed else { return .disabled }
        let count = state[world.patchedTaskCount]
        return (targetIsPatched ? count < world.taskCount : count > 0) ? .open : .disabled
    }

    /// Worker w switches: switching is allowed, w is not in the target
    /// state and does not sleep in a function being replaced.
    @inlinable @inline(__always)
    func gate(switchWorker w: Int) -> Gate {
        guard switchingAllowed, state[flag: world.workerPatched[w]] != targetIsPatched, !isBlocked(worker: w) else {
            return .disabled
        }
        return .open
    }
}
