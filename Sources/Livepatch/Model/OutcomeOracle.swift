/// Decides the outcomes the world leaves open: whether a pre_patch that
/// may fail fails, and whether patching that may fail fails. The machine
/// asks it with its handle on the world's tables, so only this module's
/// oracles implement it.
@usableFromInline
protocol OutcomeOracle {
    /// The return value of object `g`'s pre_patch (0 or a negative errno).
    mutating func prePatchResult(object g: Int, in world: WorldRef) -> Int32
    /// Whether patching object `g` fails (`-EBUSY`).
    mutating func patchingFails(object g: Int, in world: WorldRef) -> Bool
    /// The choice point the step failed, for an oracle that records it
    /// (`TracingOracle`); nil for the others.
    var failed: ChoicePoint? { get }
}

extension OutcomeOracle {
    @usableFromInline var failed: ChoicePoint? { nil }
}

/// The explorer's oracle: numbers the open outcomes ("choice points") of
/// one event in the order the event meets them, and fails exactly the
/// `failAt`-th one (1-based; 0: none fails). Every outcome of an event is
/// reached by running it with `failAt` = 0, 1, ..., `choicePoints`.
public struct EnumeratingOracle: OutcomeOracle {
    /// The choice point to fail, 1-based; 0 for none.
    public let failAt: Int
    /// Choice points met so far.
    @usableFromInline var storedChoicePoints = 0
    /// (see `storedChoicePoints`)
    @inlinable public var choicePoints: Int { storedChoicePoints }

    /// An oracle failing the `failAt`-th choice point.
    @inlinable public init(failAt: Int) { self.failAt = failAt }

    @inlinable mutating func prePatchResult(object g: Int, in world: WorldRef) -> Int32 {
        switch world.prePatchMode[g] {
        case WorldTables.PrePatchMode.fails.rawValue:
            return world.prePatchErrno[g]
        case WorldTables.PrePatchMode.mayFail.rawValue:
            storedChoicePoints += 1
            return choicePoints == failAt ? world.prePatchErrno[g] : 0
        default:
            return 0
        }
    }

    @inlinable mutating func patchingFails(object g: Int, in world: WorldRef) -> Bool {
        guard world.patchingMayFail[g] else { return false }
        storedChoicePoints += 1
        return choicePoints == failAt
    }
}
