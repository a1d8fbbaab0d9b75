import CKLPSupport
import Dispatch

/// The goal-reachability fixpoint of one possibility property over the
/// stored state space, split over worker threads: greedy walks decide most
/// states, sweeps finish the rest.
@usableFromInline
final class GoalSweep<Model: TransitionSystem, Visited: VisitedSet>: @unchecked Sendable
where Visited.State == Model.State {
    @usableFromInline
    let model: Model
    @usableFromInline
    let visited: Visited
    /// The states known to reach a goal (the fixpoint's result).
    @usableFromInline
    let marks: Bitset
    @usableFromInline
    let property: Int
    @usableFromInline
    let threads: Int
    /// Word 0: states marked in the current sweep; word 1: successor sets
    /// generated in all (the work of the check); word 2: walks that ended
    /// without reaching a marked state; word 3: hinted steps taken
    /// (`TransitionSystem.progressHint(of:property:)`).
    @usableFromInline
    let counters: UnsafeMutablePointer<UInt64>

    /// The `DispatchTime` uptime, in nanoseconds, past which walks and
    /// sweeps stop early (`--time-limit`); nil: none. Marks left unfinished
    /// decide nothing: the caller, seeing the time limit passed, leaves the
    /// property undecided.
    @usableFromInline
    let deadline: UInt64?

    /// A sweep over `visited` for `property`, recording its marks in `marks`.
    @inlinable
    init(model: Model, visited: Visited, property: Int, marks: Bitset, threads: Int, deadline: UInt64? = nil) {
        self.model = model
        self.visited = visited
        self.property = property
        self.marks = marks
        self.threads = threads
        self.deadline = deadline
        counters = .allocate(capacity: 4)
        counters.initialize(repeating: 0, count: 4)
    }

    deinit { counters.deallocate() }

    /// Successor sets generated so far (by walks and sweeps).
    @inlinable
    var expansions: UInt64 { klp_load_relaxed(counters + 1) }

    /// Whether every walk ended at a marked state: then every state is
    /// marked (each unmarked state started a walk or was on one), and no
    /// sweep is needed.
    @inlinable
    var walksMarkedAll: Bool { klp_load_relaxed(counters + 2) == 0 }

    /// Calls `body` with the slot and state of each stored state in worker
    /// `worker`'s share of the slots, in slot order or `reversed`, until the
    /// deadline passes; true when the deadline stopped it. The clock is read
    /// at the first slot and every 1,024th after it: a read per state would
    /// cost more than a step.
    @inlinable @discardableResult
    func forEachUntilDeadline(slotsOf worker: Int, reversed: Bool, _ body: (Int, Model.State) -> Void) -> Bool {
        var calls = 0
        var stopped = false
        visited.forEach(slots: slots(of: worker), reversed: reversed) { slot, state in
            guard !stopped else { return }
            calls &+= 1
            if let deadline, calls & 1023 == 1, DispatchTime.now().uptimeNanoseconds >= deadline {
                stopped = true
                return
            }
            body(slot, state)
        }
        return stopped
    }

    /// Marks the goal states, on every worker thread.
    @inlinable
    func markGoals() {
        perWorker { worker in
            forEachUntilDeadline(slotsOf: worker, reversed: false) { slot, state in
                if model.isGoal(state, property: property) { marks.insert(slot) }
            }
        }
    }

    /// Steps a greedy walk may take: many, since a walk expands each state
    /// it passes once, and a walk cut short leaves its states to the sweeps.
    @inlinable
    static var walkLength: Int { 1 << 12 }

    /// Runs `body` once per worker, on every worker thread.
    @inlinable
    func perWorker(_ body: @Sendable (Int) -> Void) {
        if threads == 1 {
            body(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { body($0) }
        }
    }

    /// Worker `worker`'s share of the slots.
    @inlinable
    func slots(of worker: Int) -> Range<Int> {
        let slots = visited.slotCount
        let slice = (slots + threads - 1) / threads
        return min(slots, worker * slice)..<min(slots, (worker + 1) * slice)
    }

    /// From every unmarked state not yet walked, walks forward: a state
    /// with a goal successor ends the walk at once (goals are read from the
    /// state, no lookup); otherwise the walk steps to the last successor
    /// that is neither on the walk nor walked before (one lookup when that
    /// is the last one, as usual), and a marked one ends it. Every state of
    /// a walk that ends is marked; a walk that runs into a dead end, a cycle,
    /// a walked state or its length limit leaves its states walked and
    /// unmarked, for the sweeps. Sound for any model (only real paths mark),
    /// and each state is expanded about once when models emit their
    /// progress-making actions last, as the livepatch model does with
    /// completion and task switches.
    ///
    /// `walked` (one bit per slot, clear) records the states walks passed
    /// through, so that no later walk retries or crosses a failed one; nil,
    /// a walk only avoids its own states.
    @inlinable
    func walk(walked: Bitset?) {
        perWorker { walk(worker: $0, walked: walked) }
    }

    @inlinable
    func walk(worker: Int, walked: Bitset?) {
        var sink = SuccessorSink<Model.State>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        var path: [Int] = []
        path.reserveCapacity(Self.walkLength)
        var generated: UInt64 = 0
        var failed: UInt64 = 0
        var hints: UInt64 = 0
        defer {
            _ = klp_fetch_add(counters + 1, generated)
            _ = klp_fetch_add(counters + 2, failed)
            _ = klp_fetch_add(counters + 3, hints)
        }
        let stopped = forEachUntilDeadline(slotsOf: worker, reversed: false) { slot, state in
            guard !marks.contains(slot), !(walked?.contains(slot) ?? false) else { return }
            path.removeAll(keepingCapacity: true)
            path.append(slot)
            walked?.insert(slot)
            var current = state
            walking: for _ in 0..<Self.walkLength {
                // The model's hint first: one step, no successor set.
                if let hinted = model.progressHint(of: current, property: property) {
                    hints &+= 1
                    if model.isGoal(hinted, property: property) {
                        for visitedSlot in path { marks.insert(visitedSlot) }
                        return
                    }
                    if let nextSlot = visited.slot(of: hinted) {
                        if marks.contains(nextSlot) {
                            for visitedSlot in path { marks.insert(visitedSlot) }
                            return
                        }
                        if !(walked?.contains(nextSlot) ?? path.contains(nextSlot)) {
                            path.append(nextSlot)
                            walked?.insert(nextSlot)
                            current = hinted
                            continue walking
                        }
                    }
                }
                sink.reset()
                model.successors(of: current, into: &sink)
                generated &+= 1
                for index in 0..<sink.count where model.isGoal(sink.state(at: index), property: property) {
                    for visitedSlot in path { marks.insert(visitedSlot) }
                    return
                }
                var step: (state: Model.State, slot: Int)?
                for index in stride(from: sink.count - 1, through: 0, by: -1) {
                    let next = sink.state(at: index)
                    guard let nextSlot = visited.slot(of: next) else { continue }
                    if marks.contains(nextSlot) {
                        for visitedSlot in path { marks.insert(visitedSlot) }
                        return
                    }
                    if walked?.contains(nextSlot) ?? path.contains(nextSlot) { continue }
                    step = (next, nextSlot)
                    break
                }
                guard let step else {
                    failed &+= 1
                    return
                }
                path.append(step.slot)
                walked?.insert(step.slot)
                current = step.state
            }
            failed &+= 1
        }
        // Walks the deadline cut off leave their states unmarked.
        if stopped { failed &+= 1 }
    }

    /// Marks states with a marked successor; true when any got marked.
    @inlinable
    func sweep(forward: Bool) -> Bool {
        counters.pointee = 0
        perWorker { sweep(worker: $0, forward: forward) }
        return counters.pointee != 0
    }

    @inlinable
    func sweep(worker: Int, forward: Bool) {
        var sink = SuccessorSink<Model.State>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        var generated: UInt64 = 0
        defer { _ = klp_fetch_add(counters + 1, generated) }
        forEachUntilDeadline(slotsOf: worker, reversed: !forward) { slot, state in
            guard !marks.contains(slot) else { return }
            sink.reset()
            model.successors(of: state, into: &sink)
            generated &+= 1
            for index in 0..<sink.count {
                if let next = visited.slot(of: sink.state(at: index)), marks.contains(next) {
                    marks.insert(slot)
                    _ = klp_fetch_add(counters, 1)
                    return
                }
            }
        }
    }
}
