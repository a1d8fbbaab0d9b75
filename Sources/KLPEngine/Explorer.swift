import CKLPSupport
import Dispatch

/// Explores every reachable state of a model and decides its properties.
///
/// The entry point of the engine: pick the visited set, run the
/// breadth-first search, decide possibility properties on the stored state
/// space, and rebuild the shortest counterexample of each violated property.
public enum Explorer {
    /// Dense spaces up to this many states use a bitmap under `--visited auto`.
    public static let autoBitmapLimit: UInt64 = 1 << 24

    /// Explores `model` under `options`.
    ///
    /// - Throws: `ExplorerError` when the options do not fit the model.
    @inlinable
    public static func explore<Model: TransitionSystem>(
        _ model: Model, options: SearchOptions = SearchOptions()
    ) throws -> SearchReport<Model.State> {
        try explore(model, options: options, visitor: NoVisitor<Model.State>())
    }

    /// Explores `model` under `options`, showing `visitor` every state the
    /// main search stores and every step it fires.
    ///
    /// - Throws: `ExplorerError` when the options do not fit the model.
    @inlinable
    public static func explore<Model: TransitionSystem, Visitor: SearchVisitor>(
        _ model: Model, options: SearchOptions = SearchOptions(), visitor: Visitor
    ) throws -> SearchReport<Model.State> where Visitor.State == Model.State {
        typealias State = Model.State
        let checked = options.checked ?? PropertySet.first(model.properties.count)
        if let beyond = checked.indices.first(where: { $0 >= model.properties.count }) {
            throw ExplorerError.unknownProperty(beyond)
        }
        let ledger = MemoryLedger(budget: options.maxMemoryBytes)
        let kind = try resolveKind(model, requested: options.visited, memoryBudget: options.maxMemoryBytes)
        switch kind {
        case .bitmap:
            // `resolveKind` gives a bitmap to one-word states only. Said
            // again here, where the optimiser folds it for each state type,
            // so that wider types get no copy of the search over a bitmap.
            guard State.wordCount == 1 else {
                throw ExplorerError.bitmapUnavailable("the model's states take \(State.wordCount) words")
            }
            let universe = model.denseStateCount ?? 0
            return ExplorationRun(model: model, ledger: ledger, options: options, checked: checked, kind: .bitmap, visitor: visitor) {
                BitmapVisitedSet<State>(universe: universe, ledger: ledger)
            }.run()
        case .bitstate:
            let log2Bits = options.fittingBitstateLog2Bits
            return ExplorationRun(model: model, ledger: ledger, options: options, checked: checked, kind: .bitstate, visitor: visitor) {
                BitstateVisitedSet<State>(log2Bits: log2Bits, seed: options.swarmSeed ?? 0, ledger: ledger)
            }.run()
        case .paged:
            let page = model.pageField
            return ExplorationRun(model: model, ledger: ledger, options: options, checked: checked, kind: .paged, visitor: visitor) {
                PagedVisitedSet<State>(ledger: ledger, page: page)
            }.run()
        case .tree where TreeVisitedSet<State>.supports(words: State.wordCount):
            // As for the bitmap: only the widths a tree takes get this copy
            // (`resolveKind` gives the others a hash set).
            return ExplorationRun(model: model, ledger: ledger, options: options, checked: checked, kind: .tree, visitor: visitor) {
                TreeVisitedSet<State>(ledger: ledger)
            }.run()
        case .tree, .hash, .auto:
            return ExplorationRun(model: model, ledger: ledger, options: options, checked: checked, kind: .hash, visitor: visitor) {
                HashVisitedSet<State>(ledger: ledger)
            }.run()
        }
    }

