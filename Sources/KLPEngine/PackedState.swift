/// A model state packed into a fixed number of 64-bit words.
///
/// The engine stores, hashes and compares states only through this
/// protocol, so it never learns what the bits mean. Word 0 carries at most
/// ``PackedStateLayout/wordZeroPayloadBits`` bits of payload: the visited sets
/// keep two flag bits at its top (occupied, being written).
public protocol PackedState: Hashable, Comparable, Sendable, BitwiseCopyable {
    /// How many words a state occupies.
    static var wordCount: Int { get }
    /// The all-zero state.
    static var zero: Self { get }
    /// Word `index` of the state, `0 ..< wordCount`.
    func word(_ index: Int) -> UInt64
    /// Replaces word `index`.
    mutating func setWord(_ index: Int, to value: UInt64)
    /// Reads a state from `wordCount` consecutive words.
    init(words: UnsafePointer<UInt64>)
    /// Writes the state to `wordCount` consecutive words.
    func store(to words: UnsafeMutablePointer<UInt64>)
    /// A well-mixed 64-bit hash of every word.
    var hash64: UInt64 { get }
}

/// Limits that every packed encoding must respect.
public enum PackedStateLayout {
    /// Payload bits available in word 0 of a state.
    public static let wordZeroPayloadBits = 62
    /// Payload bits available in every other word.
    public static let otherWordPayloadBits = 64

    /// Total payload bits of a state of `words` words.
    public static func payloadBits(words: Int) -> Int {
        wordZeroPayloadBits + (words - 1) * otherWordPayloadBits
    }
}

/// The SplitMix64 finaliser: a bijective mix with full avalanche.
@inlinable @inline(__always)
public func mix64(_ value: UInt64) -> UInt64 {
    var x = value
    x ^= x >> 30
    x &*= 0xbf58_476d_1ce4_e5b9
    x ^= x >> 27
    x &*= 0x94d0_49bb_1331_11eb
    x ^= x >> 31
    return x
}

extension UInt64: PackedState {
    @inlinable public static var wordCount: Int { 1 }
    @inlinable public func word(_ index: Int) -> UInt64 { self }
    @inlinable public mutating func setWord(_ index: Int, to value: UInt64) { self = value }
    @inlinable public init(words: UnsafePointer<UInt64>) { self = words.pointee }
    @inlinable public func store(to words: UnsafeMutablePointer<UInt64>) { words.pointee = self }
    @inlinable public var hash64: UInt64 { mix64(self) }
}

/// A state of two words.
@frozen
public struct PackedWords2: PackedState {
    public var w0: UInt64
    public var w1: UInt64
    @inlinable public init(_ w0: UInt64, _ w1: UInt64) { self.w0 = w0; self.w1 = w1 }
    @inlinable public static var wordCount: Int { 2 }
    @inlinable public static var zero: PackedWords2 { PackedWords2(0, 0) }
    @inlinable public func word(_ index: Int) -> UInt64 { index == 0 ? w0 : w1 }
    @inlinable public mutating func setWord(_ index: Int, to value: UInt64) {
        if index == 0 { w0 = value } else { w1 = value }
    }
    @inlinable public init(words: UnsafePointer<UInt64>) { self.init(words[0], words[1]) }
    @inlinable public func store(to words: UnsafeMutablePointer<UInt64>) { words[0] = w0; words[1] = w1 }
    @inlinable public var hash64: UInt64 { mix64(w0 ^ mix64(w1 &+ 0x9e37_79b9_7f4a_7c15)) }
    @inlinable public static func < (a: PackedWords2, b: PackedWords2) -> Bool {
        a.w0 != b.w0 ? a.w0 < b.w0 : a.w1 < b.w1
    }
}

/// A state of four words.
@frozen
public struct PackedWords4: PackedState {
    public var w0: UInt64
    public var w1: UInt64
    public var w2: UInt64
    public var w3: UInt64
    @inlinable public init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }
    @inlinable public static var wordCount: Int { 4 }
    @inlinable public static var zero: PackedWords4 { PackedWords4(0, 0, 0, 0) }
    @inlinable public func word(_ index: Int) -> UInt64 {
        switch index {
        case 0: return w0
        case 1: return w1
        case 2: return w2
        default: return w3
        }
    }
    @inlinable public mutating func setWord(_ index: Int, to value: UInt64) {
        switch index {
        case 0: w0 = value
        case 1: w1 = value
        case 2: w2 = value
        default: w3 = value
        }
    }
    @inlinable public init(words: UnsafePointer<UInt64>) { self.init(words[0], words[1], words[2], words[3]) }
    @inlinable public func store(to words: UnsafeMutablePointer<UInt64>) {
        words[0] = w0; words[1] = w1; words[2] = w2; words[3] = w3
    }
    @inlinable public var hash64: UInt64 {
        mix64(w0 ^ mix64(w1 &+ 0x9e37_79b9_7f4a_7c15 ^ mix64(w2 &+ 0x632b_e59b_d9b4_e019 ^ mix64(w3 &+ 1))))
    }
    @inlinable public static func < (a: PackedWords4, b: PackedWords4) -> Bool {
        if a.w0 != b.w0 { return a.w0 < b.w0 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        return a.w3 < b.w3
    }
}

/// A state of eight words.
public typealias PackedWords8 = PackedWordPair<PackedWords4>
/// A state of sixteen words.
public typealias PackedWords16 = PackedWordPair<PackedWords8>
/// A state of thirty-two words: the widest, for worlds at the language's
/// limits (256 objects take 1,024 bits on their own).
public typealias PackedWords32 = PackedWordPair<PackedWords16>

/// A state of twice `Half`'s words: `low` holds the first half, `high` the
/// second. The wide states (8, 16 and 32 words) are pairs of the next
/// narrower one, so one definition serves every width.
@frozen
public struct PackedWordPair<Half: PackedState>: PackedState {
    public var low: Half
    public var high: Half
    @inlinable public init(low: Half, high: Half) {
        self.low = low
        self.high = high
    }
    @inlinable public static var wordCount: Int { 2 &* Half.wordCount }
    @inlinable public static var zero: PackedWordPair { PackedWordPair(low: .zero, high: .zero) }
    @inlinable public func word(_ index: Int) -> UInt64 {
        index < Half.wordCount ? low.word(index) : high.word(index &- Half.wordCount)
    }
    @inlinable public mutating func setWord(_ index: Int, to value: UInt64) {
        if index < Half.wordCount { low.setWord(index, to: value) } else { high.setWord(index &- Half.wordCount, to: value) }
    }
    @inlinable public init(words: UnsafePointer<UInt64>) {
        self.init(low: Half(words: words), high: Half(words: words + Half.wordCount))
    }
    @inlinable public func store(to words: UnsafeMutablePointer<UInt64>) {
        low.store(to: words)
        high.store(to: words + Half.wordCount)
    }
    /// The high half's hash is salted per width (the constants the separate
    /// 8-, 16- and 32-word types had), so that states and their halves hash apart.
    @inlinable public var hash64: UInt64 { mix64(low.hash64 ^ mix64(high.hash64 &+ Self.salt)) }
    @inlinable static var salt: UInt64 {
        switch Half.wordCount {
        case 4: return 0x2545_f491_4f6c_dd1d
        case 8: return 0x3c6e_f372_fe94_f82b
        case 16: return 0xa54f_f53a_5f1d_36f1
        default: return mix64(UInt64(Half.wordCount))
        }
    }
    @inlinable public static func < (a: PackedWordPair, b: PackedWordPair) -> Bool {
        a.low != b.low ? a.low < b.low : a.high < b.high
    }
}
