/// The events (Livepatch.docc, Events) that the explorer fires, with their parameter.
public enum LivepatchEvent: Hashable, Sendable {
    case moduleComing(Int)
    case moduleInit(Int)
    case moduleExit(Int)
    case moduleGoing(Int)
    case loadPatch(Int)
    case disablePatch(Int)
    case enablePatch(Int)
    case unloadPatch(Int)
    case forcePatch(Int)
    case complete
    case switchTask(Int)
    case switchWorker(Int)

    /// The events of a world, in action order.
    @inlinable static func all(in world: CompiledWorld) -> [LivepatchEvent] {
        var events: [LivepatchEvent] = []
        for m in 0..<world.moduleCount {
            events += [.moduleComing(m), .moduleInit(m), .moduleExit(m), .moduleGoing(m)]
        }
        for p in 0..<world.patchCount {
            events += [.loadPatch(p), .disablePatch(p), .enablePatch(p), .unloadPatch(p)]
            if world.world.force { events.append(.forcePatch(p)) }
        }
        events.append(.complete)
        events += (world.symmetry ? [0] : Array(0..<world.taskCount)).map { .switchTask($0) }
        events += (0..<world.workerCount).map { .switchWorker($0) }
        return events
    }

    /// The action index of this event with outcome `failAt` (0: nothing fails).
    @inlinable var code: UInt32 {
        switch self {
        case .moduleComing(let m): return 0 << 24 | UInt32(m) << 8
        case .moduleInit(let m): return 1 << 24 | UInt32(m) << 8
        case .moduleExit(let m): return 2 << 24 | UInt32(m) << 8
        case .moduleGoing(let m): return 3 << 24 | UInt32(m) << 8
        case .loadPatch(let p): return 4 << 24 | UInt32(p) << 8
        case .disablePatch(let p): return 5 << 24 | UInt32(p) << 8
        case .enablePatch(let p): return 6 << 24 | UInt32(p) << 8
        case .unloadPatch(let p): return 7 << 24 | UInt32(p) << 8
        case .forcePatch(let p): return 8 << 24 | UInt32(p) << 8
        case .complete: return 9 << 24
        case .switchTask(let task): return 10 << 24 | UInt32(task) << 8
        case .switchWorker(let w): return 11 << 24 | UInt32(w) << 8
        }
    }

    /// The event and outcome of an action index.
    @inlinable public static func decode(_ action: UInt32) -> (event: LivepatchEvent, failAt: Int)? {
        let parameter = Int((action >> 8) & 0xffff)
        let failAt = Int(action & 0xff)
        let event: LivepatchEvent
        switch action >> 24 {
        case 0: event = .moduleComing(parameter)
        case 1: event = .moduleInit(parameter)
        case 2: event = .moduleExit(parameter)
        case 3: event = .moduleGoing(parameter)
        case 4: event = .loadPatch(parameter)
        case 5: event = .disablePatch(parameter)
        case 6: event = .enablePatch(parameter)
        case 7: event = .unloadPatch(parameter)
        case 8: event = .forcePatch(parameter)
        case 9: event = .complete
        case 10: event = .switchTask(parameter)
        case 11: event = .switchWorker(parameter)
        default: return nil
        }
        return (event, failAt)
    }
}

extension Machine {
    /// Runs one event.
    @inlinable public mutating func apply(_ event: LivepatchEvent) -> EventResult {
        let result: EventResult
        switch event {
        case .moduleComing(let m): result = moduleComing(m)
        case .moduleInit(let m): result = moduleInit(m)
        case .moduleExit(let m): result = moduleExit(m)
        case .moduleGoing(let m): result = moduleGoing(m)
        case .loadPatch(let p): result = loadPatch(p)
        case .disablePatch(let p): result = disablePatch(p)
        case .enablePatch(let p): result = enablePatch(p)
        case .unloadPatch(let p): result = unloadPatch(p)
        case .forcePatch(let p): result = forcePatch(p)
        case .complete: result = complete()
        case .switchTask(let task): result = switchTask(task)
        case .switchWorker(let w): result = switchWorker(w)
        }
        if result != .disabled { finishStep() }
        return result
    }
}
