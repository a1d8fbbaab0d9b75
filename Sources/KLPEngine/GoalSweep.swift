import CKLPSupport
import Dispatch

/// One sweep of the goal-reachability fixpoint, split over worker threads.
@usableFromInline
final class GoalSweep<Model: TransitionSystem, Visited: VisitedSet>: @unchecked Sendable
where Visited.State == Model.State {
    @usableFromInline
    let model: Model
    @usableFromInline
    let visited: Visited
    @usableFromInline
    let marks: Bitset
    @usableFromInline
    let threads: Int
    @usableFromInline
    let changes: UnsafeMutablePointer<UInt64>

    @inlinable
    init(model: Model, visited: Visited, marks: Bitset, threads: Int) {
        self.model = model
        self.visited = visited
        self.marks = marks
        self.threads = threads
        changes = .allocate(capacity: 1)
    }

    deinit { changes.deallocate() }

    /// Steps a greedy walk may take.
    @inlinable
    static var walkLength: Int { 64 }

    /// From every unmarked state, follows its last successor for a few
    /// steps; when the walk meets a marked state, every state on it can
    /// reach a goal and is marked. Sound for any model (only real paths
    /// mark), and fast when models emit their progress-making actions last,
    /// as the livepatch model does with completion and task switches; the
    /// sweeps then only finish what the walks missed.
    @inlinable
    func walk() {
        if threads == 1 {
            walk(worker: 0)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { walk(worker: $0) }
        }
    }

    @inlinable
    func walk(worker: Int) {
        var sink = SuccessorSink<Model.State>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        var path: [Int] = []
        path.reserveCapacity(Self.walkLength)
        let slots = visited.slotCount
        let slice = (slots + threads - 1) / threads
        let range = min(slots, worker * slice)..<min(slots, (worker + 1) * slice)
        visited.forEach(slots: range, reversed: false) { slot, state in
            guard !marks.contains(slot) else { return }
            path.removeAll(keepingCapacity: true)
            path.append(slot)
            var current = state
            for _ in 0..<Self.walkLength {
                sink.reset()
                model.successors(of: current, into: &sink)
                guard sink.count > 0 else { return }
                for index in 0..<sink.count {
                    if let next = visited.slot(of: sink.state(at: index)), marks.contains(next) {
                        for visitedSlot in path { marks.insert(visitedSlot) }
                        return
                    }
                }
                let next = sink.state(at: sink.count - 1)
                guard let nextSlot = visited.slot(of: next), !path.contains(nextSlot) else { return }
                path.append(nextSlot)
                current = next
            }
        }
    }

    /// Marks states with a marked successor; true when any got marked.
    @inlinable
    func sweep(forward: Bool) -> Bool {
        changes.pointee = 0
        if threads == 1 {
            sweep(worker: 0, forward: forward)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { sweep(worker: $0, forward: forward) }
        }
        return changes.pointee != 0
    }

    @inlinable
    func sweep(worker: Int, forward: Bool) {
        var sink = SuccessorSink<Model.State>(capacity: model.maxSuccessors)
        defer { sink.deallocate() }
        let slots = visited.slotCount
        let slice = (slots + threads - 1) / threads
        let range = min(slots, worker * slice)..<min(slots, (worker + 1) * slice)
        visited.forEach(slots: range, reversed: !forward) { slot, state in
            guard !marks.contains(slot) else { return }
            sink.reset()
            model.successors(of: state, into: &sink)
            for index in 0..<sink.count {
                if let next = visited.slot(of: sink.state(at: index)), marks.contains(next) {
                    marks.insert(slot)
                    _ = klp_fetch_add(changes, 1)
                    return
                }
            }
        }
    }
}
