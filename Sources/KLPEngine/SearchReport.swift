/// Which limit stopped a search early.
public enum SearchLimit: String, Codable, Sendable {
    /// `--max-states`.
    case states = "max-states"
    /// `--max-memory`, or the system refused memory.
    case memory = "max-memory"
    /// `--time-limit`.
    case time = "time-limit"
    /// A `StopRequest` (the command line's SIGINT or SIGTERM).
    case interrupted = "interrupted"
}

/// One step of a trace: the action taken and the state it led to.
public struct TraceStep<State: PackedState>: Sendable, Equatable {
    /// The model's action index.
    public var action: UInt32
    /// The state after the step.
    public var state: State
    /// Creates a step.
    public init(action: UInt32, state: State) {
        self.action = action
        self.state = state
    }
}

/// A path from an initial state.
public struct Trace<State: PackedState>: Sendable, Equatable {
    /// The initial state.
    public var initial: State
    /// The steps, in order.
    public var steps: [TraceStep<State>]
    /// The last state of the path.
    public var last: State { steps.last?.state ?? initial }
    /// Creates a trace.
    public init(initial: State, steps: [TraceStep<State>]) {
        self.initial = initial
        self.steps = steps
    }
}

/// What the search decided about one property.
public enum PropertyStatus<State: PackedState>: Sendable, Equatable {
    /// Holds over a complete search.
    case holds
    /// Violated; the shortest counterexample, when it could be rebuilt.
    case violated(Trace<State>?)
    /// The search was incomplete and found no violation.
    case undecided
    /// Not among the checked properties.
    case notChecked

    /// Whether this is a violation.
    public var isViolated: Bool {
        if case .violated = self { return true }
        return false
    }

    /// The counterexample, if any.
    public var trace: Trace<State>? {
        if case .violated(let trace) = self { return trace }
        return nil
    }
}

/// The statistics of a search.
public struct SearchStatistics: Sendable, Codable, Equatable {
    /// Distinct states stored.
    public var states: UInt64
    /// Enabled actions fired from every expanded state, duplicates included.
    public var transitions: UInt64
    /// The last non-empty BFS level (initial states are level 0).
    public var depth: Int
    /// Wall-clock seconds of the main search.
    public var seconds: Double
    /// Wall-clock seconds in all: the search, possibility properties and traces.
    public var totalSeconds: Double
    /// `states / seconds`.
    public var statesPerSecond: Double
    /// The engine's peak accounted memory (visited set, frontiers, trace
    /// levels) divided by `states`.
    public var bytesPerState: Double
    /// The engine's peak accounted memory in bytes.
    public var engineMemoryBytes: UInt64
    /// The process's peak resident set size in bytes.
    public var peakMemoryBytes: UInt64
    /// Worker threads.
    public var threads: Int
    /// The visited set used.
    public var visited: VisitedKind
    /// The limit that stopped the search, if any.
    public var limit: SearchLimit?
    /// For bitstate: the estimated chance that a new state was skipped.
    public var omissionProbability: Double?
    /// Whether every reachable state was explored with an exact set.
    public var complete: Bool
    /// Wall-clock seconds of deciding the possibility properties (`progress`)
    /// after the search; 0 when none was decided.
    public var progressSeconds: Double = 0
    /// Successor sets the possibility properties generated again after the
    /// search: the work of deciding them, which the machine's load does not
    /// change (with more than one thread it varies a little from run to run).
    public var progressExpansions: UInt64 = 0
}

/// The result of a search: statistics and one status per property.
public struct SearchReport<State: PackedState>: Sendable {
    /// The model's properties.
    public var properties: [PropertyDescriptor]
    /// The status of each property, indexed like `properties`.
    public var statuses: [PropertyStatus<State>]
    /// The statistics.
    public var statistics: SearchStatistics
    /// The size of the full state space when the search completed: the
    /// stored states and transitions, or, for a model that folds states
    /// (`TransitionSystem.foldsStates`), the states and transitions they
    /// stand for. Nil for an incomplete search, and for a model whose
    /// weights do not count it (`TransitionSystem.countsFullSpace`).
    public var fullSpace: SpaceSize?

    /// Whether any checked property is violated.
    public var hasViolation: Bool { statuses.contains { $0.isViolated } }
}

/// The size of a state space.
public struct SpaceSize: Sendable, Hashable {
    /// Reachable states.
    public var states: UInt64
    /// Steps between them.
    public var transitions: UInt64

    /// A size.
    public init(states: UInt64, transitions: UInt64) {
        self.states = states
        self.transitions = transitions
    }
}

/// Errors that stop a search before it starts.
public enum ExplorerError: Error, Equatable, CustomStringConvertible {
    /// `--visited bitmap` for a model without a dense encoding that fits.
    case bitmapUnavailable(String)
    /// `--visited bitmap` for a bitmap of `needed` bytes when the memory
    /// budget allows one of `allowed` bytes (`Explorer.bitmapAllowance`).
    case bitmapTooLarge(needed: UInt64, allowed: UInt64)
    /// `--visited paged` for a model without a page field.
    case pagedUnavailable(String)
    /// A property index out of range.
    case unknownProperty(Int)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .bitmapUnavailable(let why): return "--visited bitmap is not available: \(why)"
        case .bitmapTooLarge(let needed, let allowed):
            return "--visited bitmap needs \(Self.bytes(needed)) for this world's bitmap, but a bitmap may take "
                + "at most \(Self.bytes(allowed)): half the memory budget (--max-memory, never more than the "
                + "machine's memory); use --visited hash"
        case .pagedUnavailable(let why): return "--visited paged is not available: \(why)"
        case .unknownProperty(let index): return "unknown property index \(index)"
        }
    }

    /// Bytes exactly, and in KiB, MiB or GiB when that is shorter to read.
    static func bytes(_ count: UInt64) -> String {
        let units: [(String, UInt64)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        guard let (unit, size) = units.first(where: { count >= $0.1 }) else { return "\(count) bytes" }
        let tenths = (count / size) * 10 + (count % size * 10 + size / 2) / size
        return "\(tenths / 10).\(tenths % 10) \(unit) (\(count) bytes)"
    }
}
