extension LivepatchEvent {
    /// The operand's name in a command: the module or patch, `task N` (`a
    /// task` with symmetry), or the worker's module; nil for no operand.
    func commandName(in world: CompiledWorld) -> String? {
        switch kind.operand {
        case .task: return world.symmetry ? "a task" : "task \(operand + 1)"
        default: return stepName(in: world)
        }
    }

    /// The operand as a `step` line names it: the module or patch, the
    /// task's number (none with symmetry), or the worker's module.
    func stepName(in world: CompiledWorld) -> String? {
        switch kind.operand {
        case .module: return world.moduleName(operand)
        case .patch: return world.patchName(operand)
        case .none: return nil
        case .task: return world.symmetry ? nil : "\(operand + 1)"
        case .worker: return world.moduleName(Int(world.moduleOfWorker[operand]))
        }
    }

    /// What a user types for this event, or the kernel's own step, in words.
    public func command(in world: CompiledWorld, failed: ChoicePoint? = nil) -> String {
        let template = kind.spelling.command
        let base = commandName(in: world).map { name in
            template.split(separator: "#", omittingEmptySubsequences: false).joined(separator: name)
        } ?? template
        guard let failed else { return base }
        let p = world.patch(ofObject: failed.object)
        let object = world.targetName(Int(world.targetOfObject[failed.object]))
        switch failed.kind {
        case .prePatch:
            let errno = Errno.name(world.prePatchErrno[failed.object])
            return base + " (pre_patch of \(world.patchName(p)) on \(object) returns \(errno))"
        case .patching:
            return base + " (patching \(world.patchName(p)) on \(object) fails with -EBUSY)"
        }
    }

    /// The scenario line that replays exactly this step.
    public func stepLine(in world: CompiledWorld, failed: ChoicePoint? = nil) -> String {
        var line = "step " + kind.token
        if let name = stepName(in: world) { line += " " + name }
        if let failed {
            let p = world.patch(ofObject: failed.object)
            let object = world.targetName(Int(world.targetOfObject[failed.object]))
            line += " fail \(failed.kind.rawValue) \(world.patchName(p)) \(object)"
        }
        return line
    }
}

extension CompiledWorld {
    /// The event of `kind` on the operand a `step` line names (the inverse
    /// of `LivepatchEvent.stepLine`), if the world has it.
    public func event(_ kind: EventKind, named name: String?) -> LivepatchEvent? {
        let operand: Int?
        switch kind.operand {
        case .module: operand = name.flatMap { name in world.modules.firstIndex { $0.name == name } }
        case .patch: operand = name.flatMap { name in world.patches.firstIndex { $0.name == name } }
        case .none: operand = name == nil ? 0 : nil
        case .task:
            guard let name else { return LivepatchEvent(kind, 0) }
            operand = Int(name).map { $0 - 1 }.flatMap { (0..<self.taskCount).contains($0) ? $0 : nil }
        case .worker:
            operand = name.flatMap { name in world.modules.firstIndex { $0.name == name } }
                .map { Int(self.workerOfModule[$0]) }.flatMap { $0 >= 0 ? $0 : nil }
        }
        return operand.map { LivepatchEvent(kind, $0) }
    }
}
