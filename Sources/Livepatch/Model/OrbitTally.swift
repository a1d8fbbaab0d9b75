import KLPEngine

/// The size of the full state space a search with module symmetry stands
/// for: every stored representative counts its orbit, and every step from
/// it counts once per state of that orbit (interchangeable modules are
/// treated alike, so each state of an orbit has the same number of steps).
///
/// A visitor (`SearchVisitor`): it sums per worker, with no locking.
final class OrbitTally<State: PackedState>: SearchVisitor, @unchecked Sendable {
    private let symmetry: ModuleSymmetry
    private let workers: Int
    /// Per worker, a cache line: states, transitions, the last source's orbit.
    private let sums: UnsafeMutablePointer<Double>
    private let lastSource: UnsafeMutablePointer<State>
    private static var stride: Int { 8 }

    /// A tally over `workers` workers of `world`'s module classes; `world` must outlive it.
    init(world: CompiledWorld, workers: Int) {
        symmetry = world.tables.pointee.moduleSymmetry
        self.workers = workers
        sums = .allocate(capacity: workers * Self.stride)
        sums.initialize(repeating: 0, count: workers * Self.stride)
        lastSource = .allocate(capacity: workers)
        lastSource.initialize(repeating: .zero, count: workers)
    }

    deinit {
        sums.deallocate()
        lastSource.deallocate()
    }

    func visitState(_ state: State, level: Int, worker: Int) {
        sums[worker * Self.stride] += symmetry.orbitSize(of: state)
    }

    func visitTransition(from source: State, action: UInt32, to target: State, violating: PropertySet, worker: Int) {
        let line = sums + worker * Self.stride
        // A state's steps come one after another: its orbit is computed once.
        if line[3] == 0 || lastSource[worker] != source {
            lastSource[worker] = source
            line[2] = symmetry.orbitSize(of: source)
            line[3] = 1
        }
        line[1] += line[2]
    }

    /// States and transitions of the full space.
    var full: (states: UInt64, transitions: UInt64) {
        var states = 0.0
        var transitions = 0.0
        for worker in 0..<workers {
            states += sums[worker * Self.stride]
            transitions += sums[worker * Self.stride + 1]
        }
        return (UInt64(min(states, 0x1p63)), UInt64(min(transitions, 0x1p63)))
    }
}
