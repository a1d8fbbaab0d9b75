import KLPEngine

/// A world compiled for the hot path: per-object and per-patch tables in
/// raw memory, and the bit field of every part of the state.
///
/// Indices: patches `p` in declaration order; targets `t` with 0 = vmlinux
/// and `1 + m` = module `m`; static objects `g` numbered across all patches;
/// dynamic (nop) slots `d` for each replace patch and each target it lacks;
/// workers `w` for busy modules.
///
/// The tables themselves live in the raw memory of a `Storage`, which frees
/// all of it (this value included) in its deinit; only a `CompiledWorld`
/// owns one, and code outside this module never sees a table's pointer.
/// Copying this value copies pointers only, so the hot path reads it with
/// no reference counting.
public struct WorldTables {
    /// Whether ordinary tasks are counted (symmetry) rather than named.
    public let symmetry: Bool
    /// The core under check.
    public let core: CoreVariant
    /// Whether force writes are explored.
    public let force: Bool
    /// The names, for log lines only.
    @usableFromInline let patchNames: UnsafePointer<String>
    @usableFromInline let moduleNames: UnsafePointer<String>
    /// Author contracts' names: data, settings, and each setting's values
    /// (setting `s`'s values start at `settingValueStart[s]`).
    @usableFromInline let dataNames: UnsafePointer<String>
    @usableFromInline let settingNames: UnsafePointer<String>
    @usableFromInline let settingValueNames: UnsafePointer<String>
    @usableFromInline let settingValueStart: UnsafePointer<Int>

    public let patchCount: Int
    public let moduleCount: Int
    public let targetCount: Int
    public let objectCount: Int
    public let dynamicCount: Int
    public let workerCount: Int
    public let taskCount: Int

    // Tables.
    /// `objectOf[p * targetCount + t]`: static object of p for t, or -1.
    /// Int16: up to 256 objects (`World.Limits.objects`).
    @usableFromInline let objectOf: UnsafePointer<Int16>
    /// `dynamicOf[p * targetCount + t]`: dynamic slot of p for t, or -1.
    /// Int16: up to one slot per patch and target.
    @usableFromInline let dynamicOf: UnsafePointer<Int16>
    /// Per static object: its patch, target, callbacks mask, pre_patch mode, errno, patching-may-fail.
    @usableFromInline let patchOfObject: UnsafePointer<Int8>
    @usableFromInline let targetOfObject: UnsafePointer<Int8>
    @usableFromInline let callbackMask: UnsafePointer<UInt8>
    @usableFromInline let prePatchMode: UnsafePointer<UInt8>
    @usableFromInline let prePatchErrno: UnsafePointer<Int32>
    @usableFromInline let patchingMayFail: UnsafePointer<Bool>
    /// Per patch: replace flag, first object (Int16: up to 256 objects) and
    /// object count (at most one per target, so Int8 holds it).
    @usableFromInline let isReplace: UnsafePointer<Bool>
    @usableFromInline let firstObject: UnsafePointer<Int16>
    @usableFromInline let objectCountOf: UnsafePointer<Int8>
    /// Per module: its worker's index, or -1; per worker: its module.
    @usableFromInline let workerOfModule: UnsafePointer<Int8>
    @usableFromInline let moduleOfWorker: UnsafePointer<Int8>
    /// `compatible[q * patchCount + p]`: loading p is allowed while q is listed (system states).
    @usableFromInline let stateAllows: UnsafePointer<Bool>

