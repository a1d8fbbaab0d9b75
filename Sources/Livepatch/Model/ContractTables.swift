import KLPEngine

/// One compiled contract action (section 8): what a callback does to the
/// author's data and settings. `if-prev`/`unless-prev` compile to a guard
/// that skips the action it guards.
@usableFromInline
struct ContractOp: Sendable {
    @usableFromInline enum Kind: UInt8, Sendable { case alloc, free, adopt, set, save, restore, guardIf, guardUnless }
    @usableFromInline var kind: Kind
    @usableFromInline var data: Int8 = -1
    @usableFromInline var setting: Int8 = -1
    @usableFromInline var value: Int8 = 0
    /// For guards: the state id's index in `ContractTables.stateIds`.
    @usableFromInline var idIndex: Int8 = -1
    /// For guards: how many ops the guarded action takes.
    @usableFromInline var skip: Int16 = 0
}

/// The compiled author contracts of a world, and the bit fields of their
/// state: per (patch, data) a pointer, per data a few allocation slots
/// (unused / live / freed, and the setting values saved in them), per
/// static data and patch the values saved in its static storage, and per
/// setting its value (0 is the boot value). A world without data or settings
/// has `enabled` false and takes no bits.
///
/// Pointers are decoded as: 0 NULL, `1 + q` patch q's static storage,
/// `1 + P` static storage of a module since removed, `2 + P + k` slot k
/// (P = patch count). A non-static pointer field holds 0 (NULL) or `1 + k`;
/// a static one holds 0 (the patch's own storage, its value after insmod), 1
/// (NULL), `2 + q` or `2 + P` (removed).
@usableFromInline
struct ContractTables: @unchecked Sendable {
    /// Whether the world declares data or settings.
    @usableFromInline let enabled: Bool
    /// Whether any object `uses` data or `needs` a setting (the "can run" checks).
    @usableFromInline let checksCode: Bool
    @usableFromInline let dataCount: Int
    @usableFromInline let settingCount: Int
    @usableFromInline let patchCount: Int
    @usableFromInline let idCount: Int

    @usableFromInline let isStatic: UnsafePointer<Bool>
    /// `pointer[p * dataCount + d]`.
    @usableFromInline let pointer: UnsafePointer<BitField>
    /// `slotState[d * patchCount + k]`: 0 unused, 1 live, 2 freed.
    @usableFromInline let slotState: UnsafePointer<BitField>
    /// `slotSaved[(d * patchCount + k) * settingCount + s]`: 0 none, `1 + v`.
    @usableFromInline let slotSaved: UnsafePointer<BitField>
    /// `staticSaved[(q * dataCount + d) * settingCount + s]`: 0 none, `1 + v`.
    @usableFromInline let staticSaved: UnsafePointer<BitField>
    /// `setting[s]`: the index of its value.
    @usableFromInline let setting: UnsafePointer<BitField>
    /// Per setting: the owning module, or -1.
    @usableFromInline let settingOwner: UnsafePointer<Int8>

    @usableFromInline let ops: UnsafePointer<ContractOp>
    /// `opStart[g * 4 + kind]`, `opCount[g * 4 + kind]`.
    @usableFromInline let opStart: UnsafePointer<Int16>
    @usableFromInline let opCount: UnsafePointer<Int16>
    /// Per object: the data its new code uses, a mask.
    @usableFromInline let usesMask: UnsafePointer<UInt8>
    /// Needs: setting and accepted values (a mask); per object its code's
    /// needs, per target the needs of its original code.
    @usableFromInline let needSetting: UnsafePointer<Int8>
    @usableFromInline let needMask: UnsafePointer<UInt32>
    @usableFromInline let codeNeedStart: UnsafePointer<Int16>
    @usableFromInline let codeNeedCount: UnsafePointer<Int16>
    @usableFromInline let originalNeedStart: UnsafePointer<Int16>
    @usableFromInline let originalNeedCount: UnsafePointer<Int16>
    /// The state ids the contracts name, and per (patch, id index) whether
    /// the patch declares it and which data its state carries (-1: none).
    @usableFromInline let stateIds: UnsafePointer<Int>
    @usableFromInline let declares: UnsafePointer<Bool>
    @usableFromInline let carriesOf: UnsafePointer<Int8>
    /// `adoptId[p * dataCount + d]`: the id index of p's state carrying d, or -1.
    @usableFromInline let adoptId: UnsafePointer<Int8>

