import KLPEngine

/// Peterson's filter lock for N processes: the engine's benchmark
/// (`Sources/KLPEngine/KLPEngine.docc/FilterLock.md`).
///
/// Encoding: naive bit fields need 67 bits at N = 5, so each process's
/// (pc, level, j, k) is one mixed-radix group of 4·N·(N+1)² values, packed
/// in ⌈log2⌉ bits, and `last[1..N-1]` is one base-N group. At N = 5 that is
/// 5 × 10 + 10 = 60 bits: one word. Groups are decoded by table lookup, so
/// the hot path does shifts and loads, never a division. The tables are
/// immutable after init, hence `@unchecked Sendable`.
public struct FilterLockModel: TransitionSystem, @unchecked Sendable {
    public typealias State = UInt64

    /// The largest N whose states fit one word.
    public static let maxProcesses = 5

    /// Number of processes.
    public let processes: Int
    /// Whether `skip` also fires when k = (i + 1) mod N.
    public let bug: Bool

    private let tables: Tables
    @usableFromInline let groupBits: UInt64
    @usableFromInline let groupMask: UInt64
    @usableFromInline let lastShift: UInt64
    @usableFromInline let groupInfo: UnsafePointer<UInt32>
    @usableFromInline let lastDigits: UnsafePointer<UInt8>
    @usableFromInline let lastWeights: UnsafePointer<Int>

    /// The action kinds of one process, in action-index order.
    public enum Action: Int, CaseIterable, Sendable {
        case start, enter, crit, next, skip, check, exit
    }

    /// Creates the model; nil unless 2 ≤ `processes` ≤ `maxProcesses`.
    public init?(processes: Int, bug: Bool = false) {
        guard (2...Self.maxProcesses).contains(processes) else { return nil }
        self.processes = processes
        self.bug = bug
        let tables = Tables(processes: processes)
        self.tables = tables
        groupBits = UInt64(tables.groupBits)
        groupMask = (1 << UInt64(tables.groupBits)) - 1
        lastShift = UInt64(processes * tables.groupBits)
        groupInfo = UnsafePointer(tables.groupInfo)
        lastDigits = UnsafePointer(tables.lastDigits)
        lastWeights = UnsafePointer(tables.lastWeights)
    }

    /// The one property: mutual exclusion.
    public var properties: [PropertyDescriptor] { [PropertyDescriptor(name: "mutex", kind: .invariant)] }

    /// Every process has at most two enabled actions (skip and check, with the bug).
    public var maxSuccessors: Int { processes * 2 }

    /// Every state is below 2^(bits used).
    public var denseStateCount: UInt64? { 1 << (lastShift + UInt64(tables.lastBits)) }

    /// Bits one state uses.
    public var stateBits: Int { Int(lastShift) + tables.lastBits }

    /// Only the all-zero state.
    @inlinable
    public func initialStates(into sink: inout SuccessorSink<UInt64>) {
        sink.emit(encode(Fields(processes: processes)), action: 0)
    }

    @inline(__always)
    @inlinable
    func code(pc: UInt64, level: UInt64, j: UInt64, k: UInt64) -> UInt64 {
        let n = UInt64(processes)
        return ((pc * n + level) * (n + 1) + j) * (n + 1) + k
    }

    /// Fires every enabled action of every process.
    @inlinable
    public func successors(of state: UInt64, into sink: inout SuccessorSink<UInt64>) {
        let n = UInt64(processes)
        let lastCode = Int(truncatingIfNeeded: state >> lastShift)
        for i in 0..<processes {
            let shift = UInt64(i) &* groupBits
            let info = groupInfo[Int(truncatingIfNeeded: (state >> shift) & groupMask)]
            let pc = UInt64(info & 0xff)
            let level = UInt64((info >> 8) & 0xff)
            let j = UInt64((info >> 16) & 0xff)
            let k = UInt64(info >> 24)
            let cleared = state & ~(groupMask << shift)
            let base = UInt32(i &* Action.allCases.count)
            switch pc {
            case 0:
                sink.emit(cleared | code(pc: 1, level: level, j: 1, k: k) << shift, action: base + 0)
            case 1:
                if j < n {
                    let weight = lastWeights[Int(j)]
                    let digit = Int(lastDigits[lastCode &* processes &+ Int(j)])
                    let newLast = UInt64(lastCode &+ (i &- digit) &* weight)
                    let withLast = (cleared & ~(UInt64.max << lastShift)) | newLast << lastShift
                    sink.emit(withLast | code(pc: 2, level: j, j: j, k: 0) << shift, action: base + 1)
                } else {
                    sink.emit(cleared | code(pc: 3, level: level, j: j, k: k) << shift, action: base + 2)
                }
            case 2:
                if k == n {
                    sink.emit(cleared | code(pc: 1, level: level, j: j + 1, k: k) << shift, action: base + 3)
                } else {
                    let advanced = cleared | code(pc: 2, level: level, j: j, k: k + 1) << shift
                    let isSelf = k == UInt64(i)
                    if isSelf || (bug && k == UInt64((i + 1) % processes)) {
                        sink.emit(advanced, action: base + 4)
                    }
                    if !isSelf {
                        let lastOfJ = UInt64(lastDigits[lastCode &* processes &+ Int(j)])
                        let otherInfo = groupInfo[Int(truncatingIfNeeded: (state >> (k &* groupBits)) & groupMask)]
                        let otherLevel = UInt64((otherInfo >> 8) & 0xff)
                        if lastOfJ != UInt64(i) || otherLevel < j {
                            sink.emit(advanced, action: base + 5)
                        }
                    }
                }
            default:
                sink.emit(cleared | code(pc: 0, level: 0, j: j, k: k) << shift, action: base + 6)
            }
        }
    }

