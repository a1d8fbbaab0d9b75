/// An open outcome of one event: a pre_patch that may fail, or patching that may fail.
public struct ChoicePoint: Hashable, Sendable {
    /// Which kind of outcome.
    public enum Kind: String, Sendable { case prePatch = "pre_patch", patching }
    /// Which kind.
    public var kind: Kind
    /// The static object.
    public var object: Int
}

/// Enumerates like `EnumeratingOracle` and remembers which choice point it failed.
public struct TracingOracle: OutcomeOracle {
    var inner: EnumeratingOracle
    /// The choice point failed, if any.
    public private(set) var failed: ChoicePoint?

    /// Fails the `failAt`-th choice point (1-based; 0: none).
    public init(failAt: Int) { inner = EnumeratingOracle(failAt: failAt) }

    @usableFromInline mutating func prePatchResult(object g: Int, in world: WorldRef) -> Int32 {
        let before = inner.choicePoints
        let result = inner.prePatchResult(object: g, in: world)
        if inner.choicePoints > before && inner.choicePoints == inner.failAt {
            failed = ChoicePoint(kind: .prePatch, object: g)
        }
        return result
    }

    @usableFromInline mutating func patchingFails(object g: Int, in world: WorldRef) -> Bool {
        let fails = inner.patchingFails(object: g, in: world)
        if fails { failed = ChoicePoint(kind: .patching, object: g) }
        return fails
    }
}

/// Fails exactly the named choice points; `pre_patch(fails ...)` still fails.
public struct ScriptedOracle: OutcomeOracle {
    /// The choice points to fail.
    public var failing: Set<ChoicePoint>
    /// A `pre_patch_ret` override per patch (the selftest modules' parameter), if set.
    public var prePatchReturn: [Int: Int32]

    /// An oracle failing `failing`, with `pre_patch_ret` overrides.
    public init(failing: Set<ChoicePoint> = [], prePatchReturn: [Int: Int32] = [:]) {
        self.failing = failing
        self.prePatchReturn = prePatchReturn
    }

    @usableFromInline mutating func prePatchResult(object g: Int, in world: WorldRef) -> Int32 {
        if let value = prePatchReturn[Int(world.patchOfObject[g])] { return value }
        switch world.prePatchMode[g] {
        case WorldTables.PrePatchMode.fails.rawValue: return world.prePatchErrno[g]
        case WorldTables.PrePatchMode.mayFail.rawValue:
            return failing.contains(ChoicePoint(kind: .prePatch, object: g)) ? world.prePatchErrno[g] : 0
        default: return 0
        }
    }

    @usableFromInline mutating func patchingFails(object g: Int, in world: WorldRef) -> Bool {
        world.patchingMayFail[g] && failing.contains(ChoicePoint(kind: .patching, object: g))
    }
}
