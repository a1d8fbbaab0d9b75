import KLPEngine

/// Section 8: what the patches' own callbacks do to their data and settings,
/// and what the code tasks can run needs. The core calls in at two places
/// only, both guarded by the world-constant `hasContracts`: after a
/// callback runs and succeeds (`runActions`) and at the end of every step
/// (`finishContracts`). In such worlds `LivepatchModel` also sends task
/// switches through the machine, since a switch changes the code a task runs.
extension Machine {
    // MARK: Pointers and data

    /// P (the patch count): decoded pointers are 0 NULL, `1 + q` q's static
    /// storage, `1 + P` removed static storage, `2 + P + k` slot k.
    @usableFromInline var contractPatchCount: Int { world.contracts.patchCount }

    /// Patch p's pointer to data d, decoded.
    @usableFromInline func dataPointer(_ p: Int, _ d: Int) -> Int {
        let c = world.contracts
        let raw = state[c.pointer[p &* c.dataCount &+ d]]
        if c.isStatic[d] {
            switch raw {
            case 0: return 1 &+ p
            case 1: return 0
            default: return raw &- 1
            }
        }
        return raw == 0 ? 0 : 1 &+ c.patchCount &+ raw
    }

    /// Sets patch p's pointer to data d (decoded `value`).
    @usableFromInline mutating func setDataPointer(_ p: Int, _ d: Int, _ value: Int) {
        let c = world.contracts
        let raw: Int
        if c.isStatic[d] {
            raw = value == 1 &+ p ? 0 : value == 0 ? 1 : value &+ 1
        } else {
            raw = value == 0 ? 0 : value &- 1 &- c.patchCount
        }
        state[c.pointer[p &* c.dataCount &+ d]] = raw
    }

    /// The slot a decoded pointer reaches, or -1.
    @usableFromInline func slot(of value: Int) -> Int { value >= 2 &+ contractPatchCount ? value &- 2 &- contractPatchCount : -1 }

    /// Whether a decoded pointer reaches live data: an allocation not yet
    /// freed, or static storage whose patch module is still inserted.
    @usableFromInline func isLive(_ value: Int, data d: Int) -> Bool {
        let c = world.contracts
        if value == 0 { return false }
        let k = slot(of: value)
        if k >= 0 { return state[c.slotState[d &* c.patchCount &+ k]] == 1 }
        let q = value &- 1
        return q < c.patchCount && (isListed(q) || state[flag: world.retired[q]])
    }

    /// The field holding setting s's value saved in the data `value` reaches.
    @usableFromInline func savedField(_ value: Int, data d: Int, setting s: Int) -> BitField {
        let c = world.contracts
        let k = slot(of: value)
        if k >= 0 { return c.slotSaved[(d &* c.patchCount &+ k) &* c.settingCount &+ s] }
        return c.staticSaved[((value &- 1) &* c.dataCount &+ d) &* c.settingCount &+ s]
    }

    /// `klp_get_prev_state(id)`: the newest listed patch before the
    /// transition patch that declares the id, or -1 (also with no transition).
    @usableFromInline func previousStatePatch(_ idIndex: Int) -> Int {
        let c = world.contracts
        let transition = transitionPatch
        guard transition >= 0 else { return -1 }
        let order = listOrder()
        var found = -1
        for index in 0..<order.count {
            let q = order[index]
            if q == transition { break }
            if c.declares[q &* c.idCount &+ idIndex] { found = q }
        }
        return found
    }

    // MARK: Actions

