import KLPEngine

/// Modules whose `insmod` and `rmmod` each run as one step: the second
/// half of each (module init, the GOING notifier) follows the first at
/// once (Livepatch.docc, Reductions).
///
/// For a module that is not busy, in a world without author contracts,
/// COMING, LIVE and GOING differ only to the module's own loader steps:
/// every other guard, every effect and every property asks whether the
/// module is loaded, never which of the three it is (the callbacks' log
/// lines print it, and the search keeps no log). Init and exit change
/// nothing else, so each state is branching-bisimilar to the same state
/// with the module in either of the other two, and the search may keep
/// only LIVE: COMING runs on into init, exit runs on into the GOING
/// notifier. Branching bisimulation keeps every safety property and
/// `progress` (AG EF), as SPIN's statement merging does for steps no
/// other process sees. It does not keep breadth-first levels: a trace may
/// take more steps than the shortest one.
///
/// Every state the merged search stores stands for 3^k states of the full
/// space, k being the merged modules it holds LIVE (each may be COMING,
/// LIVE or GOING there), with the same number of steps out of each.
@usableFromInline
struct MergedLoaderSteps {
    /// The merged modules; 0 when the reduction is off.
    @usableFromInline let count: Int
    /// Merged module `i`'s index.
    @usableFromInline let modules: UnsafePointer<Int32>
    /// Merged module `i`'s state field.
    @usableFromInline let stateFields: UnsafePointer<BitField>
    /// Whether module `m` is merged, by module index.
    @usableFromInline let isMerged: UnsafePointer<Bool>
    /// 3^k for k in 0...count.
    @usableFromInline let powersOfThree: UnsafePointer<Double>

    /// Merges `modules`, whose state fields are `stateField(m)`, out of `moduleCount`.
    init(modules: [Int], moduleCount: Int, stateField: (Int) -> BitField, storage: WorldTables.Storage) {
        let indices = storage.table(Int32.self, count: modules.count, fill: 0)
        let fields = storage.table(BitField.self, count: modules.count, fill: .empty)
        let isMerged = storage.table(Bool.self, count: moduleCount, fill: false)
        let powers = storage.table(Double.self, count: modules.count + 1, fill: 1)
        for (i, m) in modules.enumerated() {
            indices[i] = Int32(m)
            fields[i] = stateField(m)
            isMerged[m] = true
            powers[i + 1] = powers[i] * 3
        }
        count = modules.count
        self.modules = UnsafePointer(indices)
        stateFields = UnsafePointer(fields)
        self.isMerged = UnsafePointer(isMerged)
        powersOfThree = UnsafePointer(powers)
    }

    /// The modules of `world` whose loader steps may merge (see the type's
    /// rule): every module that is not busy, in a world without author
    /// contracts.
    static func modules(of world: World) -> [Int] {
        guard !world.hasContracts else { return [] }
        return world.modules.indices.filter { !world.modules[$0].busy }
    }

    /// The step that follows `event` at once when `event` is the first half
    /// of a merged module's `insmod` (the COMING notifier: init follows) or
    /// `rmmod` (exit: the GOING notifier follows); nil for any other event.
    func secondHalf(of event: LivepatchEvent) -> LivepatchEvent? {
        switch event.kind {
        case .moduleComing where isMerged[event.operand]: return LivepatchEvent(.moduleInit, event.operand)
        case .moduleExit where isMerged[event.operand]: return LivepatchEvent(.moduleGoing, event.operand)
        default: return nil
        }
    }

    /// How many states of the full space `state` stands for: 3 to the power
    /// of the merged modules it holds LIVE.
    ///
    /// - Complexity: O(merged modules).
    @inlinable
    func representedStates<State: PackedState>(by state: State) -> Double {
        var live = 0
        for i in 0..<count where state[stateFields[i]] == ModuleState.live { live &+= 1 }
        return powersOfThree[live]
    }
}