    // Fields.
    @usableFromInline let position: UnsafePointer<BitField>
    @usableFromInline let retired: UnsafePointer<BitField>
    @usableFromInline let forced: UnsafePointer<BitField>
    @usableFromInline let transitionPatch: BitField
    @usableFromInline let targetPatched: BitField
    @usableFromInline let moduleState: UnsafePointer<BitField>
    @usableFromInline let patched: UnsafePointer<BitField>
    /// The core's `obj->callbacks.post_unpatch_enabled`: set by a successful pre_patch.
    @usableFromInline let postUnpatchEnabled: UnsafePointer<BitField>
    @usableFromInline let preOpen: UnsafePointer<BitField>
    @usableFromInline let postOpen: UnsafePointer<BitField>
    @usableFromInline let dynamicExists: UnsafePointer<BitField>
    @usableFromInline let dynamicPatched: UnsafePointer<BitField>
    /// With symmetry: the number of ordinary tasks in PATCHED; else unused.
    @usableFromInline let patchedTaskCount: BitField
    /// Without symmetry: each ordinary task's state.
    @usableFromInline let taskPatched: UnsafePointer<BitField>
    @usableFromInline let workerPatched: UnsafePointer<BitField>
    @usableFromInline let workerSleeping: UnsafePointer<BitField>
    /// Per state word: the bits of the ordinary tasks (without symmetry) and
    /// of the workers, so "is any task (un)patched" is a few word tests.
    @usableFromInline let taskMask: UnsafePointer<UInt64>
    @usableFromInline let workerMask: UnsafePointer<UInt64>
    /// Only for the `no-switch-after-reverse` core.
    @usableFromInline let reversed: BitField
    /// The author contracts (section 8) and their fields; disabled in worlds without data or settings.
    @usableFromInline let contracts: ContractTables
    /// `contracts.enabled`, as a plain field: the hooks in the hot path test it once per call.
    @usableFromInline let hasContracts: Bool
    /// The classes of interchangeable modules the search folds (none under `Reduction.none`).
    @usableFromInline let moduleSymmetry: ModuleSymmetry
    /// The modules whose loader steps the search merges (none unless `Reduction.auto` or `.exact`).
    @usableFromInline let mergedLoaderSteps: MergedLoaderSteps
    /// Whether the search removes a retired patch's module in the step that
    /// retires it (`Reduction.auto`, in a world without author contracts).
    @usableFromInline let mergesRetirement: Bool

    /// Words a state needs.
    public let wordCount: Int
    /// Bits a state uses.
    public let bitCount: Int

    /// pre_patch modes.
    @usableFromInline enum PrePatchMode: UInt8 { case succeeds = 0, mayFail = 1, fails = 2 }

