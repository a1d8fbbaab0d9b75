import KLPEngine

/// The livepatch core of a world, as a model the engine explores.
///
/// A state is the packed section-2 state of the world; an action is an
/// event with the outcome of its open choices. Refused events that run no
/// callback and change nothing are self-loops and are not fired.
public struct LivepatchModel<State: PackedState>: TransitionSystem, @unchecked Sendable {
    /// The compiled world.
    public let world: CompiledWorld
    /// The events, in action order.
    public let events: [LivepatchEvent]
    private let codes: UnsafeMutablePointer<UInt32>
    private let eventCount: Int
    private let keepAlive: Storage

    /// The model of `world`; its states must fit `State`.
    public init(world: CompiledWorld) {
        precondition(world.wordCount <= State.wordCount, "state type too small")
        self.world = world
        events = LivepatchEvent.all(in: world)
        eventCount = events.count
        keepAlive = Storage(count: events.count)
        codes = keepAlive.codes
        for (index, event) in events.enumerated() { codes[index] = event.code }
    }

    /// Every property of section 5, indexed by `LivepatchProperty.index`.
    public var properties: [PropertyDescriptor] {
        LivepatchProperty.allCases.map { PropertyDescriptor(name: $0.rawValue, kind: $0.kind) }
    }

    /// Bit-field packing is a dense encoding: every state of a one-word
    /// world is below 2^bits, so small worlds can use a bitmap.
    public var denseStateCount: UInt64? {
        world.wordCount == 1 && world.bitCount <= 40 ? UInt64(1) << UInt64(world.bitCount) : nil
    }

    /// Events plus one per open outcome.
    public var maxSuccessors: Int { eventCount + world.objectCount + 2 }

    /// Nothing loaded, nothing listed.
    public func initialStates(into sink: inout SuccessorSink<State>) {
        sink.emit(.zero, action: 0)
    }

    /// Fires every event, once per outcome.
    public func successors(of state: State, into sink: inout SuccessorSink<State>) {
        for index in 0..<eventCount {
            let code = codes[index]
            let event = events[index]
            var failAt = 0
            var outcomes = 0
            repeat {
                var machine = Machine(
                    world: world, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: failAt))
                let result = machine.apply(event)
                if result == .disabled { break }
                if result == .done || machine.ranCallback || machine.state != state {
                    sink.emit(machine.state, action: code | UInt32(failAt), violating: PropertySet(rawValue: machine.violated))
                }
                if failAt == 0 { outcomes = machine.oracle.choicePoints }
                failAt += 1
            } while failAt <= outcomes
        }
    }

    /// `progress`: a state with no transition.
    public func isGoal(_ state: State, property: Int) -> Bool { state[world.transitionPatch] == 0 }

    private final class Storage: @unchecked Sendable {
        let codes: UnsafeMutablePointer<UInt32>
        init(count: Int) { codes = .allocate(capacity: max(count, 1)) }
        deinit { codes.deallocate() }
    }
}

/// Something to do with the model of a world, whatever its state width.
public protocol LivepatchModelVisitor {
    /// The visit's result.
    associatedtype Result
    /// Called with the model, specialised for its state type.
    func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> Result
}

/// A world too large to pack.
public struct WorldTooLarge: Error, CustomStringConvertible {
    /// Bits the world's state needs.
    public var bits: Int
    public var description: String {
        "the world's state needs \(bits) bits; at most \(PackedStateLayout.payloadBits(words: 8)) fit: declare fewer patches, objects, modules or tasks"
    }
}

extension CompiledWorld {
    /// Calls `visitor` with the model of this world, packed in 1, 2, 4 or 8 words.
    public func withModel<V: LivepatchModelVisitor>(_ visitor: V) throws -> V.Result {
        switch wordCount {
        case 1: return try visitor.visit(LivepatchModel<UInt64>(world: self))
        case 2: return try visitor.visit(LivepatchModel<PackedWords2>(world: self))
        case 3, 4: return try visitor.visit(LivepatchModel<PackedWords4>(world: self))
        case 5...8: return try visitor.visit(LivepatchModel<PackedWords8>(world: self))
        default: throw WorldTooLarge(bits: bitCount)
        }
    }
}
