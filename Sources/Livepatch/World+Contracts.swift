/// `data NAME [static]`: author data each patch reaches through its own pointer.
public struct DataDecl: Sendable, Hashable {
    /// Its name.
    public var name: String
    /// Static storage in the patch module (no alloc or free) rather than an allocation.
    public var isStatic: Bool
    /// Where it was declared.
    public var location: SourceLocation

    /// Creates a data declaration.
    public init(name: String, isStatic: Bool, location: SourceLocation) {
        self.name = name
        self.isStatic = isStatic
        self.location = location
    }
}

/// `setting NAME [in MODULE] VALUE...`: a global value such as a sysctl.
public struct SettingDecl: Sendable, Hashable {
    /// Its name.
    public var name: String
    /// Its values; the first is the boot value.
    public var values: [String]
    /// The module owning it (back to its boot value whenever the module loads), if any.
    public var owner: Int?
    /// Where it was declared.
    public var location: SourceLocation

    /// Creates a setting.
    public init(name: String, values: [String], owner: Int? = nil, location: SourceLocation) {
        self.name = name
        self.values = values
        self.owner = owner
        self.location = location
    }
}

/// What a callback does to the author's data and settings (one action of an `on` line).
public indirect enum ContractAction: Sendable, Hashable {
    /// P's pointer to the data := a new allocation.
    case alloc(data: Int)
    /// kfree through P's pointer.
    case free(data: Int)
    /// P's pointer := what `klp_get_prev_state` finds for the state carrying the data.
    case adopt(data: Int)
    /// The setting := its value with this index.
    case set(setting: Int, value: Int)
    /// Store the setting's current value in the data P's pointer reaches.
    case save(setting: Int, data: Int)
    /// The setting := the value stored in the data P's pointer reaches.
    case restore(setting: Int, data: Int)
    /// The action only when `klp_get_prev_state(id)` finds a state.
    case ifPrev(id: Int, ContractAction)
    /// The action only when `klp_get_prev_state(id)` finds no state.
    case unlessPrev(id: Int, ContractAction)
}

/// `needs SETTING=V1|V2`: the values a piece of code is correct with.
public struct SettingNeed: Sendable, Hashable {
    /// The setting.
    public var setting: Int
    /// The indices of the values it accepts.
    public var values: [Int]

    /// Creates a need.
    public init(setting: Int, values: [Int]) {
        self.setting = setting
        self.values = values
    }
}

/// What an object's callbacks do and what its code needs (`on`, `code`, `original` lines).
public struct ObjectContract: Sendable, Hashable {
    /// Per callback, its actions in order.
    public var actions: [CallbackKind: [ContractAction]] = [:]
    /// Data the object's new functions dereference through P's pointer.
    public var uses: [Int] = []
    /// Values the object's new functions need.
    public var codeNeeds: [SettingNeed] = []
    /// Values the original functions it replaces need.
    public var originalNeeds: [SettingNeed] = []

    /// An empty contract.
    public init() {}

    /// Whether it says nothing.
    public var isEmpty: Bool { actions.isEmpty && uses.isEmpty && codeNeeds.isEmpty && originalNeeds.isEmpty }
}

extension World {
    /// Whether the world declares data or settings (and so pays for their bits).
    public var hasContracts: Bool { !data.isEmpty || !settings.isEmpty }
}

extension World.Limits {
    /// Data declarations.
    public static let data = 4
    /// Settings.
    public static let settings = 8
    /// Values of one setting.
    public static let settingValues = 16
    /// Conditions (`if-prev`, `unless-prev`) around one action.
    public static let conditionNesting = 8
}

extension World {
    /// This world with `data` and `settings` declared.
    public func withContracts(data: [DataDecl], settings: [SettingDecl]) -> World {
        var world = self
        world.data = data
        world.settings = settings
        return world
    }
}
