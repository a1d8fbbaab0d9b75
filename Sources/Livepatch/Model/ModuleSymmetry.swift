import KLPEngine

/// Modules the world declares alike, whose states the search may swap:
/// symmetry reduction over modules (Livepatch.docc, Reductions).
///
/// Two modules are interchangeable when they are both busy or both not,
/// every patch has an object on both or on neither, those objects have the
/// same callbacks, none of them can fail, and, in every patch, no object
/// that can fail sits between them in the patch's object order. The core
/// then treats them alike: swapping their parts of a state (module state,
/// worker, every object and nop on them) swaps the parts of every
/// successor, with the same properties broken. A failure between them would
/// break this, since the objects before a failing one run their callbacks
/// and the ones after do not. Worlds with author contracts are left alone.
///
/// The search keeps one state per orbit: within each class the members'
/// parts are sorted by their value (`canonical(_:)`). Breadth-first levels,
/// verdicts and the length of each shortest counterexample are those of the
/// full space; `CompiledWorld.concreteTrace(_:for:)` turns a trace of
/// sorted states back into one the core replays.
@usableFromInline
struct ModuleSymmetry {
    /// Classes of at least two modules; 0 when the reduction is off.
    @usableFromInline let classCount: Int
    /// Class `c`'s members are `members[bounds[c] ..< bounds[c + 1]]`, module indices, increasing.
    @usableFromInline let bounds: UnsafePointer<Int32>
    @usableFromInline let members: UnsafePointer<Int32>
    /// The number of fields of each member of class `c`.
    @usableFromInline let fieldCount: UnsafePointer<Int32>
    /// Member `k` (a flat index into `members`)'s fields start at `fields[firstField[k]]`.
    @usableFromInline let firstField: UnsafePointer<Int32>
    @usableFromInline let fields: UnsafePointer<BitField>
    /// Each field's bit offset in its member's key.
    @usableFromInline let keyShift: UnsafePointer<UInt8>
    /// Per word of the state, the bits of every member's fields: a step that
    /// changes none of them leaves a representative a representative.
    @usableFromInline let memberBits: UnsafePointer<UInt64>
    /// Words in `memberBits`: one past the last word holding a member's field.
    @usableFromInline let memberWordCount: Int

    /// No classes: the reduction is off.
    init(storage: WorldTables.Storage) {
        self.init(classes: [], fieldsOf: { _ in [] }, storage: storage)
    }

    /// `classes` of module indices, member `m`'s fields being `fieldsOf(m)`
    /// (the same kinds, in the same order, for every member of a class).
    init(classes: [[Int]], fieldsOf: (Int) -> [BitField], storage: WorldTables.Storage) {
        let flat = classes.flatMap { $0 }
        let bounds = storage.table(Int32.self, count: classes.count + 1, fill: 0)
        let members = storage.table(Int32.self, count: flat.count, fill: 0)
        let fieldCount = storage.table(Int32.self, count: classes.count, fill: 0)
        let firstField = storage.table(Int32.self, count: flat.count, fill: 0)
        let memberFields = flat.map(fieldsOf)
        let total = memberFields.reduce(0) { $0 + $1.count }
        let fields = storage.table(BitField.self, count: total, fill: .empty)
        let keyShift = storage.table(UInt8.self, count: total, fill: 0)
        var k = 0
        var f = 0
        for (c, classMembers) in classes.enumerated() {
            bounds[c + 1] = bounds[c] + Int32(classMembers.count)
            fieldCount[c] = Int32(memberFields[k].count)
            for module in classMembers {
                members[k] = Int32(module)
                firstField[k] = Int32(f)
                var shift = 0
                for field in memberFields[k] {
                    fields[f] = field
                    keyShift[f] = UInt8(shift)
                    shift += 64 - field.mask.leadingZeroBitCount
                    f += 1
                }
                precondition(shift <= 64, "a module's key fits one word")
                k += 1
            }
        }
        let memberWordCount = (0..<total).map { fields[$0].word + 1 }.max() ?? 0
        let memberBits = storage.table(UInt64.self, count: max(memberWordCount, 1), fill: 0)
        for f in 0..<total { memberBits[fields[f].word] |= fields[f].mask << fields[f].shift }
        self.memberBits = UnsafePointer(memberBits)
        self.memberWordCount = memberWordCount
        classCount = classes.count
        self.bounds = UnsafePointer(bounds)
        self.members = UnsafePointer(members)
        self.fieldCount = UnsafePointer(fieldCount)
        self.firstField = UnsafePointer(firstField)
        self.fields = UnsafePointer(fields)
        self.keyShift = UnsafePointer(keyShift)
    }

    /// The classes, as module indices.
    var classes: [[Int]] {
        (0..<classCount).map { c in (Int(bounds[c])..<Int(bounds[c + 1])).map { Int(members[$0]) } }
    }

    /// Member `k`'s part of `state`, as one integer.
    @inlinable @inline(__always)
    func key<State: PackedState>(of k: Int, fieldCount count: Int, in state: State) -> UInt64 {
        let first = Int(firstField[k])
        var key: UInt64 = 0
        for f in first..<(first &+ count) {
            key |= UInt64(truncatingIfNeeded: state[fields[f]]) << UInt64(keyShift[f])
        }
        return key
    }

