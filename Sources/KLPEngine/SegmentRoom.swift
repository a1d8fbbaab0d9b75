/// The room each worker may still claim in each of a table's segments
/// during a round of inserts, and what the segments held when the round
/// began: the bookkeeping `OpenAddressingSet` and `NodeTable` share.
///
/// A table never grows during a round. Before it, each worker is granted
/// its share of every segment's room below the segment's hard limit, in a
/// row of its own that only it writes; a worker whose share is used up
/// defers its state to the next round. After the round, `settle()` adds
/// what the rows were granted and did not leave to `committed`.
///
/// A value type over pointers, so that the hot path does no reference
/// counting; the table that owns it calls `deallocate()`.
@frozen @usableFromInline
struct SegmentRoom {
    /// Segments of a table.
    @inlinable static var segmentCount: Int { 32 }
    /// Stride, in words, between workers' rows: the room each worker has
    /// left per segment, then what it was granted.
    @inlinable static var rowStride: Int { 2 * segmentCount }

    /// Per segment, the most slots it may hold (set by its table).
    @usableFromInline let hardLimits: UnsafeMutablePointer<Int>
    /// Per segment, the slots held as of the last `settle()`.
    @usableFromInline let committed: UnsafeMutablePointer<Int>
    /// Holds the rows: one per worker, `rowStride` words apart.
    @usableFromInline let rowTable: UnsafeMutablePointer<UnsafeMutablePointer<Int>>
    /// Number of rows.
    @usableFromInline let workerCount: UnsafeMutablePointer<Int>

    /// Bookkeeping for one worker, with no room until the table sets its
    /// hard limits and calls `grant()`.
    @usableFromInline
    init() {
        let n = Self.segmentCount
        hardLimits = .allocate(capacity: n)
        hardLimits.initialize(repeating: 0, count: n)
        committed = .allocate(capacity: n)
        committed.initialize(repeating: 0, count: n)
        rowTable = .allocate(capacity: 1)
        rowTable.initialize(to: Self.allocateRows(1))
        workerCount = .allocate(capacity: 1)
        workerCount.initialize(to: 1)
    }

    @usableFromInline static func allocateRows(_ count: Int) -> UnsafeMutablePointer<Int> {
        // Page-aligned, so that no two workers' rows share a cache line.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * rowStride * 8, alignment: 4096)
        let rows = raw.bindMemory(to: Int.self, capacity: count * rowStride)
        rows.initialize(repeating: 0, count: count * rowStride)
        return rows
    }

    /// Frees the bookkeeping; unusable afterwards.
    @usableFromInline
    func deallocate() {
        hardLimits.deallocate()
        committed.deallocate()
        UnsafeMutableRawPointer(rowTable.pointee).deallocate()
        rowTable.deallocate()
        workerCount.deallocate()
    }

    /// The room `worker` has left in `segment`: the counter an insert
    /// checks, and takes one from when it claims a slot.
    @inlinable @inline(__always)
    func left(worker: Int, segment: Int) -> UnsafeMutablePointer<Int> {
        rowTable.pointee + (worker &* Self.rowStride &+ segment)
    }

    /// Slots held: those committed, and those the workers claimed this round.
    @usableFromInline
    var held: Int {
        let rows = rowTable.pointee
        var total = (0..<Self.segmentCount).reduce(0) { $0 + committed[$1] }
        for worker in 0..<workerCount.pointee {
            let row = rows + worker * Self.rowStride
            for segment in 0..<Self.segmentCount { total += row[Self.segmentCount + segment] - row[segment] }
        }
        return total
    }

    /// Adds what the workers claimed to `committed` and clears their rows.
    @usableFromInline
    func settle() {
        let rows = rowTable.pointee
        for worker in 0..<workerCount.pointee {
            let row = rows + worker * Self.rowStride
            for segment in 0..<Self.segmentCount {
                committed[segment] += row[Self.segmentCount + segment] - row[segment]
                row[segment] = 0
                row[Self.segmentCount + segment] = 0
            }
        }
    }

    /// Makes rows for `threads` workers (after `settle()`).
    @usableFromInline
    func setWorkers(_ threads: Int) {
        if threads > workerCount.pointee {
            UnsafeMutableRawPointer(rowTable.pointee).deallocate()
            rowTable.pointee = Self.allocateRows(threads)
        }
        workerCount.pointee = max(threads, 1)
    }

    /// Shares each segment's room below its hard limit among the workers.
    @usableFromInline
    func grant() {
        let rows = rowTable.pointee
        let workers = workerCount.pointee
        for segment in 0..<Self.segmentCount {
            let room = max(0, hardLimits[segment] - committed[segment])
            for worker in 0..<workers {
                let share = room / workers + (worker < room % workers ? 1 : 0)
                let row = rows + worker * Self.rowStride
                row[segment] = share
                row[Self.segmentCount + segment] = share
            }
        }
    }
}
