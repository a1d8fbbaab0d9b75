/// Decides the outcomes the world leaves open: whether a pre_patch that
/// may fail fails, and whether patching that may fail fails.
public protocol OutcomeOracle {
    /// The return value of object `g`'s pre_patch (0 or a negative errno).
    mutating func prePatchResult(object g: Int, in world: CompiledWorld) -> Int32
    /// Whether patching object `g` fails (`-EBUSY`).
    mutating func patchingFails(object g: Int, in world: CompiledWorld) -> Bool
}

/// The explorer's oracle: numbers the open outcomes ("choice points") of
/// one event in the order the event meets them, and fails exactly the
/// `failAt`-th one (1-based; 0: none fails). Every outcome of an event is
/// reached by running it with `failAt` = 0, 1, ..., `choicePoints`.
public struct EnumeratingOracle: OutcomeOracle {
    /// The choice point to fail, 1-based; 0 for none.
    public let failAt: Int
    /// Choice points met so far.
    public private(set) var choicePoints = 0

    /// An oracle failing the `failAt`-th choice point.
    @inlinable public init(failAt: Int) { self.failAt = failAt }

    public mutating func prePatchResult(object g: Int, in world: CompiledWorld) -> Int32 {
        switch world.prePatchMode[g] {
        case CompiledWorld.PrePatchMode.fails.rawValue:
            return world.prePatchErrno[g]
        case CompiledWorld.PrePatchMode.mayFail.rawValue:
            choicePoints += 1
            return choicePoints == failAt ? world.prePatchErrno[g] : 0
        default:
            return 0
        }
    }

    public mutating func patchingFails(object g: Int, in world: CompiledWorld) -> Bool {
        guard world.patchingMayFail[g] else { return false }
        choicePoints += 1
        return choicePoints == failAt
    }
}
