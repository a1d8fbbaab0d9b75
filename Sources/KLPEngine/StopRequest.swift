import CKLPSupport

/// A request, from outside the search, to stop it early: the search looks at
/// it where it looks at its limits (between rounds, between fixpoint sweeps)
/// and stops as cleanly as a limit stops it, reporting
/// `SearchLimit.interrupted`.
///
/// The engine knows nothing of where the request comes from (the command
/// line turns SIGINT and SIGTERM into one). `request()` is a single atomic
/// store, so it may be called from any thread, or from a signal handler.
public final class StopRequest: @unchecked Sendable {
    private let word: UnsafeMutablePointer<UInt64>

    /// A request not yet made.
    public init() {
        word = .allocate(capacity: 1)
        word.initialize(to: 0)
    }

    deinit { word.deallocate() }

    /// Asks every search that holds this request to stop.
    @inline(__always)
    public func request() { klp_store_release(word, 1) }

    /// Whether a stop was asked for.
    @inline(__always)
    public var isRequested: Bool { klp_load_acquire(word) != 0 }
}
