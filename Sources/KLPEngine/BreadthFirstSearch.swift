import CKLPSupport
import Dispatch

/// One level-synchronous breadth-first search over a model and a visited set.
///
/// Each BFS level is cut into rounds; in a round, workers claim chunks of the
/// frontier with atomic counters, generate successors into their own sink,
/// insert them into the shared visited set and append new ones to their own
/// next-level buffer. A level is read in parts, one per worker: the states
/// that worker found, which it expands first (the table lines they touch
/// are the ones it wrote, still in its cache) before it helps with the
/// others. Between rounds, on one thread, the visited set grows, deferred
/// inserts are retried, limits are checked and progress is shown. A round
/// never inserts more states than the state limit leaves room for; when the
/// room left is less than one state's successors, the rest of the search
/// runs on one thread and counts each new state (`expandNearLimit`).
@usableFromInline
final class BreadthFirstSearch<Model: TransitionSystem, Visited: VisitedSet, Visitor: SearchVisitor>: @unchecked Sendable
where Visited.State == Model.State, Visitor.State == Model.State {
    @usableFromInline
    typealias State = Model.State

    @usableFromInline
    let model: Model
    @usableFromInline
    let visited: Visited
    /// Sees every new state and every step (`NoVisitor`: nothing, at no cost).
    @usableFromInline
    let visitor: Visitor
    /// The BFS level of the states being found now, for the visitor.
    @usableFromInline
    var visitLevel = 0
    @usableFromInline
    let ledger: MemoryLedger
    @usableFromInline
    let options: SearchOptions
    @usableFromInline
    let invariants: PropertySet
    @usableFromInline
    let steps: PropertySet
    @usableFromInline
    let contexts: WorkerContexts<State>
    @usableFromInline
    let threads: Int
    @usableFromInline
    let chunkCounter: UnsafeMutablePointer<UInt64>
    /// Whether workers keep a cache of recent states: not over a paged set,
    /// whose slots already gather a page's states (and whose page-key hash
    /// would make a page's states evict one another from the cache).
    @usableFromInline
    let usesRecentStates: Bool

    /// Properties already violated at an earlier level: no longer looked for.
    @usableFromInline
    var decided: PropertySet = []
    @usableFromInline
    var violations: [Int: FoundViolation<State>] = [:]
    @usableFromInline
    var states: UInt64 = 0
    @usableFromInline
    var transitions: UInt64 = 0
    /// For a model that folds states, the full-space states and transitions
    /// the expanded states stand for (summed from the workers after each round).
    @usableFromInline
    var representedStates: Double = 0
    /// Whether expanding a state adds its weight: the model folds states
    /// and its weights count the full space (`TransitionSystem.countsFullSpace`).
    @inlinable var sumsWeights: Bool { model.foldsStates && model.countsFullSpace }
    @usableFromInline
    var representedTransitions: Double = 0
    @usableFromInline
    var depth = 0
    @usableFromInline
    var limit: SearchLimit?
    @usableFromInline
    var levels: [Frontier<State>] = []
    @usableFromInline
    var seconds: Double = 0
    @usableFromInline
    var start: UInt64 = 0
    @usableFromInline
    var lastProgress: UInt64 = 0

    /// The fewest states a worker claims at a time.
    @inlinable
    static var chunkSize: Int { 256 }
    /// Chunks per worker when a round starts (see `work`).
    @inlinable
    static var chunksPerThread: Int { 4 }
    /// States expanded per round at most, so limits and progress are looked at often.
    @inlinable
    static var roundSize: Int { 1 << 16 }

    @inlinable
    init(model: Model, visited: Visited, ledger: MemoryLedger, options: SearchOptions, checked: PropertySet, visitor: Visitor) {
        self.model = model
        self.visited = visited
        self.visitor = visitor
        self.ledger = ledger
        self.options = options
        usesRecentStates = visited.kind != .paged
        var invariants: PropertySet = []
        var steps: PropertySet = []
        for (index, property) in model.properties.enumerated() where checked.contains(index: index) {
            switch property.kind {
            case .invariant: invariants.insert(PropertySet(index: index))
            case .step: steps.insert(PropertySet(index: index))
            case .possibility: break
            }
        }
        self.invariants = invariants
        self.steps = steps
        threads = options.threads
        contexts = WorkerContexts(count: threads, sinkCapacity: Self.batchSize + model.maxSuccessors, ledger: ledger)
        chunkCounter = .allocate(capacity: threads * Self.counterStride)
        chunkCounter.initialize(repeating: 0, count: threads * Self.counterStride)
    }

    deinit {
        chunkCounter.deallocate()
        for index in levels.indices { levels[index].free(ledger: ledger) }
    }

    @inlinable
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    @inlinable
    var elapsed: Double { Double(Self.now() - start) / 1e9 }

    /// Runs the search. With `recordLevels`, every level stays in `levels`;
    /// `stopAfterLevel` may end the search after any level (it sees the level
    /// just completed and its index).
    @inlinable
    func run(recordLevels: Bool, stopAfterLevel: ((Frontier<State>, Int) -> Bool)? = nil) {
        start = Self.now()
        lastProgress = start
        defer { seconds = elapsed }

        // Level 0: the initial states.
        let first = contexts[0]
        model.initialStates(into: &first.pointee.sink)
        let initialSink = first.pointee.sink
        first.pointee.sink.reset()
        for index in 0..<initialSink.count {
            let admitted =
                options.maxStates.map { admit(initialSink.state(at: index), into: first, within: $0) }
                ?? admit(initialSink.state(at: index), into: first)
            guard admitted else { break }
        }
        var frontier = collectNextLevel()
        mergeViolations(level: 0)
        let safety = invariants.union(steps)
        let canStopEarly = checkedPossibilities.isEmpty && !safety.isEmpty
        while true {
            guard frontier.count > 0, limit == nil else {
                frontier.free(ledger: ledger)
                break
            }
            let level = depth
            if recordLevels { levels.append(frontier) }
            let stop = (stopAfterLevel?(frontier, level) ?? false) || (canStopEarly && safety.isSubset(of: decided))
            visitLevel = level + 1
            if !stop { expand(&frontier, level: level, keep: recordLevels) }
            if !recordLevels { frontier.free(ledger: ledger) }
            if stop {
                // The level's states were not expanded.
                stoppedEarly = true
                break
            }
            frontier = collectNextLevel()
            mergeViolations(level: level + 1)
            if frontier.count > 0 { depth = level + 1 }
        }
    }

    /// Whether the search ended with states left to expand, every safety
    /// property being decided (or at `stopAfterLevel`'s request): no limit,
    /// but not the whole space either.
    @usableFromInline
    var stoppedEarly = false

    /// Possibility properties being checked: they need the whole state
    /// space, so the search never stops early while any is checked.
    @usableFromInline
    var checkedPossibilities: PropertySet = []

    /// Expands one level, round by round.
    @inlinable
    func expand(_ frontier: inout Frontier<State>, level: Int, keep: Bool) {
        let parts = frontier.parts
        var cursors = parts.map(\.lowerBound)
        var remaining = frontier.count
        let perState = max(1, model.maxSuccessors)
        while remaining > 0 {
            if let stop = options.stop, stop.isRequested {
                limit = .interrupted
                return
            }
            if let timeLimit = options.timeLimit, elapsed >= timeLimit {
                limit = .time
                return
            }
            guard visited.prepareForInserts(threads: threads) else {
                limit = .memory
                return
            }
            var roundSize = min(remaining, Self.roundSize)
            if let maxStates = options.maxStates {
                let room = maxStates > states ? maxStates - states : 0
                roundSize = min(roundSize, Int(min(room / UInt64(perState), UInt64(Int.max))))
                if roundSize == 0 {
                    // Less room than one state's successors may take: the
                    // rest, one successor at a time, up to the last place.
                    let rest = parts.indices.map { cursors[$0]..<parts[$0].upperBound }
                    expandNearLimit(frontier, ranges: rest, maxStates: maxStates)
                    return
                }
            }
            // Each part gives a share of the round in proportion to what it
            // has left, so that the parts run out together.
            var slices: [Range<Int>] = []
            var taken = 0
            for (index, part) in parts.enumerated() {
                let left = part.upperBound - cursors[index]
                let share = left == 0 ? 0 : max(1, roundSize * left / remaining)
                let quota = min(share, left, roundSize - taken)
                slices.append(cursors[index]..<(cursors[index] + quota))
                taken += quota
            }
            runRound(frontier, slices: slices)
            retryDeferred()
            for index in slices.indices { cursors[index] = slices[index].upperBound }
            remaining -= taken
            if !keep { frontier.freeBlocks(consumed: cursors, ledger: ledger) }
            var outOfMemory = false
            var newStates: UInt64 = 0
            var fired: UInt64 = 0
            for thread in 0..<threads {
                let context = contexts[thread]
                newStates += context.pointee.newStates
                fired += context.pointee.transitions
                representedStates += context.pointee.representedStates
                representedTransitions += context.pointee.representedTransitions
                context.pointee.newStates = 0
                context.pointee.transitions = 0
                context.pointee.representedStates = 0
                context.pointee.representedTransitions = 0
                outOfMemory = outOfMemory || context.pointee.outOfMemory
            }
            states += newStates
            transitions += fired
            if outOfMemory {
                limit = .memory
                return
            }
            reportProgress(level: level)
        }
    }

    /// Stride, in words, between the per-part chunk counters: a cache line each.
    @inlinable
    static var counterStride: Int { 8 }

    @inlinable
    func runRound(_ frontier: Frontier<State>, slices: [Range<Int>]) {
        for (index, slice) in slices.enumerated() { chunkCounter[index * Self.counterStride] = UInt64(slice.lowerBound) }
        let open = PropertySet(rawValue: (invariants.rawValue | steps.rawValue) & ~decided.rawValue)
        if threads == 1 {
            work(frontier, slices: slices, context: contexts[0], open: open)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                work(frontier, slices: slices, context: contexts[thread], open: open)
            }
        }
    }

    /// Successors gathered before a batch of inserts.
    @inlinable
    static var batchSize: Int { 256 }

    /// The hot loop of one worker: expand states into the sink until a batch
    /// is full, then prefetch every successor's slot and insert them all, so
    /// the cache misses of a batch overlap instead of following each other.
    @inlinable
    func work(
        _ frontier: Frontier<State>, slices: [Range<Int>],
        context: UnsafeMutablePointer<WorkerContext<State>>, open: PropertySet
    ) {
        let share = UInt64(threads * Self.chunksPerThread)
        let openSteps = PropertySet(rawValue: open.rawValue & steps.rawValue)
        let openInvariants = PropertySet(rawValue: open.rawValue & invariants.rawValue)
        let batch = Self.batchSize
        let folds = sumsWeights
        // A swarm member's order is a branch per state, not a second copy
        // of this loop: it costs nothing next to a state's successors, and
        // each copy of the loop costs release-build time per model and width.
        let order = options.swarmSeed.map(SeededOrder.init(seed:))
        context.pointee.sink.reset()
        // Its own part first, then the others' (which their workers expand
        // from the front too).
        var step = 0
        while step < slices.count {
            let part = (context.pointee.worker + step) % slices.count
            let counter = chunkCounter + part * Self.counterStride
            let end = UInt64(slices[part].upperBound)
            // Guided self-scheduling: a share of what is left, so that the
            // first chunks are long and the last ones short (the workers
            // finish the round together).
            var first = klp_load_relaxed(counter)
            var last = first
            while first < end {
                last = min(end, first + max(UInt64(Self.chunkSize), (end - first) / share))
                let seen = klp_cas(counter, first, last)
                if seen == first { break }
                first = seen
            }
            if first >= end {
                step += 1
                continue
            }
            // A stop request ends the round early (one load per chunk); the
            // search then stops before the next round.
            if let stop = options.stop, stop.isRequested { break }
            frontier.forEach(in: Int(first)..<Int(last)) { state in
                let before = context.pointee.sink.count
                model.successors(of: state, into: &context.pointee.sink)
                let after = context.pointee.sink.count
                if let order { order.reorder(&context.pointee.sink, before..<after, of: state) }
                context.pointee.transitions &+= UInt64(after &- before)
                if folds {
                    // Every state of the orbit has as many steps as its representative.
                    let weight = model.representedStates(by: state)
                    context.pointee.representedStates += weight
                    context.pointee.representedTransitions += weight * Double(after &- before)
                }
                if Visitor.visitsTransitions {
                    for index in before..<after {
                        visitor.visitTransition(
                            from: state, action: context.pointee.sink.action(at: index), to: context.pointee.sink.state(at: index),
                            violating: context.pointee.sink.violations(at: index), worker: context.pointee.worker)
                    }
                }
                if openSteps.rawValue != 0 {
                    for index in before..<after {
                        let broken = context.pointee.sink.violations(at: index).rawValue & openSteps.rawValue
                        if broken != 0 {
                            context.pointee.offer(
                                ViolationCandidate(
                                    isSet: true, predecessor: state, action: context.pointee.sink.action(at: index),
                                    state: context.pointee.sink.state(at: index), isStep: true),
                                for: PropertySet(rawValue: broken))
                        }
                    }
                }
                if after >= batch { insertBatch(context: context, openInvariants: openInvariants) }
            }
        }
        insertBatch(context: context, openInvariants: openInvariants)
    }

    /// Inserts the sink's successors: hash them, drop those the recent-states
    /// cache knows, prefetch the rest, then insert them all.
    @inline(__always)
    @inlinable
    func insertBatch(context: UnsafeMutablePointer<WorkerContext<State>>, openInvariants: PropertySet) {
        let count = context.pointee.sink.count
        let states = context.pointee.sink.states
        let hashes = context.pointee.sink.hashes
        let recentStates = context.pointee.recentStates
        let recentTags = context.pointee.recentTags
        let recentMask = WorkerContext<State>.recentCapacity - 1
        let worker = context.pointee.worker
        let useRecent = usesRecentStates
        var pending = 0
        for index in 0..<count {
            let state = states[index]
            let hash = visited.hash(of: state)
            if useRecent {
                let slot = Int(truncatingIfNeeded: hash) & recentMask
                if recentTags[slot] == UInt32(truncatingIfNeeded: hash >> 32) | 1 && recentStates[slot] == state { continue }
            }
            states[pending] = state
            hashes[pending] = hash
            visited.prefetch(state, hash: hash)
            pending &+= 1
        }
        for index in 0..<pending {
            let successor = states[index]
            let hash = hashes[index]
            switch visited.insert(successor, hash: hash, worker: worker) {
            case .new:
                context.pointee.newStates &+= 1
                if !accept(successor, into: context, checking: openInvariants) { context.pointee.outOfMemory = true }
            case .seen:
                break
            case .deferred:
                if !context.pointee.deferred.append(successor, ledger: ledger) { context.pointee.outOfMemory = true }
                continue
            }
            if useRecent {
                let slot = Int(truncatingIfNeeded: hash) & recentMask
                recentStates[slot] = successor
                recentTags[slot] = UInt32(truncatingIfNeeded: hash >> 32) | 1
            }
        }
        context.pointee.sink.reset()
    }

    /// Inserts, on one thread, the states a full segment turned away.
    @inlinable
    func retryDeferred() {
        for thread in 0..<threads {
            let context = contexts[thread]
            let pending = context.pointee.deferred
            for index in 0..<pending.count {
                let state = pending[index]
                guard admit(state, into: context) else { return }
            }
            context.pointee.deferred.removeAll()
        }
    }

    /// Inserts one state on the coordinating thread and counts it when new;
    /// false when memory ran out.
    @inlinable
    func admit(_ state: State, into context: UnsafeMutablePointer<WorkerContext<State>>) -> Bool {
        var outcome = visited.insert(state, worker: context.pointee.worker)
        while case .deferred = outcome {
            guard visited.prepareForInserts(threads: threads) else {
                limit = .memory
                return false
            }
            outcome = visited.insert(state, worker: context.pointee.worker)
        }
        guard case .new = outcome else { return true }
        states += 1
        guard accept(state, into: context, checking: PropertySet(rawValue: invariants.rawValue & ~decided.rawValue)) else {
            limit = .memory
            return false
        }
        return true
    }

    /// `admit`, but a new state beyond `maxStates` stored is not inserted:
    /// it sets the state limit instead (false).
    @inlinable
    func admit(_ state: State, into context: UnsafeMutablePointer<WorkerContext<State>>, within maxStates: UInt64) -> Bool {
        if states >= maxStates {
            // Full: a state already stored is no news, a new one is the limit.
            // A bitstate set cannot tell, so it stops at the first successor.
            if states > 0 && visited.isExact && visited.slot(of: state) != nil { return true }
            limit = .states
            return false
        }
        return admit(state, into: context)
    }

    /// Expands the states of `ranges` on this thread, one at a time, storing
    /// each new successor only while fewer than `maxStates` are stored. The
    /// rounds grant room for every successor a state may have, which near the
    /// limit is more than is left; here a world of exactly `maxStates` states
    /// still completes, and a larger one stops with `maxStates` stored.
    @inlinable
    func expandNearLimit(_ frontier: Frontier<State>, ranges: [Range<Int>], maxStates: UInt64) {
        let context = contexts[0]
        let openSteps = PropertySet(rawValue: steps.rawValue & ~decided.rawValue)
        var sink = SuccessorSink<State>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        var expanded = 0
        for range in ranges where limit == nil {
            frontier.forEach(in: range) { state in
                guard limit == nil else { return }
                if expanded % Self.chunkSize == 0, let timeLimit = options.timeLimit, elapsed >= timeLimit {
                    limit = .time
                    return
                }
                expanded += 1
                sink.reset()
                model.successors(of: state, into: &sink)
                if let seed = options.swarmSeed { SeededOrder(seed: seed).reorder(&sink, 0..<sink.count, of: state) }
                transitions += UInt64(sink.count)
                if sumsWeights {
                    let weight = model.representedStates(by: state)
                    representedStates += weight
                    representedTransitions += weight * Double(sink.count)
                }
                if Visitor.visitsTransitions {
                    // Every step is shown here too, before the limit may end
                    // the search: a world of exactly `maxStates` is seen whole.
                    for index in 0..<sink.count {
                        visitor.visitTransition(
                            from: state, action: sink.action(at: index), to: sink.state(at: index),
                            violating: sink.violations(at: index), worker: context.pointee.worker)
                    }
                }
                for index in 0..<sink.count {
                    let broken = sink.violations(at: index).rawValue & openSteps.rawValue
                    if broken != 0 {
                        context.pointee.offer(
                            ViolationCandidate(
                                isSet: true, predecessor: state, action: sink.action(at: index),
                                state: sink.state(at: index), isStep: true),
                            for: PropertySet(rawValue: broken))
                    }
                    guard admit(sink.state(at: index), into: context, within: maxStates) else { return }
                }
            }
        }
    }

    /// A new state: onto the worker's next level, and checked against the
    /// open invariants; false when the ledger refused the next level's memory.
    @inline(__always)
    @inlinable
    func accept(_ state: State, into context: UnsafeMutablePointer<WorkerContext<State>>, checking open: PropertySet) -> Bool {
        let appended = context.pointee.next.append(state, ledger: ledger)
        visitor.visitState(state, level: visitLevel, worker: context.pointee.worker)
        if open.rawValue != 0 {
            let broken = model.invariantViolations(of: state, checked: open)
            if !broken.isEmpty { context.pointee.offer(.invariant(state), for: broken) }
        }
        return appended
    }

    /// Takes the workers' next-level blocks as the next frontier.
    @inlinable
    func collectNextLevel() -> Frontier<State> {
        // One part per worker: the states it found, which it expands first
        // at the next level (their pages are in its cache).
        Frontier(parts: (0..<threads).map { contexts[$0].pointee.next.takeBlocks() }, ledger: ledger)
    }

    /// Keeps, per property, the canonical candidate of the level just built.
    @inlinable
    func mergeViolations(level: Int) {
        for thread in 0..<threads {
            let context = contexts[thread]
            for index in context.pointee.found.indices {
                let candidate = context.pointee.candidates[index]
                if !decided.contains(index: index) {
                    if let existing = violations[index], existing.level == level {
                        if candidate.precedes(existing.candidate) {
                            violations[index] = FoundViolation(level: level, candidate: candidate)
                        }
                    } else if violations[index] == nil {
                        violations[index] = FoundViolation(level: level, candidate: candidate)
                    }
                }
                context.pointee.candidates[index] = .empty
            }
            context.pointee.found = []
        }
        for index in violations.keys { decided.insert(PropertySet(index: index)) }
    }

    @usableFromInline
    func reportProgress(level: Int) {
        guard let progress = options.progress else { return }
        let now = Self.now()
        guard Double(now - lastProgress) / 1e9 >= options.progressInterval else { return }
        lastProgress = now
        progress(
            SearchProgress(
                level: level, states: states, transitions: transitions, seconds: elapsed,
                memoryBytes: ledger.currentBytes))
    }
}