    /// Runs the actions of callback `kind` of object g, which has just run and succeeded.
    @usableFromInline mutating func runActions(_ g: Int, _ kind: CallbackKind) {
        let c = world.contracts
        let index = g &* 4 &+ kind.rawValue
        var i = Int(c.opStart[index])
        let end = i &+ Int(c.opCount[index])
        let p = patch(ofObject: g)
        while i < end {
            let op = c.ops[i]
            i &+= 1
            let d = Int(op.data)
            let s = Int(op.setting)
            switch op.kind {
            case .guardIf, .guardUnless:
                let found = previousStatePatch(Int(op.idIndex)) >= 0
                if found != (op.kind == .guardIf) {
                    log.append(ContractMessage.line(self, g, kind, "\(op.kind == .guardIf ? "if-prev" : "unless-prev") \(c.stateIds[Int(op.idIndex)]): klp_get_prev_state() \(found ? "finds a state" : "finds none"), skipped"))
                    i &+= Int(op.skip)
                }
            case .alloc: alloc(p, d, g, kind)
            case .free: free(p, d, g, kind)
            case .adopt: adopt(p, d, g, kind)
            case .set:
                let old = state[c.setting[s]]
                state[c.setting[s]] = Int(op.value)
                log.append(ContractMessage.line(self, g, kind, "set \(settingName(s))=\(settingValue(s, Int(op.value))) (was \(settingValue(s, old)))"))
            case .save:
                let value = dataPointer(p, d)
                guard isLive(value, data: d) else {
                    mark(.dataReady)
                    log.explain(.dataReady, "\(call(kind, g)) saves \(settingName(s)) through \(patchNameOf(p))'s pointer to \(dataName(d)), which \(pointerText(value, data: d, reaches: true))")
                    log.append(ContractMessage.line(self, g, kind, "save \(settingName(s)) in \(dataName(d)): \(pointerText(value, data: d, reaches: true))"))
                    continue
                }
                let current = state[c.setting[s]]
                state[savedField(value, data: d, setting: s)] = current &+ 1
                log.append(ContractMessage.line(self, g, kind, "save \(settingName(s))=\(settingValue(s, current)) in \(dataName(d)) (\(pointerText(value, data: d, reaches: false)))"))
            case .restore:
                let value = dataPointer(p, d)
                guard isLive(value, data: d) else {
                    mark(.dataReady)
                    log.explain(.dataReady, "\(call(kind, g)) restores \(settingName(s)) through \(patchNameOf(p))'s pointer to \(dataName(d)), which \(pointerText(value, data: d, reaches: true))")
                    log.append(ContractMessage.line(self, g, kind, "restore \(settingName(s)) from \(dataName(d)): \(pointerText(value, data: d, reaches: true))"))
                    continue
                }
                let saved = state[savedField(value, data: d, setting: s)]
                guard saved > 0 else {
                    mark(.settingRestored)
                    log.explain(.settingRestored, "\(call(kind, g)) restores \(settingName(s)) from \(dataName(d)) (\(pointerText(value, data: d, reaches: false))), which holds no saved value")
                    log.append(ContractMessage.line(self, g, kind, "restore \(settingName(s)) from \(dataName(d)): no saved value there"))
                    continue
                }
                state[c.setting[s]] = saved &- 1
                log.append(ContractMessage.line(self, g, kind, "restore \(settingName(s))=\(settingValue(s, saved &- 1)) from \(dataName(d)) (\(pointerText(value, data: d, reaches: false)))"))
            }
        }
    }

    /// `alloc`: p's pointer := a new allocation holding no saved value.
    @usableFromInline mutating func alloc(_ p: Int, _ d: Int, _ g: Int, _ kind: CallbackKind) {
        let c = world.contracts
        let before = dataPointer(p, d)
        setDataPointer(p, d, 0)
        var k = freeSlot(d)
        if k < 0 {
            collectUnreachableSlots(d)
            k = freeSlot(d)
        }
        let base = d &* c.patchCount &+ k
        state[c.slotState[base]] = 1
        for s in 0..<c.settingCount { state[c.slotSaved[base &* c.settingCount &+ s]] = 0 }
        setDataPointer(p, d, 2 &+ c.patchCount &+ k)
        log.append(ContractMessage.line(self, g, kind, "alloc \(dataName(d)): \(patchNameOf(p))'s pointer := new allocation #\(k + 1) (was \(pointerText(before, data: d, reaches: false)))"))
    }

    /// The first unused slot of data d, or -1.
    @usableFromInline func freeSlot(_ d: Int) -> Int {
        let c = world.contracts
        for k in 0..<c.patchCount where state[c.slotState[d &* c.patchCount &+ k]] == 0 { return k }
        return -1
    }