    /// `mutex`: at most one process at pc = 3.
    @inlinable
    public func invariantViolations(of state: UInt64, checked: PropertySet) -> PropertySet {
        var critical = 0
        for i in 0..<processes {
            let info = groupInfo[Int(truncatingIfNeeded: (state >> (UInt64(i) &* groupBits)) & groupMask)]
            if info & 0xff == 3 { critical += 1 }
        }
        return critical > 1 ? checked.intersection(PropertySet(index: 0)) : []
    }

    // MARK: Readable form

    /// The variables of one state.
    public struct Fields: Equatable, Sendable {
        /// `level[i]`.
        public var level: [Int]
        /// `last[l]`; `last[0]` is never written.
        public var last: [Int]
        /// `pc[i]`.
        public var pc: [Int]
        /// `j[i]`.
        public var j: [Int]
        /// `k[i]`.
        public var k: [Int]
        /// All zero.
        public init(processes: Int) {
            level = Array(repeating: 0, count: processes)
            last = level
            pc = level
            j = level
            k = level
        }
    }

    /// Decodes a state.
    public func decode(_ state: UInt64) -> Fields {
        var fields = Fields(processes: processes)
        let lastCode = Int(state >> lastShift)
        for i in 0..<processes {
            let info = groupInfo[Int((state >> (UInt64(i) * groupBits)) & groupMask)]
            fields.pc[i] = Int(info & 0xff)
            fields.level[i] = Int((info >> 8) & 0xff)
            fields.j[i] = Int((info >> 16) & 0xff)
            fields.k[i] = Int(info >> 24)
            if i > 0 { fields.last[i] = Int(lastDigits[lastCode * processes + i]) }
        }
        return fields
    }

    /// Encodes a state.
    public func encode(_ fields: Fields) -> UInt64 {
        var state: UInt64 = 0
        for i in 0..<processes {
            let group = code(
                pc: UInt64(fields.pc[i]), level: UInt64(fields.level[i]), j: UInt64(fields.j[i]), k: UInt64(fields.k[i]))
            state |= group << (UInt64(i) * groupBits)
        }
        var lastCode = 0
        for l in 1..<processes { lastCode += fields.last[l] * lastWeights[l] }
        return state | UInt64(lastCode) << lastShift
    }

    /// "P2 enter" for action indices.
    public func actionName(_ action: UInt32) -> String {
        let kinds = Action.allCases.count
        return "P\(Int(action) / kinds) \(Action(rawValue: Int(action) % kinds).map { "\($0)" } ?? "?")"
    }

    /// The decode tables, owned for the model's lifetime.
    private final class Tables: @unchecked Sendable {
        let groupBits: Int
        let lastBits: Int
        let groupInfo: UnsafeMutablePointer<UInt32>
        let lastDigits: UnsafeMutablePointer<UInt8>
        let lastWeights: UnsafeMutablePointer<Int>
        let groupCount: Int
        let lastCount: Int

        init(processes n: Int) {
            groupCount = 4 * n * (n + 1) * (n + 1)
            lastCount = (0..<(n - 1)).reduce(1) { product, _ in product * n }
            groupBits = Self.bits(for: groupCount)
            lastBits = Self.bits(for: lastCount)
            groupInfo = .allocate(capacity: 1 << groupBits)
            groupInfo.initialize(repeating: 0, count: 1 << groupBits)
            for code in 0..<groupCount {
                let k = code % (n + 1)
                let j = code / (n + 1) % (n + 1)
                let level = code / ((n + 1) * (n + 1)) % n
                let pc = code / (n * (n + 1) * (n + 1))
                groupInfo[code] = UInt32(pc) | UInt32(level) << 8 | UInt32(j) << 16 | UInt32(k) << 24
            }
            lastWeights = .allocate(capacity: n)
            lastWeights.initialize(repeating: 0, count: n)
            var weight = 1
            for l in 1..<n {
                lastWeights[l] = weight
                weight *= n
            }
            lastDigits = .allocate(capacity: lastCount * n)
            lastDigits.initialize(repeating: 0, count: lastCount * n)
            for code in 0..<lastCount {
                for l in 1..<n { lastDigits[code * n + l] = UInt8(code / lastWeights[l] % n) }
            }
        }

        deinit {
            groupInfo.deallocate()
            lastDigits.deallocate()
            lastWeights.deallocate()
        }

        static func bits(for count: Int) -> Int { max(1, Int.bitWidth - (count - 1).leadingZeroBitCount) }
    }
}
