/// The insmod-time flags a scenario gives, by patch or module name, with
/// the line that first gave each.
struct InsmodFlags {
    /// `replace=0|1` of patch modules.
    var replace: [String: (Bool, SourceLocation)] = [:]
    /// `block_transition=Y|N` of target modules.
    var busy: [String: (Bool, SourceLocation)] = [:]
}

/// Checks a scenario's lines against a world before anything runs: every
/// name it uses, every insmod parameter, every step's operand and failing
/// choice point. Collects every problem, and the insmod-time flags.
struct ScenarioValidation {
    let world: World
    let patches: Set<String>
    let modules: Set<String>
    /// The problems found so far, in line order.
    private(set) var diagnostics: [Diagnostic] = []
    /// The insmod-time flags found so far.
    private(set) var flags = InsmodFlags()

    init(world: World) {
        self.world = world
        patches = Set(world.patches.map(\.name))
        modules = Set(world.modules.map(\.name))
    }

    /// Checks one line.
    mutating func check(_ line: ScenarioLine) {
        switch line.command {
        case .insmod(let name, let parameters):
            if patches.contains(name) {
                checkPatchParameters(parameters, of: name, at: line.location)
            } else if modules.contains(name) {
                checkModuleParameters(parameters, of: name, at: line.location)
            } else {
                unknown(name, line.location)
            }
        case .rmmod(let name):
            if !patches.contains(name) && !modules.contains(name) { unknown(name, line.location) }
        case .writeEnabled(let patch, _), .writePrePatchReturn(let patch, _):
            if !patches.contains(patch) { unknown(patch, line.location, patchOnly: true) }
        case .writeForce(let patch):
            if !patches.contains(patch) { unknown(patch, line.location, patchOnly: true) }
            if !world.force { error(line.location, "the model has 'force off'; declare 'force on' to write to force") }
        case .step(let step):
            checkStep(step, at: line.location)
        }
    }

    /// `pre_patch_ret=` and `replace=` of a patch module.
    private mutating func checkPatchParameters(_ parameters: [String: String], of name: String, at location: SourceLocation) {
        for (key, value) in parameters {
            switch key {
            case "pre_patch_ret":
                if Int32(value).map({ $0 > 0 }) ?? true {
                    error(location, "pre_patch_ret must be 0 or a negative errno, got \(VisibleText.quoted(value))")
                }
            case "replace":
                guard value == "0" || value == "1" else {
                    error(location, "replace must be 0 or 1, got \(VisibleText.quoted(value))")
                    continue
                }
                remember(\.replace, name, value == "1", location, "replace")
            default:
                error(location, "unknown parameter \(VisibleText.quoted(key)) for patch \(VisibleText.quoted(name)); expected pre_patch_ret or replace")
            }
        }
    }

    /// `block_transition=` of a target module.
    private mutating func checkModuleParameters(_ parameters: [String: String], of name: String, at location: SourceLocation) {
        for (key, value) in parameters {
            guard key == "block_transition" else {
                error(location, "unknown parameter \(VisibleText.quoted(key)) for module \(VisibleText.quoted(name)); expected block_transition")
                continue
            }
            guard let busy = ["Y": true, "y": true, "1": true, "N": false, "n": false, "0": false][value] else {
                error(location, "block_transition must be Y or N, got \(VisibleText.quoted(value))")
                continue
            }
            remember(\.busy, name, busy, location, "block_transition")
        }
    }

    /// A step must name what its kind acts on (a module, a patch, a task or
    /// a busy module's worker), and fail only a choice point that can fail.
    private mutating func checkStep(_ step: ScenarioStep, at location: SourceLocation) {
        let name = step.operand ?? ""
        switch step.kind.operand {
        case .module:
            if !modules.contains(name) {
                error(
                    location,
                    "'step \(step.kind.token)' takes a module; \(VisibleText.quoted(name)) is not one (declared modules: \(world.modules.map(\.name).joined(separator: ", ")))")
            }
        case .patch:
            if !patches.contains(name) { unknown(name, location, patchOnly: true) }
            if step.kind == .forcePatch && !world.force {
                error(location, "the model has 'force off'; declare 'force on' to force")
            }
        case .worker:
            if !world.modules.contains(where: { $0.name == name && $0.busy }) {
                error(location, "\(VisibleText.quoted(name)) is not a busy module of the model")
            }
        case .task:
            if let text = step.operand, Int(text).map({ !(1...world.tasks).contains($0) }) ?? true {
                error(location, "task \(VisibleText.quoted(text)) does not exist; expected a number from 1 to \(world.tasks)")
            }
        case .none:
            break
        }
        if let failure = step.failure { checkFailure(failure, at: location) }
    }

    /// `fail pre_patch|patching PATCH OBJECT`: an object of the patch whose outcome is open.
    private mutating func checkFailure(
        _ failure: (kind: ChoicePoint.Kind, patch: String, target: String), at location: SourceLocation
    ) {
        guard let p = world.patches.firstIndex(where: { $0.name == failure.patch }) else {
            unknown(failure.patch, location, patchOnly: true)
            return
        }
        guard let object = world.patches[p].objects.first(where: { ScenarioRunner.objectName($0.target, in: world) == failure.target })
        else {
            error(location, "patch \(VisibleText.quoted(failure.patch)) has no object \(VisibleText.quoted(failure.target))")
            return
        }
        let canFail: Bool
        switch failure.kind {
        case .prePatch: if case .mayFail = object.prePatch { canFail = true } else { canFail = false }
        case .patching: canFail = object.patchingMayFail
        }
        if !canFail {
            error(
                location,
                "\(failure.kind.rawValue) of \(VisibleText.quoted(failure.patch)) on \(VisibleText.quoted(failure.target)) cannot fail in the model; declare it may-fail")
        }
    }

    private mutating func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(location: location, message: message))
    }

    private mutating func unknown(_ name: String, _ location: SourceLocation, patchOnly: Bool = false) {
        let known = (world.patches.map(\.name) + (patchOnly ? [] : world.modules.map(\.name))).joined(separator: ", ")
        error(location, "\(VisibleText.quoted(name)) is not a \(patchOnly ? "patch" : "patch or module") of the model; declared: \(known)")
    }

    /// Keeps the first value a scenario gives a flag; a different value later is an error.
    private mutating func remember(
        _ table: WritableKeyPath<InsmodFlags, [String: (Bool, SourceLocation)]>, _ name: String, _ value: Bool,
        _ location: SourceLocation, _ what: String
    ) {
        if let (earlier, at) = flags[keyPath: table][name], earlier != value {
            error(
                location,
                "\(VisibleText.quoted(name)) is loaded with \(what)=\(value ? 1 : 0) here and \(what)=\(earlier ? 1 : 0) at \(at.line):\(at.column); a scenario needs one value")
        } else {
            flags[keyPath: table][name] = (value, location)
        }
    }
}
