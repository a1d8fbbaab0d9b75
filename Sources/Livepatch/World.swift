/// A place in a model file, for diagnostics.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file's path as given.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// The four callbacks an object may have.
public enum CallbackKind: Int, Sendable, CaseIterable, Codable {
    case prePatch, postPatch, preUnpatch, postUnpatch

    /// The C function name the selftests print: `pre_patch_callback`.
    public var functionName: String {
        switch self {
        case .prePatch: return "pre_patch_callback"
        case .postPatch: return "post_patch_callback"
        case .preUnpatch: return "pre_unpatch_callback"
        case .postUnpatch: return "post_unpatch_callback"
        }
    }

    /// The `.klp` token: `pre_patch`.
    public var token: String {
        switch self {
        case .prePatch: return "pre_patch"
        case .postPatch: return "post_patch"
        case .preUnpatch: return "pre_unpatch"
        case .postUnpatch: return "post_unpatch"
        }
    }
}

/// What an object's pre_patch callback returns.
public enum PrePatchOutcome: Sendable, Hashable {
    /// Always 0.
    case succeeds
    /// 0 or the errno: both are explored.
    case mayFail(Int32)
    /// Always the errno.
    case fails(Int32)
}

/// The target of an object: vmlinux, or a declared module by index.
public enum Target: Sendable, Hashable {
    case vmlinux
    case module(Int)
}

/// A `klp_object`: one target, its callbacks and failure modes.
public struct ObjectDecl: Sendable, Hashable {
    /// What it patches.
    public var target: Target
    /// The callbacks it has.
    public var callbacks: Set<CallbackKind>
    /// What pre_patch returns (when it has one; without one it succeeds).
    public var prePatch: PrePatchOutcome
    /// Whether patching its functions may fail (`-EBUSY`) after pre_patch succeeded.
    public var patchingMayFail: Bool
    /// Where it was declared.
    public var location: SourceLocation
    /// What its callbacks do to the author's data and settings, and what its code needs.
    public var contract: ObjectContract

    /// Creates an object.
    public init(
        target: Target, callbacks: Set<CallbackKind>, prePatch: PrePatchOutcome = .succeeds,
        patchingMayFail: Bool = false, location: SourceLocation, contract: ObjectContract = ObjectContract()
    ) {
        self.contract = contract
        self.target = target
        self.callbacks = callbacks
        self.prePatch = prePatch
        self.patchingMayFail = patchingMayFail
        self.location = location
    }
}

/// A `klp_state` a patch declares.
public struct SystemState: Sendable, Hashable {
    /// The state's id.
    public var id: Int
    /// Its version.
    public var version: Int
    /// The data (index into `World.data`) its data pointer carries, if any.
    public var carries: Int?

    /// Creates a state.
    public init(id: Int, version: Int, carries: Int? = nil) {
        self.id = id
        self.version = version
        self.carries = carries
    }
}

/// A livepatch module.
public struct PatchDecl: Sendable, Hashable {
    /// Its module name.
    public var name: String
    /// Atomic replace (cumulative patch).
    public var replace: Bool
    /// The system states it declares.
    public var states: [SystemState]
    /// Its objects, in declaration order.
    public var objects: [ObjectDecl]
    /// Where it was declared.
    public var location: SourceLocation

    /// Creates a patch.
    public init(name: String, replace: Bool, states: [SystemState] = [], objects: [ObjectDecl], location: SourceLocation) {
        self.name = name
        self.replace = replace
        self.states = states
        self.objects = objects
        self.location = location
    }
}

/// A target module.
public struct ModuleDecl: Sendable, Hashable {
    /// Its name.
    public var name: String
    /// Whether its init leaves a worker sleeping in its original work function.
    public var busy: Bool
    /// Where it was declared.
    public var location: SourceLocation

    /// Creates a module.
    public init(name: String, busy: Bool, location: SourceLocation) {
        self.name = name
        self.busy = busy
        self.location = location
    }
}

/// The livepatch core under check: upstream or a mutation with a known bug.
public enum CoreVariant: String, Sendable, CaseIterable, Codable {
    case upstream
    case reverseCallsPreUnpatch = "reverse-calls-pre-unpatch"
    case ungatedPostUnpatch = "ungated-post-unpatch"
    case goingPreUnpatchInTransition = "going-pre-unpatch-in-transition"
    case comingPostPatchInTransition = "coming-post-patch-in-transition"
    case completeIgnoresLoaded = "complete-ignores-loaded"
    case cancelSkipsPostUnpatch = "cancel-skips-post-unpatch"
    case enableDuringTransition = "enable-during-transition"
    case replaceRunsOldCallbacks = "replace-runs-old-callbacks"
    case completeBeforeSwitch = "complete-before-switch"
    case noSwitchAfterReverse = "no-switch-after-reverse"
}

/// A whole `.klp` model: the world and what to check in it.
public struct World: Sendable {
    /// The file it came from.
    public var file: String
    /// Ordinary tasks, 1 to 64.
    public var tasks: Int
    /// Whether `force` writes are explored.
    public var force: Bool
    /// The core under check.
    public var core: CoreVariant
    /// Target modules.
    public var modules: [ModuleDecl]
    /// Livepatches.
    public var patches: [PatchDecl]
    /// Properties to check; empty means all.
    public var checked: [LivepatchProperty]
    /// The expected verdict.
    public var expectation: Expectation
    /// Where the `expect` line is (for CI annotations), if there is one.
    public var expectationLocation: SourceLocation?
    /// Author data (`data` lines).
    public var data: [DataDecl] = []
    /// Settings (`setting` lines).
    public var settings: [SettingDecl] = []

    /// Creates a world.
    public init(
        file: String, tasks: Int = 2, force: Bool = false, core: CoreVariant = .upstream, modules: [ModuleDecl],
        patches: [PatchDecl], checked: [LivepatchProperty] = [], expectation: Expectation = .pass,
        expectationLocation: SourceLocation? = nil
    ) {
        self.file = file
        self.tasks = tasks
        self.force = force
        self.core = core
        self.modules = modules
        self.patches = patches
        self.checked = checked
        self.expectation = expectation
        self.expectationLocation = expectationLocation
    }

    /// Limits the language enforces so that states stay compact.
    public enum Limits {
        /// Ordinary tasks.
        public static let tasks = 1...64
        /// Patches.
        public static let patches = 16
        /// Target modules.
        public static let modules = 64
        /// Objects over all patches.
        public static let objects = 256
    }
}