    /// Frees the slots of d that no pointer of any patch reaches; a live
    /// one is a leak (no pointer can ever reach it again).
    @usableFromInline mutating func collectUnreachableSlots(_ d: Int) {
        let c = world.contracts
        for k in 0..<c.patchCount {
            let field = c.slotState[d &* c.patchCount &+ k]
            guard state[field] != 0 else { continue }
            var reached = false
            for q in 0..<c.patchCount where slot(of: dataPointer(q, d)) == k { reached = true }
            if reached { continue }
            if state[field] == 1 {
                mark(.dataNoLeak)
                log.explain(.dataNoLeak, "allocation #\(k + 1) of \(dataName(d)) is live and no patch's pointer reaches it any more")
            }
            state[field] = 0
        }
    }

    /// `free`: kfree through p's pointer, which is left as it was.
    @usableFromInline mutating func free(_ p: Int, _ d: Int, _ g: Int, _ kind: CallbackKind) {
        let c = world.contracts
        let value = dataPointer(p, d)
        let k = slot(of: value)
        guard k >= 0 else {
            log.append(ContractMessage.line(self, g, kind, "free \(dataName(d)): \(pointerText(value, data: d, reaches: true)), nothing freed"))
            return
        }
        let field = c.slotState[d &* c.patchCount &+ k]
        if state[field] == 2 {
            mark(.dataFreedOnce)
            log.explain(.dataFreedOnce, "\(call(kind, g)) frees \(dataName(d)) through \(patchNameOf(p))'s pointer, allocation #\(k + 1), which is already freed")
            log.append(ContractMessage.line(self, g, kind, "free \(dataName(d)): allocation #\(k + 1) again (double free)"))
            return
        }
        state[field] = 2
        for s in 0..<c.settingCount { state[c.slotSaved[(d &* c.patchCount &+ k) &* c.settingCount &+ s]] = 0 }
        log.append(ContractMessage.line(self, g, kind, "free \(dataName(d)): allocation #\(k + 1) freed (\(patchNameOf(p))'s pointer still points to it)"))
    }

    /// `adopt`: p's pointer := what `klp_get_prev_state` finds for p's state carrying d.
    @usableFromInline mutating func adopt(_ p: Int, _ d: Int, _ g: Int, _ kind: CallbackKind) {
        let c = world.contracts
        let idIndex = Int(c.adoptId[p &* c.dataCount &+ d])
        let q = idIndex >= 0 ? previousStatePatch(idIndex) : -1
        guard q >= 0 else {
            log.append(ContractMessage.line(self, g, kind, "adopt \(dataName(d)): klp_get_prev_state() finds no state, nothing adopted"))
            return
        }
        let value = Int(c.carriesOf[q &* c.idCount &+ idIndex]) == d ? dataPointer(q, d) : 0
        setDataPointer(p, d, value)
        log.append(ContractMessage.line(self, g, kind, "adopt \(dataName(d)): \(patchNameOf(p))'s pointer := \(patchNameOf(q))'s, \(pointerText(value, data: d, reaches: false))"))
    }

    // MARK: The end of a step

    /// Normalises the contract state (pointers of unlisted patches, removed
    /// static storage, settings of unloaded modules, allocation numbering)
    /// and checks the properties judged on every state a step reaches.
    @usableFromInline mutating func finishContracts() {
        let c = world.contracts
        let patches = c.patchCount
        for q in 0..<patches where !isListed(q) {
            for d in 0..<c.dataCount { state[c.pointer[q &* c.dataCount &+ d]] = 0 }
            guard !state[flag: world.retired[q]] else { continue }
            for d in 0..<c.dataCount where c.isStatic[d] {
                for s in 0..<c.settingCount { state[c.staticSaved[(q &* c.dataCount &+ d) &* c.settingCount &+ s]] = 0 }
                for p in 0..<patches where isListed(p) && dataPointer(p, d) == 1 &+ q { setDataPointer(p, d, 1 &+ patches) }
            }
        }
        for s in 0..<c.settingCount {
            let m = Int(c.settingOwner[s])
            if m >= 0 && moduleState(m) == ModuleState.unloaded { state[c.setting[s]] = 0 }
        }
        for d in 0..<c.dataCount where !c.isStatic[d] { renumberSlots(d) }
        if transitionPatch < 0 && listOrder().count == 0 {
            for s in 0..<c.settingCount where state[c.setting[s]] != 0 {
                mark(.settingRestored)
                log.explain(.settingRestored, "no patch is listed and no transition runs, but \(settingName(s)) is \(settingValue(s, state[c.setting[s]])), not its boot value \(settingValue(s, 0))")
            }
        }
        if c.checksCode { checkRunningCode() }
    }