    /// Compiles `world`, keeping its tables in `storage`.
    init(_ world: World, symmetry: Bool, reduction: Reduction, storage: Storage) {
        self.symmetry = symmetry
        core = world.core
        force = world.force
        patchNames = storage.strings(world.patches.map(\.name))
        moduleNames = storage.strings(world.modules.map(\.name))
        dataNames = storage.strings(world.data.map(\.name))
        settingNames = storage.strings(world.settings.map(\.name))
        settingValueNames = storage.strings(world.settings.flatMap(\.values))
        let valueStart = storage.table(Int.self, count: world.settings.count + 1, fill: 0)
        for (s, setting) in world.settings.enumerated() { valueStart[s + 1] = valueStart[s] + setting.values.count }
        settingValueStart = UnsafePointer(valueStart)
        patchCount = world.patches.count
        moduleCount = world.modules.count
        targetCount = moduleCount + 1
        taskCount = world.tasks
        let busy = world.modules.indices.filter { world.modules[$0].busy }
        workerCount = busy.count

        let objects = world.patches.enumerated().flatMap { p, patch in patch.objects.map { (p, $0) } }
        objectCount = objects.count
        func index(_ target: Target) -> Int {
            if case .module(let m) = target { return m + 1 }
            return 0
        }
        let objectOf = storage.table(Int16.self, count: patchCount * targetCount, fill: -1)
        let dynamicOf = storage.table(Int16.self, count: patchCount * targetCount, fill: -1)
        let patchOfObject = storage.table(Int8.self, count: objectCount, fill: 0)
        let targetOfObject = storage.table(Int8.self, count: objectCount, fill: 0)
        let callbackMask = storage.table(UInt8.self, count: objectCount, fill: 0)
        let prePatchMode = storage.table(UInt8.self, count: objectCount, fill: 0)
        let prePatchErrno = storage.table(Int32.self, count: objectCount, fill: 0)
        let patchingMayFail = storage.table(Bool.self, count: objectCount, fill: false)
        let isReplace = storage.table(Bool.self, count: patchCount, fill: false)
        let firstObject = storage.table(Int16.self, count: patchCount, fill: 0)
        let objectCountOf = storage.table(Int8.self, count: patchCount, fill: 0)
        var g = 0
        var dynamic = 0
        for (p, patch) in world.patches.enumerated() {
            isReplace[p] = patch.replace
            firstObject[p] = Int16(g)
            objectCountOf[p] = Int8(patch.objects.count)
            for object in patch.objects {
                let t = index(object.target)
                objectOf[p * targetCount + t] = Int16(g)
                patchOfObject[g] = Int8(p)
                targetOfObject[g] = Int8(t)
                callbackMask[g] = object.callbacks.reduce(0) { $0 | UInt8(1 << $1.rawValue) }
                switch object.prePatch {
                case .succeeds: prePatchMode[g] = PrePatchMode.succeeds.rawValue
                case .mayFail(let errno):
                    prePatchMode[g] = PrePatchMode.mayFail.rawValue
                    prePatchErrno[g] = errno
                case .fails(let errno):
                    prePatchMode[g] = PrePatchMode.fails.rawValue
                    prePatchErrno[g] = errno
                }
                patchingMayFail[g] = object.patchingMayFail
                g += 1
            }
            if patch.replace {
                // A nop can only stand for a target some other patch patches.
                for t in 0..<targetCount where objectOf[p * targetCount + t] < 0 {
                    let others = world.patches.indices.contains { q in
                        q != p && world.patches[q].objects.contains { index($0.target) == t }
                    }
                    if others {
                        dynamicOf[p * targetCount + t] = Int16(dynamic)
                        dynamic += 1
                    }
                }
            }
        }
        dynamicCount = dynamic
        let workerOfModule = storage.table(Int8.self, count: max(moduleCount, 1), fill: -1)
        let moduleOfWorker = storage.table(Int8.self, count: max(workerCount, 1), fill: -1)
        for (w, m) in busy.enumerated() {
            workerOfModule[m] = Int8(w)
            moduleOfWorker[w] = Int8(m)
        }
        let stateAllows = storage.table(Bool.self, count: patchCount * patchCount, fill: true)
        for (q, old) in world.patches.enumerated() {
            for (p, new) in world.patches.enumerated() {
                stateAllows[q * patchCount + p] = old.states.allSatisfy { state in
                    guard let mine = new.states.first(where: { $0.id == state.id }) else { return !new.replace }
                    return mine.version >= state.version
                }
            }
        }

        // The layout: field widths fixed per world.
        var layout = BitLayoutBuilder()
        /// `count` fields, of which only the first `used` take bits; the
        /// rest read as 0 (an absent feature, such as `force off`).
        func fields(_ count: Int, maxValue: Int, used: Int? = nil) -> UnsafePointer<BitField> {
            let table = storage.table(BitField.self, count: max(count, 1), fill: .empty)
            for index in 0..<(used ?? count) { table[index] = layout.add(maxValue: maxValue) }
            return UnsafePointer(table)
        }
        transitionPatch = layout.add(maxValue: patchCount)
        targetPatched = layout.add(maxValue: 1)
        position = fields(patchCount, maxValue: patchCount)
        retired = fields(patchCount, maxValue: 1)
        forced = fields(patchCount, maxValue: 1, used: world.force ? patchCount : 0)
        moduleState = fields(moduleCount, maxValue: 3)
        patched = fields(objectCount, maxValue: 1)
        postUnpatchEnabled = fields(objectCount, maxValue: 1)
        preOpen = fields(objectCount, maxValue: 1)
        postOpen = fields(objectCount, maxValue: 1)
        dynamicExists = fields(dynamicCount, maxValue: 1)
        dynamicPatched = fields(dynamicCount, maxValue: 1)
        patchedTaskCount = symmetry ? layout.add(maxValue: taskCount) : .empty
        taskPatched = fields(taskCount, maxValue: 1, used: symmetry ? 0 : taskCount)
        workerPatched = fields(workerCount, maxValue: 1)
        workerSleeping = fields(workerCount, maxValue: 1)
        reversed = world.core == .noSwitchAfterReverse ? layout.add(maxValue: 1) : .empty
        contracts = ContractTables(world, layout: &layout, storage: storage)
        hasContracts = contracts.enabled
        wordCount = layout.wordCount
        bitCount = layout.bitCount
        let taskMask = storage.table(UInt64.self, count: wordCount, fill: 0)
        let workerMask = storage.table(UInt64.self, count: wordCount, fill: 0)
        for task in 0..<(symmetry ? 0 : taskCount) {
            taskMask[taskPatched[task].word] |= taskPatched[task].mask << taskPatched[task].shift
        }
        for worker in 0..<workerCount {
            workerMask[workerPatched[worker].word] |= workerPatched[worker].mask << workerPatched[worker].shift
        }
        self.taskMask = UnsafePointer(taskMask)
        self.workerMask = UnsafePointer(workerMask)

        self.objectOf = UnsafePointer(objectOf)
        self.dynamicOf = UnsafePointer(dynamicOf)
        self.patchOfObject = UnsafePointer(patchOfObject)
        self.targetOfObject = UnsafePointer(targetOfObject)
        self.callbackMask = UnsafePointer(callbackMask)
        self.prePatchMode = UnsafePointer(prePatchMode)
        self.prePatchErrno = UnsafePointer(prePatchErrno)
        self.patchingMayFail = UnsafePointer(patchingMayFail)
        self.isReplace = UnsafePointer(isReplace)
        self.firstObject = UnsafePointer(firstObject)
        self.objectCountOf = UnsafePointer(objectCountOf)
        self.workerOfModule = UnsafePointer(workerOfModule)
        self.moduleOfWorker = UnsafePointer(moduleOfWorker)
        self.stateAllows = UnsafePointer(stateAllows)

        let moduleStateFields = moduleState
        mergesRetirement = reduction.mergesRetirement && !world.hasContracts && !world.patches.isEmpty
        mergedLoaderSteps = MergedLoaderSteps(
            modules: reduction.mergesLoaderSteps ? MergedLoaderSteps.modules(of: world) : [], moduleCount: moduleCount,
            stateField: { moduleStateFields[$0] }, storage: storage)
        if reduction.foldsModules {
            // Locals: the nested functions may not capture `self` before it is whole.
            let targets = targetCount
            let patchCount = patchCount
            let (moduleState, workerPatched, workerSleeping) = (moduleState, workerPatched, workerSleeping)
            let (patched, postUnpatchEnabled, preOpen, postOpen) = (patched, postUnpatchEnabled, preOpen, postOpen)
            let (dynamicExists, dynamicPatched) = (dynamicExists, dynamicPatched)
            func canFail(_ g: Int) -> Bool { prePatchMode[g] != PrePatchMode.succeeds.rawValue || patchingMayFail[g] }
            func fieldsOf(_ m: Int) -> [BitField] {
                var list = [moduleState[m]]
                let w = Int(workerOfModule[m])
                if w >= 0 { list += [workerPatched[w], workerSleeping[w]] }
                for p in 0..<patchCount {
                    let g = Int(objectOf[p * targets + m + 1])
                    if g >= 0 { list += [patched[g], postUnpatchEnabled[g], preOpen[g], postOpen[g]] }
                    let d = Int(dynamicOf[p * targets + m + 1])
                    if d >= 0 { list += [dynamicExists[d], dynamicPatched[d]] }
                }
                return list
            }
            let classes = ModuleSymmetry.classes(
                of: world, objectOf: { Int(objectOf[$0 * targets + $1]) }, dynamicOf: { Int(dynamicOf[$0 * targets + $1]) },
                canFail: canFail, callbackMask: { callbackMask[$0] },
                keyBits: { fieldsOf($0).reduce(0) { $0 + 64 - $1.mask.leadingZeroBitCount } })
            moduleSymmetry = ModuleSymmetry(classes: classes, fieldsOf: fieldsOf, storage: storage)
        } else {
            moduleSymmetry = ModuleSymmetry(storage: storage)
        }
    }

