/// One event the explorer fires: a kind and the index of what it acts on.
public struct LivepatchEvent: Hashable, Sendable {
    /// Which event.
    public var kind: EventKind
    /// The module, patch, task or worker index (see `EventKind.operand`); 0 when the kind takes none.
    public var operand: Int

    /// The event of `kind` on operand `operand`.
    @inlinable public init(_ kind: EventKind, _ operand: Int = 0) {
        self.kind = kind
        self.operand = operand
    }

    /// The events of a world, in action order: by operand (modules, patches,
    /// completion, tasks, workers), each operand's kinds in table order.
    static func all(in world: CompiledWorld) -> [LivepatchEvent] {
        var events: [LivepatchEvent] = []
        for operand in EventKind.Operand.allCases {
            let kinds = EventKind.allCases.filter { $0.operand == operand && $0.isExplored(in: world) }
            for index in 0..<EventKind.operandCount(operand, in: world) {
                events += kinds.map { LivepatchEvent($0, index) }
            }
        }
        return events
    }

    /// The action index of this event with no failing outcome: the kind in
    /// the top byte, the operand in the next two, the failing choice point
    /// (0: none) in the low byte.
    @inlinable var code: UInt32 { UInt32(kind.rawValue) << 24 | UInt32(operand) << 8 }

    /// The event and failing choice point (0: none) of an action index.
    @inlinable public static func decode(_ action: UInt32) -> (event: LivepatchEvent, failAt: Int)? {
        guard let kind = EventKind(rawValue: UInt8(action >> 24)) else { return nil }
        return (LivepatchEvent(kind, Int((action >> 8) & 0xffff)), Int(action & 0xff))
    }
}
