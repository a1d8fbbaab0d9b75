import KLPEngine

/// The properties and findings (Livepatch.docc, PropertiesAndFindings).
public enum LivepatchProperty: String, Sendable, CaseIterable, Codable {
    case loadedOnly = "loaded-only"
    case prePatchOnce = "pre-patch-once"
    case postUnpatchPaired = "post-unpatch-paired"
    case postPatchPaired = "post-patch-paired"
    case preUnpatchPaired = "pre-unpatch-paired"
    case unpatchOrder = "unpatch-order"
    case failedPrePatchSilent = "failed-pre-patch-silent"
    case postPatchAllTasks = "post-patch-all-tasks"
    case postUnpatchNoTask = "post-unpatch-no-task"
    case replacedSilent = "replaced-silent"
    case bracketsClosed = "brackets-closed"
    case singleTransition = "single-transition"
    case progress = "progress"
    case replacedAbandonsBrackets = "replaced-abandons-brackets"
    case postUnpatchAfterPatchFailure = "post-unpatch-after-patch-failure"
    case dataReady = "data-ready"
    case dataFreedOnce = "data-freed-once"
    case dataNoLeak = "data-no-leak"
    case settingCompatible = "setting-compatible"
    case settingRestored = "setting-restored"

    /// Findings are reported with a trace but are not violations.
    public var isFinding: Bool {
        self == .replacedAbandonsBrackets || self == .postUnpatchAfterPatchFailure
    }

    /// The property's index in the model's property list.
    public var index: Int { Self.allCases.firstIndex(of: self)! }

    /// How the engine decides it: `progress` needs the whole state graph;
    /// every other property is judged on the callbacks one step runs.
    public var kind: PropertyKind { self == .progress ? .possibility : .step }

    /// What must hold, in one sentence.
    public var summary: String {
        switch self {
        case .loadedOnly: return "a callback of an object runs only while the object is loaded"
        case .prePatchOnce: return "pre_patch does not succeed again while its bracket is open"
        case .postUnpatchPaired: return "post_unpatch runs only after a successful pre_patch, and closes it"
        case .postPatchPaired: return "post_patch runs only after a successful pre_patch, once"
        case .preUnpatchPaired: return "pre_unpatch runs only after post_patch, and closes it"
        case .unpatchOrder: return "post_unpatch never runs while post_patch's bracket is open"
        case .failedPrePatchSilent: return "after pre_patch fails, no callback of that object runs until its next pre_patch"
        case .postPatchAllTasks: return "post_patch runs only when every task runs the patch's new code"
        case .postUnpatchNoTask: return "post_unpatch runs only when no task can run the patch's code"
        case .replacedSilent: return "a replaced patch's callbacks never run at or after its replacement"
        case .bracketsClosed: return "a patch disabled or cancelled leaves no callback bracket open"
        case .singleTransition: return "at most one transition, and only of a listed patch"
        case .progress: return "from every state, a state with no transition is reachable"
        case .replacedAbandonsBrackets: return "a patch retired by replacement leaves callback brackets open"
        case .postUnpatchAfterPatchFailure: return "post_unpatch runs for an object whose patching failed"
        case .dataReady: return "code that uses data, and every save or restore, reaches live data through the patch's pointer"
        case .dataFreedOnce: return "free never frees an allocation that is already freed"
        case .dataNoLeak: return "after every step, every live allocation is reachable from a listed patch's pointer"
        case .settingCompatible: return "code that any task can run sees only the setting values it needs"
        case .settingRestored: return "with no patch listed and no transition, every setting holds its boot value; restore finds a saved value"
        }
    }
}
