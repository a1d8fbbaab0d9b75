import KLPEngine

extension Machine {
    /// Runs one event: its guard (`Machine+Guards.swift`), then its effect.
    @inlinable mutating func apply(_ event: LivepatchEvent) -> EventResult {
        let o = event.operand
        let result: EventResult
        switch event.kind {
        case .moduleComing: result = moduleComing(o)
        case .moduleInit: result = moduleInit(o)
        case .moduleExit: result = moduleExit(o)
        case .moduleGoing: result = moduleGoing(o)
        case .loadPatch: result = loadPatch(o)
        case .disablePatch: result = disablePatch(o)
        case .enablePatch: result = enablePatch(o)
        case .unloadPatch: result = unloadPatch(o)
        case .forcePatch: result = forcePatch(o)
        case .complete: result = complete()
        case .switchTask: result = switchTask(o)
        case .switchWorker: result = switchWorker(o)
        }
        if result != .disabled { finishStep() }
        return result
    }

    /// The result of an event whose guard is not open.
    @inlinable @inline(__always)
    func closed(_ gate: Gate) -> EventResult? {
        switch gate {
        case .open: return nil
        case .disabled: return .disabled
        case .refused(let errno): return .refused(errno)
        }
    }

    // MARK: 1-4: the module loader

    /// 1. `insmod m`, first half: `klp_module_coming`.
    @inlinable mutating func moduleComing(_ m: Int) -> EventResult {
        guard gate(moduleComing: m) == .open else { return .disabled }
        let t = m + 1
        state[world.moduleState[m]] = ModuleState.coming
        let order = listOrder()
        let transition = transitionPatch
        for index in 0..<order.count {
            let p = order[index]
            let g = objectOf(p, t)
            let d = existingDynamic(p, t)
            if g < 0 && d < 0 { continue }
            log.append(KernelMessage.applying(world.patchName(p), world.moduleName(m)))
            guard g >= 0 else {
                state[flag: world.dynamicPatched[d]] = true
                continue
            }
            let result = prePatch(g)
            if result != 0 {
                log.append(KernelMessage.prePatchFailed(objectName(g)))
                return refuseComing(m, failedAt: index, order: order, errno: result)
            }
            if oracle.patchingFails(object: g, in: world) {
                failedPatching = g
                log.append(KernelMessage.moduleFailed(world.patchName(p), world.moduleName(m), Errno.ebusy))
                postUnpatch(g)
                return refuseComing(m, failedAt: index, order: order, errno: Errno.ebusy)
            }
            state[flag: world.patched[g]] = true
            if p != transition || world.core == .comingPostPatchInTransition { postPatch(g) }
        }
        return .done
    }

    /// A refused load: roll back the patches before the failing one, as the
    /// GOING notifier does (their callbacks print the COMING state).
    @inlinable mutating func refuseComing(_ m: Int, failedAt failing: Int, order: ListOrder, errno: Int32) -> EventResult {
        log.append(KernelMessage.refusing(world.patchName(order[failing]), world.moduleName(m)))
        for index in 0..<failing { revert(order[index], module: m) }
        state[world.moduleState[m]] = ModuleState.unloaded
        return .refused(errno)
    }

    /// `klp_cleanup_module_patches_limited` for one patch.
    @inlinable mutating func revert(_ p: Int, module m: Int) {
        let t = m + 1
        let g = objectOf(p, t)
        let d = existingDynamic(p, t)
        if g < 0 && d < 0 { return }
        if g >= 0 && (p != transitionPatch || world.core == .goingPreUnpatchInTransition) { preUnpatch(g) }
        log.append(KernelMessage.reverting(world.patchName(p), world.moduleName(m)))
        if g >= 0 {
            state[flag: world.patched[g]] = false
            postUnpatch(g)
        } else {
            state[flag: world.dynamicPatched[d]] = false
        }
    }

    /// 2. `insmod m`, second half: the module's init runs; a busy module's
    /// worker enters the work function and sleeps in it if it runs the original.
    @inlinable mutating func moduleInit(_ m: Int) -> EventResult {
        guard gate(moduleInit: m) == .open else { return .disabled }
        state[world.moduleState[m]] = ModuleState.live
        let w = Int(world.workerOfModule[m])
        if w >= 0 {
            let entry = runs(m + 1, patched: state[flag: world.workerPatched[w]], in: state)
            state[flag: world.workerSleeping[w]] = entry.runsOriginal
        }
        return .done
    }

