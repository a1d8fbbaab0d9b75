/// A field of a packed state: the bits of `mask`, shifted up by `shift`, in word `word`.
///
/// Fields never straddle words, so reading one is a shift and a mask.
@frozen
public struct BitField: Sendable, Hashable {
    /// The word holding the field.
    public let word: Int
    /// The field's lowest bit.
    public let shift: UInt64
    /// The field's mask, unshifted (`2^width - 1`).
    public let mask: UInt64

    /// A field of `width` bits from bit `shift`, inside one word.
    public init(word: Int, shift: Int, width: Int) {
        precondition(word >= 0 && shift >= 0 && width >= 0 && shift + width <= 64, "a field lies inside one word")
        self.word = word
        self.shift = UInt64(shift)
        self.mask = width >= 64 ? .max : (1 << UInt64(width)) - 1
    }

    /// A field that takes no bits: it always reads 0.
    public static let empty = BitField(word: 0, shift: 0, width: 0)
}

/// Assigns bit fields to words, first fit, in the order they are added.
///
/// Word 0 offers ``PackedStateLayout/wordZeroPayloadBits`` bits, every
/// other word 64.
public struct BitLayoutBuilder: Sendable {
    private var used: [Int] = []

    /// An empty layout.
    public init() {}

    /// Adds a field able to hold `0 ... maxValue`.
    public mutating func add(maxValue: Int) -> BitField {
        add(width: Self.width(for: maxValue))
    }

    /// Adds a field of `width` bits (0 gives an empty field).
    public mutating func add(width: Int) -> BitField {
        precondition(width >= 0 && width <= 62, "field too wide")
        if width == 0 { return .empty }
        for word in used.indices where used[word] + width <= Self.capacity(word) {
            defer { used[word] += width }
            return BitField(word: word, shift: used[word], width: width)
        }
        used.append(width)
        return BitField(word: used.count - 1, shift: 0, width: width)
    }

    /// Words the layout needs so far.
    public var wordCount: Int { max(1, used.count) }
    /// Bits the fields take.
    public var bitCount: Int { used.reduce(0, +) }

    static func capacity(_ word: Int) -> Int {
        word == 0 ? PackedStateLayout.wordZeroPayloadBits : PackedStateLayout.otherWordPayloadBits
    }

    /// Bits needed to hold `0 ... maxValue`.
    public static func width(for maxValue: Int) -> Int {
        maxValue <= 0 ? 0 : Int.bitWidth - maxValue.leadingZeroBitCount
    }
}

extension PackedState {
    /// The value of `field`.
    ///
    /// Masking shifts (`&>>`, `&<<`): a field's shift is below 64 by
    /// construction, and the machine reads fields by the hundred per state,
    /// where a smart shift would add a compare and a select to each.
    @inlinable @inline(__always)
    public subscript(field: BitField) -> Int {
        get { Int(truncatingIfNeeded: (word(field.word) &>> field.shift) & field.mask) }
        set {
            let cleared = word(field.word) & ~(field.mask &<< field.shift)
            setWord(field.word, to: cleared | (UInt64(truncatingIfNeeded: newValue) & field.mask) &<< field.shift)
        }
    }

    /// Whether the one-bit `field` is set.
    @inlinable @inline(__always)
    public subscript(flag field: BitField) -> Bool {
        get { (word(field.word) &>> field.shift) & field.mask != 0 }
        set { self[field] = newValue ? 1 : 0 }
    }
}