    init(_ world: World, layout: inout BitLayoutBuilder, storage: WorldTables.Storage) {
        enabled = world.hasContracts
        let patchCount = world.patches.count
        let dataCount = enabled ? world.data.count : 0
        let settingCount = enabled ? world.settings.count : 0
        self.patchCount = patchCount
        self.dataCount = dataCount
        self.settingCount = settingCount
        let objects = world.patches.flatMap(\.objects)
        let targetCount = world.modules.count + 1

        // State ids named by guards or carried data.
        var ids: [Int] = []
        func idIndex(_ id: Int) -> Int {
            if let i = ids.firstIndex(of: id) { return i }
            ids.append(id)
            return ids.count - 1
        }
        for patch in world.patches { for state in patch.states where state.carries != nil { _ = idIndex(state.id) } }

        // Ops, compiled per object and callback.
        var ops: [ContractOp] = []
        func compile(_ action: ContractAction) {
            switch action {
            case .alloc(let d): ops.append(ContractOp(kind: .alloc, data: Int8(d)))
            case .free(let d): ops.append(ContractOp(kind: .free, data: Int8(d)))
            case .adopt(let d): ops.append(ContractOp(kind: .adopt, data: Int8(d)))
            case .set(let s, let v): ops.append(ContractOp(kind: .set, setting: Int8(s), value: Int8(v)))
            case .save(let s, let d): ops.append(ContractOp(kind: .save, data: Int8(d), setting: Int8(s)))
            case .restore(let s, let d): ops.append(ContractOp(kind: .restore, data: Int8(d), setting: Int8(s)))
            case .ifPrev(let id, let inner), .unlessPrev(let id, let inner):
                let at = ops.count
                var guardOp = ContractOp(kind: .guardIf)
                if case .unlessPrev = action { guardOp.kind = .guardUnless }
                guardOp.idIndex = Int8(idIndex(id))
                ops.append(guardOp)
                compile(inner)
                ops[at].skip = Int16(ops.count - at - 1)
            }
        }
        let opStart = storage.table(Int16.self, count: objects.count * 4, fill: 0)
        let opCount = storage.table(Int16.self, count: objects.count * 4, fill: 0)
        let usesMask = storage.table(UInt8.self, count: objects.count, fill: 0)
        var needs: [(Int8, UInt32)] = []
        let codeNeedStart = storage.table(Int16.self, count: objects.count, fill: 0)
        let codeNeedCount = storage.table(Int16.self, count: objects.count, fill: 0)
        var savedInto = [UInt32](repeating: 0, count: dataCount)
        var checksCode = false
        if enabled {
            for (g, object) in objects.enumerated() {
                for kind in CallbackKind.allCases {
                    opStart[g * 4 + kind.rawValue] = Int16(ops.count)
                    for action in object.contract.actions[kind] ?? [] { compile(action) }
                    opCount[g * 4 + kind.rawValue] = Int16(ops.count) - opStart[g * 4 + kind.rawValue]
                }
                usesMask[g] = object.contract.uses.reduce(0) { $0 | UInt8(1 << $1) }
                codeNeedStart[g] = Int16(needs.count)
                for need in object.contract.codeNeeds {
                    needs.append((Int8(need.setting), need.values.reduce(0) { $0 | UInt32(1) << UInt32($1) }))
                }
                codeNeedCount[g] = Int16(needs.count) - codeNeedStart[g]
                if usesMask[g] != 0 || codeNeedCount[g] != 0 || !object.contract.originalNeeds.isEmpty { checksCode = true }
            }
            for op in ops where op.kind == .save { savedInto[Int(op.data)] |= 1 << UInt32(op.setting) }
        }
        self.checksCode = checksCode
        let originalNeedStart = storage.table(Int16.self, count: targetCount, fill: 0)
        let originalNeedCount = storage.table(Int16.self, count: targetCount, fill: 0)
        for t in 0..<targetCount {
            originalNeedStart[t] = Int16(needs.count)
            for object in objects where enabled && (t == 0 ? object.target == .vmlinux : object.target == .module(t - 1)) {
                for need in object.contract.originalNeeds {
                    needs.append((Int8(need.setting), need.values.reduce(0) { $0 | UInt32(1) << UInt32($1) }))
                }
            }
            originalNeedCount[t] = Int16(needs.count) - originalNeedStart[t]
        }
        let needSetting = storage.table(Int8.self, count: needs.count, fill: 0)
        let needMask = storage.table(UInt32.self, count: needs.count, fill: 0)
        for (i, need) in needs.enumerated() {
            needSetting[i] = need.0
            needMask[i] = need.1
        }

        idCount = ids.count
        let stateIds = storage.table(Int.self, count: ids.count, fill: 0)
        let declares = storage.table(Bool.self, count: patchCount * ids.count, fill: false)
        let carriesOf = storage.table(Int8.self, count: patchCount * ids.count, fill: -1)
        let adoptId = storage.table(Int8.self, count: patchCount * max(dataCount, 1), fill: -1)
        for (i, id) in ids.enumerated() { stateIds[i] = id }
        for (p, patch) in world.patches.enumerated() {
            for state in patch.states {
                guard let i = ids.firstIndex(of: state.id) else { continue }
                declares[p * ids.count + i] = true
                if let d = state.carries {
                    carriesOf[p * ids.count + i] = Int8(d)
                    if enabled { adoptId[p * dataCount + d] = Int8(i) }
                }
            }
        }

        // The fields, after every field of the core: a world without
        // contracts keeps its layout.
        func fields(_ count: Int, maxValue: (Int) -> Int) -> UnsafePointer<BitField> {
            let table = storage.table(BitField.self, count: count, fill: .empty)
            for index in 0..<count { table[index] = layout.add(maxValue: maxValue(index)) }
            return UnsafePointer(table)
        }
        let isStatic = storage.table(Bool.self, count: max(dataCount, 1), fill: false)
        for d in 0..<dataCount { isStatic[d] = world.data[d].isStatic }
        pointer = fields(patchCount * dataCount) { index in
            isStatic[index % dataCount] ? patchCount + 2 : patchCount
        }
        slotState = fields(dataCount * patchCount) { index in isStatic[index / patchCount] ? 0 : 2 }
        slotSaved = fields(dataCount * patchCount * settingCount) { index in
            let s = index % settingCount
            let d = index / settingCount / patchCount
            return !isStatic[d] && savedInto[d] & (1 << UInt32(s)) != 0 ? world.settings[s].values.count : 0
        }
        staticSaved = fields(patchCount * dataCount * settingCount) { index in
            let s = index % settingCount
            let d = (index / settingCount) % dataCount
            return isStatic[d] && savedInto[d] & (1 << UInt32(s)) != 0 ? world.settings[s].values.count : 0
        }
        setting = fields(settingCount) { s in world.settings[s].values.count - 1 }
        let settingOwner = storage.table(Int8.self, count: max(settingCount, 1), fill: -1)
        for s in 0..<settingCount { settingOwner[s] = world.settings[s].owner.map(Int8.init) ?? -1 }

        let opTable = storage.table(ContractOp.self, count: ops.count, fill: ContractOp(kind: .set))
        for (i, op) in ops.enumerated() { opTable[i] = op }
        self.ops = UnsafePointer(opTable)
        self.isStatic = UnsafePointer(isStatic)
        self.settingOwner = UnsafePointer(settingOwner)
        self.opStart = UnsafePointer(opStart)
        self.opCount = UnsafePointer(opCount)
        self.usesMask = UnsafePointer(usesMask)
        self.needSetting = UnsafePointer(needSetting)
        self.needMask = UnsafePointer(needMask)
        self.codeNeedStart = UnsafePointer(codeNeedStart)
        self.codeNeedCount = UnsafePointer(codeNeedCount)
        self.originalNeedStart = UnsafePointer(originalNeedStart)
        self.originalNeedCount = UnsafePointer(originalNeedCount)
        self.stateIds = UnsafePointer(stateIds)
        self.declares = UnsafePointer(declares)
        self.carriesOf = UnsafePointer(carriesOf)
        self.adoptId = UnsafePointer(adoptId)
    }
}