    /// Writes `key` as member `k`'s part of `state`.
    @inlinable @inline(__always)
    func write<State: PackedState>(_ key: UInt64, to k: Int, fieldCount count: Int, in state: inout State) {
        let first = Int(firstField[k])
        for f in first..<(first &+ count) {
            let field = fields[f]
            state[field] = Int(truncatingIfNeeded: (key >> UInt64(keyShift[f])) & field.mask)
        }
    }

    /// The representative of the orbit of `state`, a successor of the
    /// representative `source`: `state` itself when the step changed no
    /// member's part (a task switch, or a step on vmlinux only), else
    /// `canonical(_:)`.
    ///
    /// - Complexity: O(w) for a state of w words when no part changed.
    @inlinable
    func canonical<State: PackedState>(_ state: State, after source: State) -> State {
        var changed: UInt64 = 0
        for w in 0..<memberWordCount { changed |= (state.word(w) ^ source.word(w)) & memberBits[w] }
        return changed == 0 ? state : canonical(state)
    }

    /// The representative of `state`'s orbit: in every class, the members'
    /// parts in increasing order.
    ///
    /// - Complexity: O(f·n + n²) per class of n members with f fields each; no allocation.
    @inlinable
    func canonical<State: PackedState>(_ state: State) -> State {
        var state = state
        for c in 0..<classCount {
            let lower = Int(bounds[c])
            let n = Int(bounds[c &+ 1]) &- lower
            let count = Int(fieldCount[c])
            if n == 2 {
                // The usual class, a pair: swap the two parts when out of order.
                let first = key(of: lower, fieldCount: count, in: state)
                let second = key(of: lower &+ 1, fieldCount: count, in: state)
                if first > second {
                    write(second, to: lower, fieldCount: count, in: &state)
                    write(first, to: lower &+ 1, fieldCount: count, in: &state)
                }
                continue
            }
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { keys in
                var sorted = true
                for i in 0..<n {
                    keys[i] = key(of: lower &+ i, fieldCount: count, in: state)
                    if i > 0 && keys[i &- 1] > keys[i] { sorted = false }
                }
                if sorted { return }
                for i in 1..<n {
                    let moving = keys[i]
                    var j = i
                    while j > 0 && keys[j &- 1] > moving {
                        keys[j] = keys[j &- 1]
                        j &-= 1
                    }
                    keys[j] = moving
                }
                for i in 0..<n { write(keys[i], to: lower &+ i, fieldCount: count, in: &state) }
            }
        }
        return state
    }

    /// How many states of the full space `state` (a representative) stands
    /// for: per class, n! over the factorials of the runs of equal parts.
    ///
    /// - Complexity: O(f·n + n²) per class of n members with f fields each; no allocation.
    @inlinable
    func orbitSize<State: PackedState>(of state: State) -> Double {
        var size = 1.0
        for c in 0..<classCount {
            let lower = Int(bounds[c])
            let n = Int(bounds[c &+ 1]) &- lower
            let count = Int(fieldCount[c])
            if n == 2 {
                // The usual class, a pair: two states when the parts differ, one when alike.
                if key(of: lower, fieldCount: count, in: state) != key(of: lower &+ 1, fieldCount: count, in: state) {
                    size *= 2
                }
                continue
            }
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { keys in
                // Representatives keep each class's parts sorted: equal parts are neighbours.
                for i in 0..<n { keys[i] = key(of: lower &+ i, fieldCount: count, in: state) }
                var run = 1
                for i in 1...n {
                    size *= Double(i)
                    if i < n && keys[i] == keys[i &- 1] {
                        run &+= 1
                    } else {
                        for r in 1...run { size /= Double(r) }
                        run = 1
                    }
                }
            }
        }
        return size
    }
}

extension ModuleSymmetry {
    /// The interchangeable modules of `world` (see the type's rule), given
    /// its compiled tables.
    static func classes(
        of world: World, objectOf: (Int, Int) -> Int, dynamicOf: (Int, Int) -> Int, canFail: (Int) -> Bool,
        callbackMask: (Int) -> UInt8, keyBits: (Int) -> Int
    ) -> [[Int]] {
        guard !world.hasContracts, world.modules.count >= 2 else { return [] }
        // A module's signature: busy, then per patch its object's callbacks (or none) and whether it has a nop slot.
        var groups: [[Int]: [Int]] = [:]
        var order: [[Int]] = []
        for (m, module) in world.modules.enumerated() {
            let t = m + 1
            var signature = [module.busy ? 1 : 0]
            var eligible = true
            for p in world.patches.indices {
                let g = objectOf(p, t)
                if g >= 0 && canFail(g) { eligible = false }
                signature.append(g >= 0 ? 1 + Int(callbackMask(g)) : 0)
                signature.append(dynamicOf(p, t) >= 0 ? 1 : 0)
            }
            guard eligible else { continue }
            if groups[signature] == nil { order.append(signature) }
            groups[signature, default: []].append(m)
        }
        var classes: [[Int]] = []
        for signature in order {
            let members = groups[signature]!
            guard members.count >= 2, keyBits(members[0]) <= 64 else { continue }
            // In each patch, no object that can fail between two of the class's objects.
            let separated = world.patches.indices.contains { p in
                let objects = members.map { objectOf(p, $0 + 1) }.filter { $0 >= 0 }
                guard let low = objects.min(), let high = objects.max() else { return false }
                return (low...high).contains { canFail($0) }
            }
            if !separated { classes.append(members) }
        }
        return classes
    }
}