    // MARK: Names (log lines only)

    /// The name of target `t` as the kernel prints objects.
    public func targetName(_ t: Int) -> String { t == 0 ? "vmlinux" : moduleNames[t - 1] }
    /// The name of patch `p`.
    public func patchName(_ p: Int) -> String { patchNames[p] }
    /// The name of module `m`.
    public func moduleName(_ m: Int) -> String { moduleNames[m] }
    /// The name of author data `d`.
    public func dataName(_ d: Int) -> String { dataNames[d] }
    /// The name of setting `s`.
    public func settingName(_ s: Int) -> String { settingNames[s] }
    /// The values of setting `s`, boot value first.
    public func settingValues(_ s: Int) -> [String] {
        (settingValueStart[s]..<settingValueStart[s + 1]).map { settingValueNames[$0] }
    }

    /// The raw memory of one compiled world's tables, freed with the last
    /// copy of the world. Immutable once the tables are built, so it may be
    /// shared between threads.
    final class Storage: @unchecked Sendable {
        /// Blocks of trivial values: deallocated only.
        private var blocks: [UnsafeMutableRawPointer] = []
        /// Blocks of strings, with their counts: deinitialized, then deallocated.
        private var stringBlocks: [(UnsafeMutablePointer<String>, Int)] = []

        init() {}