    /// 3. `rmmod m`, first half: the module's exit runs and wakes its worker.
    @inlinable mutating func moduleExit(_ m: Int) -> EventResult {
        guard gate(moduleExit: m) == .open else { return .disabled }
        state[world.moduleState[m]] = ModuleState.going
        let w = Int(world.workerOfModule[m])
        if w >= 0 { state[flag: world.workerSleeping[w]] = false }
        return .done
    }

    /// 4. `rmmod m`, second half: `klp_module_going`.
    @inlinable mutating func moduleGoing(_ m: Int) -> EventResult {
        guard gate(moduleGoing: m) == .open else { return .disabled }
        let order = listOrder()
        for index in 0..<order.count { revert(order[index], module: m) }
        state[world.moduleState[m]] = ModuleState.unloaded
        return .done
    }

    // MARK: 5-8: enabling, disabling, reversing

    /// 5. `insmod p`: `klp_enable_patch`.
    @inlinable mutating func loadPatch(_ p: Int) -> EventResult {
        let gate = gate(loadPatch: p)
        guard gate != .disabled else { return .disabled }
        // klp_enable_patch checks compatibility before __klp_enable_patch finds a transition busy.
        for q in 0..<world.patchCount where isListed(q) && !world.stateAllows[q &* world.patchCount &+ p] {
            log.append(KernelMessage.incompatible(world.patchName(p)))
            return .refused(Errno.einval)
        }
        if let refused = closed(gate) { return refused }
        if transitionPatch >= 0 {
            mark(.singleTransition)
            log.explain(.singleTransition, "'\(world.patchName(p))' was enabled while the transition of '\(world.patchName(transitionPatch))' still runs")
        }
        let order = listOrder()
        if world.isReplace[p] {
            for t in 0..<world.targetCount where objectOf(p, t) < 0 && dynamicOf(p, t) >= 0 {
                var used = false
                for index in 0..<order.count where objectOf(order[index], t) >= 0 || existingDynamic(order[index], t) >= 0 {
                    used = true
                }
                if used { state[flag: world.dynamicExists[dynamicOf(p, t)]] = true }
            }
        }
        state[world.position[p]] = order.count + 1
        log.append(KernelMessage.enabling(world.patchName(p)))
        state[world.transitionPatch] = p + 1
        state[flag: world.targetPatched] = true
        state[flag: world.reversed] = false
        log.append(KernelMessage.initializing(world.patchName(p), true))
        setAllTasks(patched: false)
        let first = Int(world.firstObject[p])
        for g in first..<(first + Int(world.objectCountOf[p])) where isLoaded(target: target(ofObject: g)) {
            let result = prePatch(g)
            if result != 0 {
                log.append(KernelMessage.prePatchFailed(objectName(g)))
                return cancel(p, errno: result)
            }
            if oracle.patchingFails(object: g, in: world) {
                failedPatching = g
                log.append(KernelMessage.patchFailed(objectName(g)))
                return cancel(p, errno: Errno.ebusy)
            }
            state[flag: world.patched[g]] = true
        }
        for t in 0..<world.targetCount where isLoaded(target: t) {
            let d = existingDynamic(p, t)
            if d >= 0 { state[flag: world.dynamicPatched[d]] = true }
        }
        log.append(KernelMessage.starting(world.patchName(p), true))
        return .done
    }

    /// `klp_cancel_transition` and the error path of `klp_enable_patch`.
    @inlinable mutating func cancel(_ p: Int, errno: Int32) -> EventResult {
        log.append(KernelMessage.enableFailed(world.patchName(p)))
        log.append(KernelMessage.canceling(world.patchName(p)))
        state[flag: world.targetPatched] = false
        completeTransition(cancelling: true)
        return .refused(errno)
    }

