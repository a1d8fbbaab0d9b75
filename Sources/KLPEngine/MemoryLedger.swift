import CKLPSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Accounts for every large buffer the engine allocates, against a budget.
///
/// Allocation goes through the ledger, which refuses before asking the
/// system when the budget would be exceeded, and reports a failed system
/// allocation as a refusal too: a search that runs out of memory stops
/// cleanly instead of crashing. Safe to use from several threads.
public final class MemoryLedger: @unchecked Sendable {
    /// The most bytes the ledger lets the engine hold at once.
    public let budget: UInt64
    /// `[0]`: bytes held now; `[1]`: the most ever held.
    private let counters: UnsafeMutablePointer<UInt64>

    /// Creates a ledger with `budget` bytes.
    public init(budget: UInt64) {
        self.budget = budget
        counters = .allocate(capacity: 2)
        counters.initialize(repeating: 0, count: 2)
    }

    deinit { counters.deallocate() }

    /// Bytes held now.
    public var currentBytes: UInt64 { klp_load_relaxed(counters) }
    /// The most bytes held at once so far.
    public var peakBytes: UInt64 { klp_load_relaxed(counters + 1) }

    /// Forgets the peak, so that a later phase can be measured on its own.
    public func resetPeak() { klp_store_release(counters + 1, currentBytes) }

    /// Reserves `bytes`, or returns false when that would exceed the budget.
    public func reserve(_ bytes: Int) -> Bool {
        let amount = UInt64(bytes)
        var current = klp_load_relaxed(counters)
        while true {
            if current + amount > budget { return false }
            let seen = klp_cas(counters, current, current + amount)
            if seen == current { break }
            current = seen
        }
        let held = current + amount
        var peak = klp_load_relaxed(counters + 1)
        while held > peak {
            let seen = klp_cas(counters + 1, peak, held)
            if seen == peak { break }
            peak = seen
        }
        return true
    }

    /// Returns `bytes` reserved earlier.
    public func release(_ bytes: Int) {
        _ = klp_fetch_add(counters, UInt64(bitPattern: -Int64(bytes)))
    }

    /// Allocates `count` elements, zero-filled when `zeroed`; nil when the
    /// budget or the system refuses.
    @usableFromInline
    func allocate<T>(_ type: T.Type, count: Int, zeroed: Bool = false) -> UnsafeMutablePointer<T>? {
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        guard reserve(bytes) else { return nil }
        let raw: UnsafeMutableRawPointer? =
            bytes >= Self.mappedBytes ? klp_map_zeroed(bytes)
            : zeroed ? calloc(max(count, 1), MemoryLayout<T>.stride) : malloc(bytes)
        guard let raw else {
            release(bytes)
            return nil
        }
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// Frees memory from `allocate` of `count` elements.
    @usableFromInline
    func free<T>(_ pointer: UnsafeMutablePointer<T>, count: Int) {
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        if bytes >= Self.mappedBytes {
            klp_unmap(UnsafeMutableRawPointer(pointer), bytes)
        } else {
            releaseToSystem(UnsafeMutableRawPointer(pointer))
        }
        release(bytes)
    }

    /// Buffers this large are mapped from the system directly, pages in place.
    static var mappedBytes: Int { 64 << 10 }
}

/// The C library's `free`, under a name of its own: inside `MemoryLedger`,
/// `free` is the ledger's method, and naming the module (`Glibc.free`) would
/// not build against Musl or Darwin.
private func releaseToSystem(_ pointer: UnsafeMutableRawPointer) { free(pointer) }