    /// Explores `model` over the plain hash set, whatever `options.visited`
    /// says, showing `visitor` every state and step as `explore` does.
    ///
    /// `explore` compiles the search once per visited set for each model
    /// and visitor type; this compiles it once. For small bounded searches
    /// that never need another set (a scenario's progress check, a drawn
    /// graph), it keeps release builds short.
    ///
    /// - Throws: `ExplorerError` when a checked property does not exist.
    @inlinable
    public static func exploreOverHashSet<Model: TransitionSystem, Visitor: SearchVisitor>(
        _ model: Model, options: SearchOptions = SearchOptions(), visitor: Visitor
    ) throws -> SearchReport<Model.State> where Visitor.State == Model.State {
        let checked = options.checked ?? PropertySet.first(model.properties.count)
        if let beyond = checked.indices.first(where: { $0 >= model.properties.count }) {
            throw ExplorerError.unknownProperty(beyond)
        }
        let ledger = MemoryLedger(budget: options.maxMemoryBytes)
        return ExplorationRun(model: model, ledger: ledger, options: options, checked: checked, kind: .hash, visitor: visitor) {
            HashVisitedSet<Model.State>(ledger: ledger)
        }.run()
    }

    /// The visited set `requested` resolves to for `model` under a memory
    /// budget of `memoryBudget` bytes.
    ///
    /// A bitmap is allocated whole and its bits are set all over it, so it
    /// must fit `bitmapAllowance(memoryBudget:)` before it is allocated:
    /// `bitmap` is refused when it does not, `auto` takes a hash set.
    public static func resolveKind<Model: TransitionSystem>(
        _ model: Model, requested: VisitedKind, memoryBudget: UInt64 = .max
    ) throws -> VisitedKind {
        let dense = Model.State.wordCount == 1 ? model.denseStateCount : nil
        let allowance = bitmapAllowance(memoryBudget: memoryBudget)
        switch requested {
        case .auto:
            // Not `tree`: on the scale family's two-word worlds (release,
            // 2 threads) it took 14.2 bytes a state against paged's 15.0
            // and hash's 30.4, but searched about 1.5 times as long as hash
            // and 5 times as long as paged (a probe per word and half, and
            // the paged set's page locality lost). Smaller, but much slower.
            if let dense, dense <= autoBitmapLimit, bitmapBytes(dense) <= allowance { return .bitmap }
            return model.pageField == nil ? .hash : .paged
        case .paged:
            guard model.pageField != nil else {
                throw ExplorerError.pagedUnavailable("the model declares no page field")
            }
            return .paged
        case .bitmap:
            guard Model.State.wordCount == 1 else {
                throw ExplorerError.bitmapUnavailable("the model's states take \(Model.State.wordCount) words")
            }
            guard let dense else { throw ExplorerError.bitmapUnavailable("the model has no dense state encoding") }
            guard dense < UInt64(1) << 40 else {
                throw ExplorerError.bitmapUnavailable("the dense space of \(dense) states needs \(dense / 8) bytes")
            }
            guard bitmapBytes(dense) <= allowance else {
                throw ExplorerError.bitmapTooLarge(needed: bitmapBytes(dense), allowed: allowance)
            }
            return .bitmap
        case .tree:
            // One word is one leaf: the tree would be the hash set with an
            // extra level. Widths the tree does not take (none today) too.
            return TreeVisitedSet<Model.State>.supports(words: Model.State.wordCount) ? .tree : .hash
        case .hash, .bitstate:
            return requested
        }
    }

    /// Bytes of a bitmap over `universe` states.
    public static func bitmapBytes(_ universe: UInt64) -> UInt64 { (universe + 63) / 64 * 8 }

    /// The most bytes a bitmap may take: half the budget, the budget taken
    /// no larger than the machine's memory. The other half is for the
    /// frontiers and for the marks of possibility properties, which take
    /// one bit per possible state too.
    public static func bitmapAllowance(memoryBudget: UInt64) -> UInt64 {
        let physical = klp_physical_memory_bytes()
        return (physical == 0 ? memoryBudget : min(memoryBudget, physical)) / 2
    }
}

