extension LivepatchEvent {
    /// What a user types for this event, or the kernel's own step, in words.
    public func command(in world: CompiledWorld, failed: ChoicePoint? = nil) -> String {
        let base: String
        switch self {
        case .moduleComing(let m):
            base = "insmod test_modules/\(world.moduleName(m)).ko: the COMING notifier runs (klp_module_coming)"
        case .moduleInit(let m):
            base = "insmod test_modules/\(world.moduleName(m)).ko: module_init runs, the module is LIVE"
        case .moduleExit(let m):
            base = "rmmod \(world.moduleName(m)): module_exit runs, the module is GOING"
        case .moduleGoing(let m):
            base = "rmmod \(world.moduleName(m)): the GOING notifier runs (klp_module_going)"
        case .loadPatch(let p): base = "insmod test_modules/\(world.patchName(p)).ko"
        case .disablePatch(let p): base = "echo 0 > /sys/kernel/livepatch/\(world.patchName(p))/enabled"
        case .enablePatch(let p): base = "echo 1 > /sys/kernel/livepatch/\(world.patchName(p))/enabled"
        case .unloadPatch(let p): base = "rmmod \(world.patchName(p))"
        case .forcePatch(let p): base = "echo 1 > /sys/kernel/livepatch/\(world.patchName(p))/force"
        case .complete: base = "the transition completes"
        case .switchTask(let task):
            base = world.symmetry ? "a task switches to the target state" : "task \(task + 1) switches to the target state"
        case .switchWorker(let w):
            base = "the worker of \(world.moduleName(Int(world.moduleOfWorker[w]))) switches to the target state"
        }
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
        var line: String
        switch self {
        case .moduleComing(let m): line = "step coming \(world.moduleName(m))"
        case .moduleInit(let m): line = "step init \(world.moduleName(m))"
        case .moduleExit(let m): line = "step exit \(world.moduleName(m))"
        case .moduleGoing(let m): line = "step going \(world.moduleName(m))"
        case .loadPatch(let p): line = "step load \(world.patchName(p))"
        case .disablePatch(let p): line = "step disable \(world.patchName(p))"
        case .enablePatch(let p): line = "step enable \(world.patchName(p))"
        case .unloadPatch(let p): line = "step unload \(world.patchName(p))"
        case .forcePatch(let p): line = "step force \(world.patchName(p))"
        case .complete: line = "step complete"
        case .switchTask(let task): line = world.symmetry ? "step switch task" : "step switch task \(task + 1)"
        case .switchWorker(let w): line = "step switch worker \(world.moduleName(Int(world.moduleOfWorker[w])))"
        }
        if let failed {
            let p = world.patch(ofObject: failed.object)
            let object = world.targetName(Int(world.targetOfObject[failed.object]))
            line += " fail \(failed.kind.rawValue) \(world.patchName(p)) \(object)"
        }
        return line
    }
}
