/// The kinds of livepatch events: the one vocabulary the machine, the
/// model, the scenario language, replay and the trace printer share.
///
/// A kind's raw value is its encoding: the top byte of an action index
/// (see `LivepatchEvent.code`). Adding a kind means adding a case here, its
/// row in `table`, its guard (`Machine+Guards.swift`) and its effect
/// (`Machine+Events.swift`); nothing else spells the kinds out.
public enum EventKind: UInt8, CaseIterable, Sendable {
    case moduleComing, moduleInit, moduleExit, moduleGoing
    case loadPatch, disablePatch, enablePatch, unloadPatch, forcePatch
    case complete
    case switchTask, switchWorker

    /// What an event of a kind acts on, in the order the model lists events.
    public enum Operand: Int, CaseIterable, Sendable {
        /// A target module, by declaration index.
        case module
        /// A livepatch, by declaration index.
        case patch
        /// Nothing.
        case none
        /// An ordinary task (0 with symmetry: any task not yet switched).
        case task
        /// A busy module's worker.
        case worker
    }

    /// One row of the vocabulary.
    public struct Spelling: Sendable {
        /// The words after `step` in a replay scenario: `coming`, `switch task`.
        public var token: String
        /// What the event acts on.
        public var operand: Operand
        /// What a user types for it, or the kernel's own step, in words;
        /// `#` stands for the operand (`EventKind.commandName`).
        public var command: String
    }

    /// The vocabulary, indexed by raw value.
    static let table: [Spelling] = [
        Spelling(token: "coming", operand: .module, command: "insmod test_modules/#.ko: the COMING notifier runs (klp_module_coming)"),
        Spelling(token: "init", operand: .module, command: "insmod test_modules/#.ko: module_init runs, the module is LIVE"),
        Spelling(token: "exit", operand: .module, command: "rmmod #: module_exit runs, the module is GOING"),
        Spelling(token: "going", operand: .module, command: "rmmod #: the GOING notifier runs (klp_module_going)"),
        Spelling(token: "load", operand: .patch, command: "insmod test_modules/#.ko"),
        Spelling(token: "disable", operand: .patch, command: "echo 0 > /sys/kernel/livepatch/#/enabled"),
        Spelling(token: "enable", operand: .patch, command: "echo 1 > /sys/kernel/livepatch/#/enabled"),
        Spelling(token: "unload", operand: .patch, command: "rmmod #"),
        Spelling(token: "force", operand: .patch, command: "echo 1 > /sys/kernel/livepatch/#/force"),
        Spelling(token: "complete", operand: .none, command: "the transition completes"),
        Spelling(token: "switch task", operand: .task, command: "# switches to the target state"),
        Spelling(token: "switch worker", operand: .worker, command: "the worker of # switches to the target state"),
    ]

    /// This kind's row of the vocabulary.
    public var spelling: Spelling { Self.table[Int(rawValue)] }
    /// The words after `step`: `coming`, `switch task`.
    public var token: String { spelling.token }
    /// What an event of this kind acts on.
    public var operand: Operand { spelling.operand }

    /// The first word of every kind's token, each once, in table order: `coming`, ..., `switch`.
    public static var stepVerbs: [String] {
        var verbs: [String] = []
        for kind in allCases {
            let verb = String(kind.token.split(separator: " ")[0])
            if !verbs.contains(verb) { verbs.append(verb) }
        }
        return verbs
    }

    /// Whether the events of this kind are explored in `world` (force writes only with `force on`).
    func isExplored(in world: CompiledWorld) -> Bool { self != .forcePatch || world.force }

    /// How many operands of this kind `world` has: one event each.
    static func operandCount(_ operand: Operand, in world: CompiledWorld) -> Int {
        switch operand {
        case .module: return world.moduleCount
        case .patch: return world.patchCount
        case .none: return 1
        case .task: return world.symmetry ? 1 : world.taskCount
        case .worker: return world.workerCount
        }
    }
}
