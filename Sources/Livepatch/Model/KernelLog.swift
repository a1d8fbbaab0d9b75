/// Where the machine writes the kernel's log lines.
///
/// The explorer uses `SilentLog`, whose `append` is empty: generic
/// specialisation removes every message from the hot path.
public protocol KernelLog {
    /// Appends one line, built only when the log records. Not mutating, so
    /// that building a line may read the machine while it logs.
    func append(_ line: @autoclosure () -> String)
    /// Records why the step breaks `property` (kept for the first reason only).
    func explain(_ property: LivepatchProperty, _ reason: @autoclosure () -> String)
}

/// Drops every line.
public struct SilentLog: KernelLog {
    /// Creates the log.
    @inlinable public init() {}
    /// Does nothing.
    @inlinable @inline(__always) public func append(_ line: @autoclosure () -> String) {}
    /// Does nothing.
    @inlinable @inline(__always) public func explain(_ property: LivepatchProperty, _ reason: @autoclosure () -> String) {}
}

/// Keeps every line (a reference, so copies of a machine share it).
public final class RecordingLog: KernelLog {
    /// The lines, in order.
    public private(set) var lines: [String] = []
    /// Creates an empty log.
    public init() {}
    /// Keeps the line.
    public func append(_ line: @autoclosure () -> String) { lines.append(line()) }
    /// Why the step broke each property, first reason first.
    public private(set) var reasons: [LivepatchProperty: String] = [:]
    /// Keeps the first reason per property.
    public func explain(_ property: LivepatchProperty, _ reason: @autoclosure () -> String) {
        if reasons[property] == nil { reasons[property] = reason() }
    }
}

/// The kernel's messages (Livepatch.docc, LogLines), without timestamps.
public enum KernelMessage {
    @usableFromInline static func moduleState(_ state: Int) -> String {
        switch state {
        case ModuleState.coming: return "[MODULE_STATE_COMING] Full formed, running module_init"
        case ModuleState.going: return "[MODULE_STATE_GOING] Going away"
        case ModuleState.live: return "[MODULE_STATE_LIVE] Normal state"
        default: return "[MODULE_STATE_UNFORMED] Still setting it up"
        }
    }

    @usableFromInline static func direction(_ patched: Bool) -> String { patched ? "patching" : "unpatching" }

    @usableFromInline static func enabling(_ p: String) -> String { "livepatch: enabling patch '\(p)'" }
    @usableFromInline static func initializing(_ p: String, _ patched: Bool) -> String {
        "livepatch: '\(p)': initializing \(direction(patched)) transition"
    }
    @usableFromInline static func starting(_ p: String, _ patched: Bool) -> String {
        "livepatch: '\(p)': starting \(direction(patched)) transition"
    }
    @usableFromInline static func completing(_ p: String, _ patched: Bool) -> String {
        "livepatch: '\(p)': completing \(direction(patched)) transition"
    }
    @usableFromInline static func complete(_ p: String, _ patched: Bool) -> String {
        "livepatch: '\(p)': \(direction(patched)) complete"
    }
    @usableFromInline static func reversing(_ p: String, fromPatched: Bool) -> String {
        "livepatch: '\(p)': reversing transition from \(fromPatched ? "patching to unpatching" : "unpatching to patching")"
    }
    @usableFromInline static func canceling(_ p: String) -> String {
        "livepatch: '\(p)': canceling patching transition, going to unpatch"
    }
    @usableFromInline static func applying(_ p: String, _ m: String) -> String {
        "livepatch: applying patch '\(p)' to loading module '\(m)'"
    }
    @usableFromInline static func reverting(_ p: String, _ m: String) -> String {
        "livepatch: reverting patch '\(p)' on unloading module '\(m)'"
    }
    @usableFromInline static func prePatchFailed(_ o: String) -> String { "livepatch: pre-patch callback failed for object '\(o)'" }
    @usableFromInline static func enableFailed(_ p: String) -> String { "livepatch: failed to enable patch '\(p)'" }
    @usableFromInline static func refusing(_ p: String, _ m: String) -> String {
        "livepatch: patch '\(p)' failed for module '\(m)', refusing to load module '\(m)'"
    }
    @usableFromInline static func incompatible(_ p: String) -> String {
        "livepatch: Livepatch patch (\(p)) is not compatible with the already installed livepatches."
    }
    @usableFromInline static func patchFailed(_ o: String) -> String { "livepatch: failed to patch object '\(o)'" }
    @usableFromInline static func moduleFailed(_ p: String, _ m: String, _ errno: Int32) -> String {
        "livepatch: failed to apply patch '\(p)' to module '\(m)' (\(errno))"
    }
    @usableFromInline static let forcing = "livepatch: forcing remaining tasks to the patched state"

    @usableFromInline static func callback(_ p: String, _ kind: CallbackKind, target: String, moduleState: Int?) -> String {
        guard let moduleState else { return "\(p): \(kind.functionName): vmlinux" }
        return "\(p): \(kind.functionName): \(target) -> \(Self.moduleState(moduleState))"
    }
}
