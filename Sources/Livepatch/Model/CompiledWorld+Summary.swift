import KLPEngine

extension CompiledWorld {
    /// The world in one line: patches, modules, tasks, force, core,
    /// symmetry and the state's width, then data and settings if declared.
    public var summary: String {
        let source = world
        let patches = source.patches.map { patch in
            "\(patch.name) (\(patch.replace ? "replace, " : "")\(patch.objects.count) object\(patch.objects.count == 1 ? "" : "s"))"
        }
        let modules = source.modules.map { $0.busy ? "\($0.name) (busy)" : $0.name }
        return "patches: \(patches.joined(separator: ", ")); modules: \(modules.isEmpty ? "none" : modules.joined(separator: ", ")); "
            + "tasks: \(source.tasks); force: \(source.force ? "on" : "off"); core: \(source.core.rawValue); "
            + "symmetry: \(self.symmetry ? "on" : "off"); state: \(self.bitCount) bits in \(self.wordCount) word\(self.wordCount == 1 ? "" : "s")"
            + (source.hasContracts ? "; " + contractSummary : "")
            + (interchangeableModules.isEmpty
                ? "" : "; reduction: module symmetry over " + interchangeableModules.map { "{\($0.joined(separator: ", "))}" }.joined(separator: ", "))
            + (mergedModules.isEmpty ? "" : "; insmod and rmmod as one step each: " + mergedModules.joined(separator: ", "))
            + (mergesRetirement ? "; a retired patch's module is removed as it retires" : "")
    }

    /// Data and settings, for worlds that declare them.
    var contractSummary: String {
        let source = world
        let data = source.data.map { $0.isStatic ? "\($0.name) (static)" : $0.name }
        let settings = source.settings.map { setting in
            setting.owner.map { "\(setting.name) (in \(source.modules[$0].name))" } ?? setting.name
        }
        return "data: \(data.isEmpty ? "none" : data.joined(separator: ", ")); settings: \(settings.isEmpty ? "none" : settings.joined(separator: ", "))"
    }

    /// The state in words, leaving out what is at rest: unloaded modules
    /// and patches, an empty list.
    public func describe<State: PackedState>(_ state: State) -> [String] {
        facts(of: state).filter { fact in
            !(fact.value == "UNLOADED" || fact.value == "unloaded" || fact.subject == "list" && fact.value == "[]")
        }.map(\.text)
    }
}