    /// Reports live allocations of d that no listed patch reaches (leaks),
    /// drops every slot no pointer reaches, and numbers the rest in the
    /// order the pointers first reach them: states that differ only in
    /// numbering become one.
    @usableFromInline mutating func renumberSlots(_ d: Int) {
        let c = world.contracts
        let patches = c.patchCount
        // 4 bits per old slot: its new index (up to 16 slots, one per patch);
        // `reached` marks the old slots a pointer reaches.
        var newIndex: UInt64 = 0
        var reached: UInt32 = 0
        var next: UInt64 = 0
        var identity = true
        for p in 0..<patches {
            let k = slot(of: dataPointer(p, d))
            guard k >= 0, reached & (1 << UInt32(k)) == 0 else { continue }
            if UInt64(k) != next { identity = false }
            newIndex |= next << UInt64(4 &* k)
            reached |= 1 << UInt32(k)
            next &+= 1
        }
        for k in 0..<patches where reached & (1 << UInt32(k)) == 0 {
            let field = c.slotState[d &* patches &+ k]
            if state[field] == 1 {
                mark(.dataNoLeak)
                log.explain(.dataNoLeak, "allocation #\(k + 1) of \(dataName(d)) is live, but no listed patch's pointer reaches it (leaked)")
            }
            if state[field] != 0 { identity = false }
        }
        if identity { return }
        let old = state
        for k in 0..<patches {
            state[c.slotState[d &* patches &+ k]] = 0
            for s in 0..<c.settingCount { state[c.slotSaved[(d &* patches &+ k) &* c.settingCount &+ s]] = 0 }
        }
        for k in 0..<patches {
            guard reached & (1 << UInt32(k)) != 0 else { continue }
            let j = Int((newIndex >> UInt64(4 &* k)) & 15)
            let live = old[c.slotState[d &* patches &+ k]]
            state[c.slotState[d &* patches &+ j]] = live
            if live == 1 {
                for s in 0..<c.settingCount {
                    state[c.slotSaved[(d &* patches &+ j) &* c.settingCount &+ s]] = old[c.slotSaved[(d &* patches &+ k) &* c.settingCount &+ s]]
                }
            }
        }
        for p in 0..<patches {
            let k = slot(of: dataPointer(p, d))
            if k >= 0 { setDataPointer(p, d, 2 &+ patches &+ Int((newIndex >> UInt64(4 &* k)) & 15)) }
        }
    }

    /// data-ready and setting-compatible on the code every task can run:
    /// per loaded target, the entry each patch state present runs.
    @usableFromInline mutating func checkRunningCode() {
        let present = taskStates(in: state)
        for t in 0..<world.targetCount where isLoaded(target: t) {
            let stack = stack(of: t, in: state)
            let unpatched = entry(patched: false, of: stack, in: state)
            let patched = entry(patched: true, of: stack, in: state)
            if present.unpatched { checkCode(unpatched, target: t, taskPatched: false) }
            if present.patched && (!present.unpatched || patched != unpatched) { checkCode(patched, target: t, taskPatched: true) }
        }
    }

