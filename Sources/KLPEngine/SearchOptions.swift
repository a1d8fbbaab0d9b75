import CKLPSupport

/// A snapshot of a running search, for progress lines.
public struct SearchProgress: Sendable {
    /// The BFS level being expanded.
    public var level: Int
    /// Distinct states stored so far.
    public var states: UInt64
    /// Transitions fired so far.
    public var transitions: UInt64
    /// Seconds since the search started.
    public var seconds: Double
    /// Bytes the engine holds now.
    public var memoryBytes: UInt64
}

/// What a search may use, and what it reports on the way.
public struct SearchOptions: Sendable {
    /// Worker threads (at least 1).
    public var threads: Int
    /// The visited set to use.
    public var visited: VisitedKind
    /// Stop before storing more than this many states.
    public var maxStates: UInt64?
    /// The memory budget for the engine's buffers, in bytes.
    public var maxMemoryBytes: UInt64
    /// Stop after this many seconds.
    public var timeLimit: Double?
    /// The properties to check; nil for all.
    public var checked: PropertySet?
    /// log2 of the bitstate array's size in bits.
    public var bitstateLog2Bits: Int
    /// The log2 size the bitstate array takes: `bitstateLog2Bits`, made
    /// smaller (not below 2^10 bits) until the array fits in half the
    /// memory budget, since the frontiers need room too.
    public var fittingBitstateLog2Bits: Int {
        var log2Bits = bitstateLog2Bits
        while log2Bits > 10 && (UInt64(1) << UInt64(log2Bits - 3)) > maxMemoryBytes / 2 { log2Bits -= 1 }
        return log2Bits
    }
    /// Called at most once per `progressInterval` seconds.
    public var progress: (@Sendable (SearchProgress) -> Void)?
    /// Seconds between progress calls.
    public var progressInterval: Double
    /// Stops the search early when requested (limit `interrupted`).
    public var stop: StopRequest?
    /// A swarm member's seed (`klpcheck verify --swarm K/N`): the search
    /// inserts each state's successors in an order derived from it, and a
    /// bitstate set hashes with functions derived from it, so that members
    /// with different seeds skip different states. nil: the model's own
    /// order and the standard bitstate hashes, the search exactly as without
    /// swarm. The order only changes which states a bitstate set skips and
    /// which of equally short counterexamples it meets; an exact set stores
    /// the same states in any order.
    public var swarmSeed: UInt64? = nil

    /// The machine's cores.
    public static var defaultThreads: Int { max(1, Int(sysconfProcessors())) }
    /// Three quarters of physical memory.
    public static var defaultMaxMemory: UInt64 {
        let physical = klp_physical_memory_bytes()
        return physical == 0 ? 4 << 30 : physical / 4 * 3
    }

    /// Options with the defaults: every core, `auto`, no limits but memory.
    public init(
        threads: Int = SearchOptions.defaultThreads,
        visited: VisitedKind = .auto,
        maxStates: UInt64? = nil,
        maxMemoryBytes: UInt64 = SearchOptions.defaultMaxMemory,
        timeLimit: Double? = nil,
        checked: PropertySet? = nil,
        bitstateLog2Bits: Int = 31,
        progressInterval: Double = 1,
        progress: (@Sendable (SearchProgress) -> Void)? = nil,
        stop: StopRequest? = nil
    ) {
        self.threads = max(1, threads)
        self.visited = visited
        self.maxStates = maxStates
        self.maxMemoryBytes = maxMemoryBytes
        self.timeLimit = timeLimit
        self.checked = checked
        self.bitstateLog2Bits = bitstateLog2Bits
        self.progressInterval = progressInterval
        self.progress = progress
        self.stop = stop
    }
}

#if canImport(Glibc)
import Glibc
private func sysconfProcessors() -> Int { sysconf(Int32(_SC_NPROCESSORS_ONLN)) }
#elseif canImport(Musl)
import Musl
private func sysconfProcessors() -> Int { sysconf(Int32(_SC_NPROCESSORS_ONLN)) }
#else
import Darwin
private func sysconfProcessors() -> Int { sysconf(_SC_NPROCESSORS_ONLN) }
#endif
