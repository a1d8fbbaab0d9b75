/// How an open-addressing visited set keys its slots: one state per slot,
/// or one page of up to 64 states per slot.
///
/// A static strategy: `OpenAddressingSet` is generic over it, so each
/// specialisation knows at compile time whether it is paged, and the plain
/// table carries no trace of paging in its hot path (no branch, no field).
public protocol HashKeying<State>: Sendable {
    /// The packed state.
    associatedtype State: PackedState

    /// Whether a slot holds a page: the page key and, in one more word, a
    /// bitmap of the page's states.
    static var isPaged: Bool { get }

    /// The keying for a table over `page`, or nil when this keying does not
    /// take one (plain keying wants none; paged keying needs one).
    init?(page: PageField?)

    /// Bits of the page field: log2 of the states a slot stands for (0 when plain).
    var pageBits: Int { get }
    /// The key `state` is stored under: itself, or its page key (the page bits cleared).
    func key(of state: State) -> State
    /// Where `state` sits in its page (0 when plain).
    func offset(of state: State) -> UInt32
    /// The state of page `key` at `offset` (`key` itself when plain).
    func state(key: State, offset: Int) -> State
}

extension HashKeying {
    /// Words per slot: the key's, plus the page bitmap when paged.
    @inlinable @inline(__always)
    public static var slotWords: Int { State.wordCount + (isPaged ? 1 : 0) }

    /// A segment grows when its load passes this. A paged table is small (a
    /// slot per page, not per state), so it keeps its probes short with half
    /// the load of a plain one.
    @inlinable
    static var growAboveLoad: Double { isPaged ? 0.35 : 0.8 }
    /// The load a segment grows to.
    @inlinable
    static var loadAfterGrowth: Double { isPaged ? 0.2 : 0.55 }
    /// The load a segment never exceeds.
    @inlinable
    static var hardLoad: Double { isPaged ? 0.5 : 0.9 }
}

/// One state per slot: the key of a state is the state.
@frozen
public struct PlainKeying<State: PackedState>: HashKeying {
    /// Not paged.
    @inlinable public static var isPaged: Bool { false }

    /// Plain keying; nil when a page field is given.
    @inlinable
    public init?(page: PageField?) {
        guard page == nil else { return nil }
    }

    /// No page bits.
    @inlinable public var pageBits: Int { 0 }
    /// The state itself.
    @inlinable @inline(__always) public func key(of state: State) -> State { state }
    /// Always 0.
    @inlinable @inline(__always) public func offset(of state: State) -> UInt32 { 0 }
    /// The key itself.
    @inlinable @inline(__always) public func state(key: State, offset: Int) -> State { key }
}

/// One page per slot: the states that differ only in a `PageField` share
/// a slot, which stores their page key and a bitmap of which are present.
/// Successors that change only the page bits then land in the slot their
/// sibling just touched, and a dense page costs two bits per state instead
/// of 64 (`--visited paged`).
@frozen
public struct PagedKeying<State: PackedState>: HashKeying {
    /// The page field's word.
    @usableFromInline let word: Int
    /// Its lowest bit.
    @usableFromInline let shift: UInt64
    /// Its bits, in place.
    @usableFromInline let mask: UInt64
    /// Its length in bits.
    public let pageBits: Int

    /// Paged.
    @inlinable public static var isPaged: Bool { true }

    /// Paged keying over `page`; nil without one.
    @inlinable
    public init?(page: PageField?) {
        guard let page else { return nil }
        word = page.word
        shift = UInt64(page.shift)
        pageBits = page.bits
        mask = (UInt64(1) << UInt64(page.bits) - 1) << UInt64(page.shift)
    }

    /// The state with its page bits cleared.
    @inlinable @inline(__always)
    public func key(of state: State) -> State {
        var key = state
        key.setWord(word, to: state.word(word) & ~mask)
        return key
    }

    /// The state's page bits.
    @inlinable @inline(__always)
    public func offset(of state: State) -> UInt32 {
        UInt32(truncatingIfNeeded: (state.word(word) & mask) >> shift)
    }

    /// `key` with its page bits set to `offset`.
    @inlinable @inline(__always)
    public func state(key: State, offset: Int) -> State {
        var state = key
        state.setWord(word, to: key.word(word) | UInt64(offset) << shift)
        return state
    }
}