    /// 6. `echo 0 > /sys/kernel/livepatch/p/enabled`.
    @inlinable mutating func disablePatch(_ p: Int) -> EventResult {
        if let closed = closed(gate(disablePatch: p)) { return closed }
        if transitionPatch == p { return reverse() }
        state[world.transitionPatch] = p + 1
        state[flag: world.targetPatched] = false
        log.append(KernelMessage.initializing(world.patchName(p), false))
        setAllTasks(patched: true)
        let first = Int(world.firstObject[p])
        for g in first..<(first + Int(world.objectCountOf[p])) where state[flag: world.patched[g]] { preUnpatch(g) }
        log.append(KernelMessage.starting(world.patchName(p), false))
        return .done
    }

    /// 7. `echo 1 > /sys/kernel/livepatch/p/enabled`: only reverses an unpatching transition.
    @inlinable mutating func enablePatch(_ p: Int) -> EventResult {
        if let closed = closed(gate(enablePatch: p)) { return closed }
        return reverse()
    }

    /// 8. `klp_reverse_transition`.
    @inlinable mutating func reverse() -> EventResult {
        let p = transitionPatch
        let wasPatching = targetIsPatched
        log.append(KernelMessage.reversing(world.patchName(p), fromPatched: wasPatching))
        if wasPatching && world.core == .reverseCallsPreUnpatch {
            let first = Int(world.firstObject[p])
            for g in first..<(first + Int(world.objectCountOf[p])) where state[flag: world.patched[g]] { preUnpatch(g) }
        }
        state[flag: world.targetPatched] = !wasPatching
        state[flag: world.reversed] = true
        log.append(KernelMessage.starting(world.patchName(p), !wasPatching))
        return .done
    }

    // MARK: 9-12: completion, task switching, unloading, forcing

    /// 9. `klp_try_complete_transition` once every task has switched.
    @inlinable mutating func complete() -> EventResult {
        guard gateOfComplete() == .open else { return .disabled }
        completeTransition(cancelling: false)
        return .done
    }

    /// `klp_complete_transition`, then the frees of `klp_try_complete_transition`.
    @inlinable mutating func completeTransition(cancelling: Bool) {
        let p = transitionPatch
        let patching = targetIsPatched
        taskView = state
        defer { taskView = nil }
        log.append(KernelMessage.completing(world.patchName(p), patching))
        let order = listOrder()
        let replacing = patching && world.isReplace[p]
        if replacing {
            for index in 0..<order.count {
                let q = order[index]
                if q == p { break }
                replacedPatches |= 1 << UInt32(q)
                if world.core == .replaceRunsOldCallbacks { runOldCallbacks(q) }
                unpatchAll(q)
            }
            discardDynamic(p)
        }
        if !patching { unpatchAll(p) }
        setAllTasks(patched: false)
        let first = Int(world.firstObject[p])
        let ignoresLoaded = world.core == .completeIgnoresLoaded
        let skipsPostUnpatch = cancelling && world.core == .cancelSkipsPostUnpatch
        for g in first..<(first + Int(world.objectCountOf[p])) where ignoresLoaded || isLoaded(target: target(ofObject: g)) {
            if patching {
                postPatch(g)
            } else if !skipsPostUnpatch {
                postUnpatch(g)
            }
        }
        log.append(KernelMessage.complete(world.patchName(p), patching))
        state[world.transitionPatch] = 0
        state[flag: world.targetPatched] = false
        state[flag: world.reversed] = false
        if !patching {
            if hasOpenBrackets(p) {
                mark(.bracketsClosed)
                log.explain(.bracketsClosed, "'\(world.patchName(p))' left the list with \(openBrackets(p))")
            }
            unlist(p)
            state[flag: world.retired[p]] = !cancelling
        } else if replacing {
            for index in 0..<order.count {
                let q = order[index]
                if q == p { break }
                if hasOpenBrackets(q) {
                    mark(.replacedAbandonsBrackets)
                    log.explain(.replacedAbandonsBrackets, "'\(world.patchName(q))' was replaced by '\(world.patchName(p))' with \(openBrackets(q))")
                }
                unlist(q)
                state[flag: world.retired[q]] = true
            }
        }
    }

    /// The open brackets of p, in words.
    @inlinable func openBrackets(_ p: Int) -> String {
        let first = Int(world.firstObject[p])
        var open: [String] = []
        for g in first..<(first + Int(world.objectCountOf[p])) {
            if state[flag: world.preOpen[g]] { open.append("pre_patch on '\(objectName(g))' not closed by post_unpatch") }
            if state[flag: world.postOpen[g]] { open.append("post_patch on '\(objectName(g))' not closed by pre_unpatch") }
        }
        return open.joined(separator: ", ")
    }

