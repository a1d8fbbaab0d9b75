import KLPEngine

/// One row of the property table: a property, its role and what the
/// search decided about it.
public struct PropertyResult: Encodable, Sendable, Equatable {
    /// The property's index in the model's property list (for a livepatch
    /// world, `LivepatchProperty.index`).
    public var index: Int
    /// The property's name.
    public var name: String
    /// How the engine decides it.
    public var kind: PropertyKind
    /// Property or finding.
    public var role: PropertyRole
    /// What the search decided.
    public var status: PropertyOutcome

    /// Creates a row.
    public init(index: Int, name: String, kind: PropertyKind, role: PropertyRole, status: PropertyOutcome) {
        self.index = index
        self.name = name
        self.kind = kind
        self.role = role
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case name, kind, role, status
    }
}
