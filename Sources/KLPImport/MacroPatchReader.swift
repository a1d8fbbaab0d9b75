import Livepatch

/// Turns the callback macros of a kpatch patch (`KPATCH_PRE_PATCH_CALLBACK`
/// and siblings) or of a klp-build source (`KLP_PRE_PATCH_CALLBACK` and
/// siblings) into a patch: one object per target, vmlinux unless a
/// `--module PATH_PREFIX=MODULE` hint names the module that builds the file.
struct MacroPatchReader {
    /// The options that decide the objects and `replace`.
    let options: ImportOptions
    private(set) var warnings: [ImportWarning] = []

    init(options: ImportOptions) { self.options = options }

    /// The patch of `input`, made of the macros of `sections` (one per changed file, each with its path).
    mutating func patch(input: String, sections: [(file: CSourceFile, path: String)]) -> ImportedPatch {
        var objects: [ImportedPatch.Object] = []
        var first: SourceLocation?
        for (file, path) in sections {
            for macro in file.macros {
                let location = file.location(macro.line, macro.column)
                if first == nil { first = location }
                let (target, note) = target(of: path)
                if objects.firstIndex(where: { $0.target == target }) == nil {
                    objects.append(ImportedPatch.Object(target: target, location: location, note: note, callbacks: []))
                }
                let index = objects.firstIndex(where: { $0.target == target })!
                if let earlier = objects[index].callbacks.first(where: { $0.kind == macro.callback }) {
                    warnings.append(
                        Diagnostic.importWarning(
                            location: location,
                            message: "a second \(macro.callback.token) callback for \(target) (the first, \(earlier.function), is at \(earlier.location.file):\(earlier.location.line)); skipped"))
                    continue
                }
                let analysis = CallbackAnalysis(function: macro.function, in: file, stateDataName: { "state_\($0)" })
                if !analysis.bodyFound {
                    warnings.append(
                        Diagnostic.importWarning(
                            location: location,
                            message: "the body of \(macro.function) is not in \(path) as the diff shows it; \(macro.callback == .prePatch ? "its pre_patch is written as always succeeding" : "nothing it does is suggested") (check)"))
                }
                objects[index].callbacks.append(
                    ImportedPatch.Callback(
                        kind: macro.callback, function: macro.function, location: location,
                        analysis: analysis.bodyFound ? analysis : nil, errnoMentions: file.errnoMentions))
            }
        }
        for index in objects.indices { objects[index].callbacks.sort { $0.kind.rawValue < $1.kind.rawValue } }
        let replaceNote =
            options.replace
            ? "kpatch builds cumulative (replace) modules by default; import with --no-replace if this one is built without"
            : "--no-replace: built as a non-cumulative module"
        return ImportedPatch(
            name: ImportNames.moduleName(ofFile: input), location: first ?? SourceLocation(file: input, line: 1, column: 1),
            nameNote: input == ImportNames.standardInput ? ImportNames.nameNote(ofFile: input) : "the file name", replace: options.replace, replaceNote: replaceNote, states: [], objects: objects)
    }

    /// The object that builds `path`: the module of the longest matching `--module` prefix, else vmlinux.
    private func target(of path: String) -> (String, String) {
        let matches = options.moduleHints.filter { path.hasPrefix($0.prefix) }
        if let best = matches.max(by: { $0.prefix.count < $1.prefix.count }) {
            return (best.module, "\(path) is in --module \(best.prefix)=\(best.module)")
        }
        return ("vmlinux", "check: \(path) is taken as built into vmlinux; if a module builds it, import with --module PATH_PREFIX=MODULE")
    }
}