    /// The `replace-runs-old-callbacks` core: a replaced patch gets the
    /// unpatch callbacks it should never see.
    @inlinable mutating func runOldCallbacks(_ q: Int) {
        let first = Int(world.firstObject[q])
        for g in first..<(first + Int(world.objectCountOf[q])) where state[flag: world.patched[g]] {
            preUnpatch(g)
            postUnpatch(g)
        }
    }

    /// Whether worker w cannot switch (`klp_check_stack_func`).
    @inlinable func isBlocked(worker w: Int) -> Bool {
        guard state[flag: world.workerSleeping[w]] else { return false }
        let p = transitionPatch
        let t = Int(world.moduleOfWorker[w]) + 1
        let g = objectOf(p, t)
        let d = dynamicOf(p, t)
        let staticPatched = g >= 0 && state[flag: world.patched[g]]
        let dynamicPatched = d >= 0 && state[flag: world.dynamicPatched[d]]
        if targetIsPatched {
            guard staticPatched || dynamicPatched else { return false }
            let mine = position(p)
            for q in 0..<world.patchCount where q != p && isListed(q) && position(q) < mine {
                let og = objectOf(q, t)
                let od = dynamicOf(q, t)
                if (og >= 0 && state[flag: world.patched[og]]) || (od >= 0 && state[flag: world.dynamicPatched[od]]) {
                    return false
                }
            }
            return true
        }
        return dynamicPatched
    }

    /// 10. An ordinary task switches to the target state. With symmetry,
    /// `task` is ignored: one of the tasks not yet switched switches.
    @inlinable mutating func switchTask(_ task: Int) -> EventResult {
        guard gate(switchTask: task) == .open else { return .disabled }
        let target = targetIsPatched
        if world.symmetry {
            state[world.patchedTaskCount] += target ? 1 : -1
        } else {
            state[flag: world.taskPatched[task]] = target
        }
        return .done
    }

    /// 10. A busy module's worker switches, unless it sleeps in a function being replaced.
    @inlinable mutating func switchWorker(_ w: Int) -> EventResult {
        guard gate(switchWorker: w) == .open else { return .disabled }
        state[flag: world.workerPatched[w]] = targetIsPatched
        return .done
    }

    /// 11. `rmmod p`.
    @inlinable mutating func unloadPatch(_ p: Int) -> EventResult {
        if let closed = closed(gate(unloadPatch: p)) { return closed }
        state[flag: world.retired[p]] = false
        return .done
    }

    /// `rmmod` of every patch whose module may go (retired, not forced), in
    /// patch order, each as event 11 runs it; `each` sees the patch and the
    /// state after its removal. The search runs this right after a
    /// completion, which is what retires patches, when the world merges
    /// retirement (`CompiledWorld.mergesRetirement`; Livepatch.docc, Reductions).
    @inlinable mutating func unloadRetiredPatches(_ each: (Int, State) -> Void = { _, _ in }) {
        for p in 0..<world.patchCount where gate(unloadPatch: p) == .open {
            _ = apply(LivepatchEvent(.unloadPatch, p))
            each(p, state)
        }
    }

    /// 12. `echo 1 > /sys/kernel/livepatch/p/force`.
    @inlinable mutating func forcePatch(_ p: Int) -> EventResult {
        guard gate(forcePatch: p) == .open else { return .disabled }
        log.append(KernelMessage.forcing)
        let target = targetIsPatched
        setAllTasks(patched: target)
        if !target {
            state[flag: world.forced[p]] = true
        } else if world.isReplace[p] {
            for q in 0..<world.patchCount where q != p && isListed(q) { state[flag: world.forced[q]] = true }
        }
        return .done
    }

    /// After any step: a transition patch is always listed.
    @inlinable mutating func finishStep() {
        let p = transitionPatch
        if p >= 0 && !isListed(p) {
            mark(.singleTransition)
            log.explain(.singleTransition, "the transition patch '\(world.patchName(p))' is not listed")
        }
        if world.hasContracts { finishContracts() }
    }
}
