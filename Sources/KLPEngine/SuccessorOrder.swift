/// A swarm member's order (`SearchOptions.swarmSeed`): each state's
/// successors reversed or not and rotated, by amounts drawn from the seed
/// and the state's hash, so that two seeds insert them in different orders
/// and a bitstate set keeps different ones of colliding states. It reorders
/// in place, with no allocation. Without a seed the search inserts the
/// successors in the model's own order.
@usableFromInline @frozen
struct SeededOrder {
    @usableFromInline let seed: UInt64

    @inlinable init(seed: UInt64) { self.seed = seed }

    @inlinable
    func reorder<State: PackedState>(_ sink: inout SuccessorSink<State>, _ range: Range<Int>, of state: State) {
        let count = range.count
        guard count > 1 else { return }
        let draw = mix64(state.hash64 ^ seed)
        if draw & 1 != 0 { sink.reverse(range) }
        // A left rotation by `shift`: three reversals.
        let shift = Int(truncatingIfNeeded: (draw >> 1) % UInt64(count))
        guard shift != 0 else { return }
        sink.reverse(range)
        sink.reverse(range.lowerBound..<(range.upperBound - shift))
        sink.reverse((range.upperBound - shift)..<range.upperBound)
    }
}

extension SuccessorSink {
    /// Reverses the order of the successors `range` (states, actions and
    /// violations together).
    @inlinable
    mutating func reverse(_ range: Range<Int>) {
        var low = range.lowerBound
        var high = range.upperBound - 1
        while low < high {
            let state = states[low], action = actions[low], violating = violations[low]
            states[low] = states[high]
            actions[low] = actions[high]
            violations[low] = violations[high]
            states[high] = state
            actions[high] = action
            violations[high] = violating
            low += 1
            high -= 1
        }
    }
}
