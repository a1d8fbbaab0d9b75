/// The buffer a model writes successors into; the engine owns its memory.
///
/// One sink per worker thread is reused for every state, so emitting never
/// allocates except when a model exceeds its declared `maxSuccessors`.
@frozen
public struct SuccessorSink<State: PackedState> {
    @usableFromInline var states: UnsafeMutablePointer<State>
    @usableFromInline var actions: UnsafeMutablePointer<UInt32>
    @usableFromInline var violations: UnsafeMutablePointer<PropertySet>
    /// Scratch for the engine: each successor's hash, computed once per batch.
    @usableFromInline var hashes: UnsafeMutablePointer<UInt64>
    @usableFromInline var capacity: Int
    /// How many successors were emitted since the last reset.
    @usableFromInline var storedCount: Int
    /// (see `count`)
    @inlinable public var count: Int { storedCount }

    /// Creates a sink with room for `capacity` successors; call `deallocate()`.
    public init(capacity: Int) {
        let capacity = max(capacity, 4)
        self.capacity = capacity
        self.storedCount = 0
        states = .allocate(capacity: capacity)
        actions = .allocate(capacity: capacity)
        violations = .allocate(capacity: capacity)
        hashes = .allocate(capacity: capacity)
    }

    /// Frees the buffers.
    public func deallocate() {
        states.deallocate()
        actions.deallocate()
        violations.deallocate()
        hashes.deallocate()
    }

    /// Forgets the emitted successors.
    @inlinable @inline(__always)
    public mutating func reset() { storedCount = 0 }

    /// Emits a successor reached by `action`, violating the step properties `violating`.
    @inlinable @inline(__always)
    public mutating func emit(_ state: State, action: UInt32, violating: PropertySet = []) {
        if count == capacity { grow() }
        states[count] = state
        actions[count] = action
        violations[count] = violating
        storedCount += 1
    }

    @usableFromInline
    mutating func grow() {
        let newCapacity = capacity * 2
        let newStates = UnsafeMutablePointer<State>.allocate(capacity: newCapacity)
        let newActions = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
        let newViolations = UnsafeMutablePointer<PropertySet>.allocate(capacity: newCapacity)
        newStates.update(from: states, count: count)
        newActions.update(from: actions, count: count)
        newViolations.update(from: violations, count: count)
        deallocate()
        hashes = .allocate(capacity: newCapacity)
        states = newStates
        actions = newActions
        violations = newViolations
        capacity = newCapacity
    }

    /// Successor `index`'s state.
    @inlinable public func state(at index: Int) -> State { states[index] }
    /// Successor `index`'s action.
    @inlinable public func action(at index: Int) -> UInt32 { actions[index] }
    /// Successor `index`'s violated step properties.
    @inlinable public func violations(at index: Int) -> PropertySet { violations[index] }
}