/// One exploration: the main search, then possibilities, then traces.
@usableFromInline
struct ExplorationRun<Model: TransitionSystem, Visited: VisitedSet, Visitor: SearchVisitor>
where Visited.State == Model.State, Visitor.State == Model.State {
    @usableFromInline
    typealias State = Model.State
    @usableFromInline
    let model: Model
    @usableFromInline
    let ledger: MemoryLedger
    @usableFromInline
    let options: SearchOptions
    @usableFromInline
    let checked: PropertySet
    @usableFromInline
    let kind: VisitedKind
    @usableFromInline
    let makeSet: () -> Visited?
    @usableFromInline
    let visitor: Visitor

    @inlinable
    init(
        model: Model, ledger: MemoryLedger, options: SearchOptions, checked: PropertySet, kind: VisitedKind,
        visitor: Visitor, makeSet: @escaping () -> Visited?
    ) {
        self.visitor = visitor
        self.model = model
        self.ledger = ledger
        self.options = options
        self.checked = checked
        self.kind = kind
        self.makeSet = makeSet
    }

    @inlinable
    var possibilities: PropertySet {
        PropertySet(indices: model.properties.indices.filter {
            checked.contains(index: $0) && model.properties[$0].kind == .possibility
        })
    }

    @inlinable
    func run() -> SearchReport<State> {
        let started = DispatchTime.now().uptimeNanoseconds
        let properties = model.properties
        guard let visited = makeSet() else { return outOfMemoryReport() }
        let search = BreadthFirstSearch(
            model: model, visited: visited, ledger: ledger, options: options, checked: checked, visitor: visitor)
        search.checkedPossibilities = possibilities
        search.run(recordLevels: false)

        let complete = search.limit == nil && visited.isExact
        var statuses: [PropertyStatus<State>] = properties.indices.map { index in
            if !checked.contains(index: index) { return .notChecked }
            if search.violations[index] != nil { return .violated(nil) }
            return complete && properties[index].kind != .possibility ? .holds : .undecided
        }

        // Possibility properties: decided on the complete stored state space.
        var unreachable: [Int: Bitset] = [:]
        var marksRefused = false
        let possibilityStarted = DispatchTime.now().uptimeNanoseconds
        var possibilityExpansions: UInt64 = 0
        let deadline = deadline(since: started)
        if complete {
            for index in possibilities.indices {
                // The marks take one bit per slot, within the memory budget.
                guard
                    let (marks, allMarked) = canReachGoal(
                        property: index, in: visited, deadline: deadline, expansions: &possibilityExpansions)
                else {
                    marksRefused = true
                    continue
                }
                // A stop or the time limit leaves the marks unfinished: undecided.
                if stopRequested { break }
                if pastDeadline(deadline) {
                    search.limit = .time
                    break
                }
                if allMarked || marks.allSet(among: visited) {
                    statuses[index] = .holds
                } else {
                    unreachable[index] = marks
                    statuses[index] = .violated(nil)
                }
            }
        }
        let possibilitySeconds =
            complete && !possibilities.isEmpty ? Double(DispatchTime.now().uptimeNanoseconds - possibilityStarted) / 1e9 : 0

        // Counterexamples: one re-search that keeps its levels (not after a
        // stop request: the violations stay, without their traces).
        let traces = stopRequested ? [:] : rebuildTraces(fixed: search.violations, stuck: unreachable, mainSet: visited)
        let interrupted = stopRequested && search.limit == nil
        for (index, trace) in traces { statuses[index] = .violated(trace) }
        visited.free()

        return report(
            statuses: statuses, search: search, visited: visited, started: started, marksRefused: marksRefused,
            interrupted: interrupted, possibilitySeconds: possibilitySeconds, possibilityExpansions: possibilityExpansions)
    }

    /// The report of a finished run: the statuses and the search's statistics.
    @usableFromInline
    func report(
        statuses: [PropertyStatus<State>], search: BreadthFirstSearch<Model, Visited, Visitor>, visited: Visited, started: UInt64,
        marksRefused: Bool, interrupted: Bool, possibilitySeconds: Double, possibilityExpansions: UInt64
    ) -> SearchReport<State> {
        let complete = search.limit == nil && visited.isExact
        let omission = (visited as? BitstateVisitedSet<State>)?.omissionProbability(stored: search.states)
        let seconds = max(search.seconds, 1e-9)
        let statistics = SearchStatistics(
            states: search.states, transitions: search.transitions, depth: search.depth, seconds: search.seconds,
            totalSeconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, statesPerSecond: Double(search.states) / seconds,
            bytesPerState: search.states == 0 ? 0 : Double(ledger.peakBytes) / Double(search.states),
            engineMemoryBytes: ledger.peakBytes, peakMemoryBytes: klp_peak_rss_bytes(), threads: options.threads,
            visited: kind, limit: search.limit ?? (interrupted ? .interrupted : marksRefused ? .memory : nil),
            omissionProbability: omission, complete: complete && !marksRefused && !interrupted,
            progressSeconds: possibilitySeconds, progressExpansions: possibilityExpansions)
        var result = SearchReport(properties: model.properties, statuses: statuses, statistics: statistics)
        if complete && !search.stoppedEarly && model.countsFullSpace {
            result.fullSpace =
                model.foldsStates
                ? SpaceSize(
                    states: UInt64(min(search.representedStates, 0x1p63)),
                    transitions: UInt64(min(search.representedTransitions, 0x1p63)))
                : SpaceSize(states: search.states, transitions: search.transitions)
        }
        return result
    }

    /// Whether the options' stop request was made.
    @usableFromInline
    var stopRequested: Bool { options.stop?.isRequested ?? false }

    /// When `--time-limit` ends a run that began at `started` (`DispatchTime`
    /// uptime nanoseconds): the progress check after the search counts too.
    @usableFromInline
    func deadline(since started: UInt64) -> UInt64? {
        options.timeLimit.map { started &+ UInt64(min(max($0, 0), 1e9) * 1e9) }
    }

    /// Whether `deadline` (from `deadline(since:)`) has passed.
    @usableFromInline
    func pastDeadline(_ deadline: UInt64?) -> Bool {
        deadline.map { DispatchTime.now().uptimeNanoseconds >= $0 } ?? false
    }

    @usableFromInline
    func outOfMemoryReport() -> SearchReport<State> {
        let statuses: [PropertyStatus<State>] = model.properties.indices.map {
            checked.contains(index: $0) ? .undecided : .notChecked
        }
        let statistics = SearchStatistics(
            states: 0, transitions: 0, depth: 0, seconds: 0, totalSeconds: 0, statesPerSecond: 0, bytesPerState: 0,
            engineMemoryBytes: ledger.peakBytes, peakMemoryBytes: klp_peak_rss_bytes(), threads: options.threads,
            visited: kind, limit: .memory, omissionProbability: nil, complete: false)
        return SearchReport(properties: model.properties, statuses: statuses, statistics: statistics)
    }

    /// Marks every stored state from which a goal state of `property` is
    /// reachable: goals first, then greedy walks that mark most states with
    /// about one expansion each (`GoalSweep.walk`), then sweeps over the
    /// stored states marking any state with a marked successor, until a
    /// sweep marks nothing. Walks and sweeps run on every worker thread over
    /// slices of the slots; sweeps alternate directions, which lets marks
    /// travel far in one sweep. Adds the successor sets generated to
    /// `expansions`. Answers the marks, and true when they are known to
    /// cover every state (every walk ended at a marked state); nil when the
    /// memory budget refuses the marks.
    @inlinable
    func canReachGoal(property: Int, in visited: Visited, deadline: UInt64?, expansions: inout UInt64) -> (Bitset, Bool)? {
        guard let marks = Bitset(count: visited.slotCount, ledger: ledger) else { return nil }
        let sweeper = GoalSweep(
            model: model, visited: visited, property: property, marks: marks, threads: max(1, options.threads), deadline: deadline)
        sweeper.markGoals()
        // The walked bits are only for the walks: freed before the sweeps.
        // Without their memory the walks still run, only retrying states
        // that failed before.
        sweeper.walk(walked: Bitset(count: visited.slotCount, ledger: ledger))
        let allMarked = sweeper.walksMarkedAll
        var forward = true
        while !allMarked && !stopRequested && !pastDeadline(deadline) && sweeper.sweep(forward: forward) { forward.toggle() }
        expansions += sweeper.expansions
        return (marks, allMarked)
    }

    /// Rebuilds the shortest trace of every violation by searching again,
    /// keeping every level, and walking back from each target through the
    /// smallest (predecessor, action) at each level: the same trace for any
    /// thread count.
    @inlinable
    func rebuildTraces(
        fixed: [Int: FoundViolation<State>], stuck: [Int: Bitset], mainSet: Visited
    ) -> [Int: Trace<State>] {
        if fixed.isEmpty && stuck.isEmpty { return [:] }
        if stuck.isEmpty { mainSet.free() }
        guard let fresh = makeSet() else { return [:] }
        defer { fresh.free() }
        var traceOptions = options
        traceOptions.progress = nil
        traceOptions.maxStates = nil
        traceOptions.timeLimit = nil
        let search = BreadthFirstSearch(
            model: model, visited: fresh, ledger: ledger, options: traceOptions, checked: [], visitor: NoVisitor<State>())
        let deepest = fixed.values.map { $0.candidate.isStep ? $0.level - 1 : $0.level }.max() ?? -1
        var stuckTargets: [Int: (level: Int, state: State)] = [:]
        search.run(recordLevels: true) { level, depth in
            for (property, marks) in stuck where stuckTargets[property] == nil {
                var best: State?
                level.forEach(in: 0..<level.count) { state in
                    if let slot = mainSet.slot(of: state), !marks.contains(slot), best.map({ state < $0 }) ?? true {
                        best = state
                    }
                }
                if let best { stuckTargets[property] = (depth, best) }
            }
            return depth >= deepest && stuckTargets.count == stuck.count
        }
        let levels = search.levels
        var traces: [Int: Trace<State>] = [:]
        for (property, found) in fixed {
            let candidate = found.candidate
            if candidate.isStep {
                guard var trace = walkBack(from: candidate.predecessor, level: found.level - 1, levels: levels) else { continue }
                trace.steps.append(TraceStep(action: candidate.action, state: candidate.state))
                traces[property] = trace
            } else {
                traces[property] = walkBack(from: candidate.state, level: found.level, levels: levels)
            }
        }
        for (property, target) in stuckTargets {
            traces[property] = walkBack(from: target.state, level: target.level, levels: levels)
        }
        return traces
    }

    /// The path to `target`, a state of BFS level `level`.
    @inlinable
    func walkBack(from target: State, level: Int, levels: [Frontier<State>]) -> Trace<State>? {
        guard level < levels.count else { return nil }
        var steps: [TraceStep<State>] = []
        var current = target
        var sink = SuccessorSink<State>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        for depth in stride(from: level - 1, through: 0, by: -1) {
            var best: (state: State, action: UInt32)?
            levels[depth].forEach(in: 0..<levels[depth].count) { state in
                sink.reset()
                model.successors(of: state, into: &sink)
                for index in 0..<sink.count where sink.state(at: index) == current {
                    let action = sink.action(at: index)
                    if let known = best, known.state < state || (known.state == state && known.action <= action) {
                        continue
                    }
                    best = (state, action)
                }
            }
            guard let best else { return nil }
            steps.append(TraceStep(action: best.action, state: current))
            current = best.state
        }
        return Trace(initial: current, steps: steps.reversed())
    }
}

extension PropertySet {
    /// The set of the given indices.
    public init(indices: [Int]) {
        self.init(rawValue: indices.reduce(0) { $0 | (1 << UInt64($1)) })
    }
}