    /// The checks on one entry that some task runs for target t.
    @usableFromInline mutating func checkCode(_ entry: Entry, target t: Int, taskPatched: Bool) {
        let c = world.contracts
        // Outside a transition every task runs the same code (its IDLE state reads UNPATCHED).
        let who = transitionPatch < 0 ? "a task" : "a task in \(taskPatched ? "PATCHED" : "UNPATCHED")"
        if entry.runsOriginal {
            let start = Int(c.originalNeedStart[t])
            for n in start..<(start &+ Int(c.originalNeedCount[t])) {
                let s = Int(c.needSetting[n])
                let value = state[c.setting[s]]
                if c.needMask[n] & (1 << UInt32(value)) == 0 {
                    mark(.settingCompatible)
                    log.explain(.settingCompatible, "\(who) runs the original code of '\(world.targetName(t))' with \(settingName(s))=\(settingValue(s, value)); it needs \(needText(n))")
                }
            }
            return
        }
        let p = entry.patch
        let g = objectOf(p, t)
        guard g >= 0 else { return }
        var uses = c.usesMask[g]
        while uses != 0 {
            let d = uses.trailingZeroBitCount
            uses &= uses &- 1
            let value = dataPointer(p, d)
            if !isLive(value, data: d) {
                mark(.dataReady)
                log.explain(.dataReady, "\(who) runs the new code of '\(patchNameOf(p))' for '\(world.targetName(t))', which uses \(dataName(d)) through \(patchNameOf(p))'s pointer, which \(pointerText(value, data: d, reaches: true))")
            }
        }
        let start = Int(c.codeNeedStart[g])
        for n in start..<(start &+ Int(c.codeNeedCount[g])) {
            let s = Int(c.needSetting[n])
            let value = state[c.setting[s]]
            if c.needMask[n] & (1 << UInt32(value)) == 0 {
                mark(.settingCompatible)
                log.explain(.settingCompatible, "\(who) runs the new code of '\(patchNameOf(p))' for '\(world.targetName(t))' with \(settingName(s))=\(settingValue(s, value)); it needs \(needText(n))")
            }
        }
    }

    // MARK: Names, for log lines and reasons only

    @usableFromInline func dataName(_ d: Int) -> String { world.tables.pointee.dataName(d) }
    @usableFromInline func settingName(_ s: Int) -> String { world.tables.pointee.settingName(s) }
    @usableFromInline func settingValue(_ s: Int, _ v: Int) -> String {
        let values = world.tables.pointee.settingValues(s)
        return v < values.count ? values[v] : "?"
    }
    @usableFromInline func patchNameOf(_ p: Int) -> String { world.patchName(p) }

    /// `console_loglevel=default|motormouth`.
    @usableFromInline func needText(_ n: Int) -> String {
        let c = world.contracts
        let s = Int(c.needSetting[n])
        let values = world.tables.pointee.settingValues(s)
        let accepted = values.indices.filter { c.needMask[n] & (1 << UInt32($0)) != 0 }.map { values[$0] }
        return "\(settingName(s))=\(accepted.joined(separator: "|"))"
    }

    /// What a decoded pointer reaches, in words: "is NULL", "points to freed allocation #2", ...
    @usableFromInline func pointerText(_ value: Int, data d: Int, reaches: Bool) -> String {
        let c = world.contracts
        if value == 0 { return reaches ? "is NULL" : "NULL" }
        let k = slot(of: value)
        let prefix = reaches ? "points to " : ""
        if k >= 0 {
            let status = state[c.slotState[d &* c.patchCount &+ k]]
            return prefix + "\(status == 2 ? "freed " : "")allocation #\(k + 1)"
        }
        let q = value &- 1
        if q >= c.patchCount || !(isListed(q) || state[flag: world.retired[q]]) {
            return prefix + "the static storage of a removed patch module"
        }
        return prefix + "the static storage of '\(patchNameOf(q))'"
    }
}

/// klpcheck's own lines for contract actions: they start with `[klpcheck]`,
/// which no kernel line does, so a selftest comparison never mistakes them.
public enum ContractMessage {
    /// The prefix of every contract line.
    public static let prefix = "[klpcheck] "

    /// `[klpcheck] p post_patch on vmlinux: set console_loglevel=motormouth (was default)`.
    @usableFromInline static func line<State, Log, Oracle>(
        _ machine: Machine<State, Log, Oracle>, _ g: Int, _ kind: CallbackKind, _ text: String
    ) -> String {
        "\(prefix)\(machine.world.patchName(machine.patch(ofObject: g))) \(kind.token) on \(machine.objectName(g)): \(text)"
    }
}