        /// A table of `count` trivial values (at least one), each `fill`.
        func table<T>(_ type: T.Type, count: Int, fill: T) -> UnsafeMutablePointer<T> {
            precondition(_isPOD(T.self), "tables hold trivial values only")
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
            pointer.initialize(repeating: fill, count: max(count, 1))
            blocks.append(UnsafeMutableRawPointer(pointer))
            return pointer
        }

        /// A table holding `values`.
        func strings(_ values: [String]) -> UnsafePointer<String> {
            let pointer = UnsafeMutablePointer<String>.allocate(capacity: max(values.count, 1))
            pointer.initialize(from: values, count: values.count)
            stringBlocks.append((pointer, values.count))
            return UnsafePointer(pointer)
        }

        deinit {
            for (block, count) in stringBlocks {
                block.deinitialize(count: count)
                block.deallocate()
            }
            for block in blocks { block.deallocate() }
        }
    }
}

/// A world compiled for the hot path: the world as parsed, and a pointer
/// to its `WorldTables`, whose members it forwards.
@dynamicMemberLookup
public struct CompiledWorld: @unchecked Sendable {
    /// The world it was compiled from.
    public let world: World
    /// The tables, in `storage`: valid as long as this value lives.
    @usableFromInline let tables: UnsafePointer<WorldTables>
    private let storage: WorldTables.Storage

    /// Compiles `world`; with any `reduction` but `.none`, the search folds
    /// interchangeable modules (`interchangeableModules`); with `.auto` or
    /// `.exact` it runs each half of `insmod` and `rmmod` of the modules
    /// `mergedModules` names as one step; with `.auto` it also removes a
    /// retired patch's module as it retires (`mergesRetirement`).
    public init(_ world: World, symmetry: Bool, reduction: Reduction = .none) {
        self.world = world
        let storage = WorldTables.Storage()
        self.storage = storage
        let tables = storage.table(
            WorldTables.self, count: 1, fill: WorldTables(world, symmetry: symmetry, reduction: reduction, storage: storage))
        self.tables = UnsafePointer(tables)
    }

    /// Forwards to the tables.
    public subscript<T>(dynamicMember path: KeyPath<WorldTables, T>) -> T { tables.pointee[keyPath: path] }

    /// The name of target `t`.
    public func targetName(_ t: Int) -> String { tables.pointee.targetName(t) }
    /// The name of patch `p`.
    public func patchName(_ p: Int) -> String { tables.pointee.patchName(p) }
    /// The name of module `m`.
    public func moduleName(_ m: Int) -> String { tables.pointee.moduleName(m) }
}

/// A trivial handle on a world's tables, for the hot path: copying it
/// copies one pointer, with no reference counting.
///
/// It does not keep the tables alive, so only this module makes one, and
/// only from a `CompiledWorld` it holds for as long as the handle is used
/// (`LivepatchModel` keeps its world; `CompiledWorld`'s own methods run
/// the machine within the call).
@dynamicMemberLookup
@usableFromInline
struct WorldRef {
    /// The tables.
    @usableFromInline let tables: UnsafePointer<WorldTables>
    /// A handle on `world`'s tables, for as long as the caller holds `world`.
    @inlinable init(_ world: CompiledWorld) { tables = world.tables }
    /// Forwards to the tables.
    @inlinable subscript<T>(dynamicMember path: KeyPath<WorldTables, T>) -> T { tables.pointee[keyPath: path] }
    /// The name of target `t`.
    @usableFromInline func targetName(_ t: Int) -> String { tables.pointee.targetName(t) }
    /// The name of patch `p`.
    @usableFromInline func patchName(_ p: Int) -> String { tables.pointee.patchName(p) }
    /// The name of module `m`.
    @usableFromInline func moduleName(_ m: Int) -> String { tables.pointee.moduleName(m) }
}
