import Livepatch

/// Turns the declarations of a livepatch module written against the kernel
/// API (`klp_object`, `klp_state` and `klp_patch` initializers) into a patch.
struct ModuleSourceReader {
    private var file: CSourceFile
    private(set) var warnings: [ImportWarning] = []

    init(_ file: CSourceFile) { self.file = file }

    private mutating func warn(_ line: Int, _ column: Int, _ message: String) {
        warnings.append(Diagnostic.importWarning(location: file.location(line, column), message: message))
    }

    /// The patch of the file (which has a `klp_patch` or a `klp_object` array).
    mutating func patch() -> ImportedPatch {
        let declaration = file.patches.first
        for extra in file.patches.dropFirst() {
            warn(extra.line, extra.column, "a second klp_patch '\(extra.name)'; only '\(declaration!.name)' is imported")
        }
        // The patch's name: the module's.
        let (name, nameNote) = patchName()
        var location = file.location(1, 1)
        var replace = false
        var replaceNote: String?
        var objectArray = file.objectArrays.first
        var stateArray: CSourceFile.Declaration?
        if let declaration {
            location = file.location(declaration.line, declaration.column)
            if let objs = declaration.initializer.field("objs") {
                objectArray = array(objs, in: file.objectArrays, what: "objs")
            } else {
                warn(declaration.line, declaration.column, "klp_patch '\(declaration.name)' has no .objs")
                objectArray = nil
            }
            if let states = declaration.initializer.field("states") {
                stateArray = array(states, in: file.stateArrays, what: "states")
            }
            if let entry = declaration.initializer.field("replace"), case .expression(let tokens) = entry.value {
                if let value = file.integer(tokens) {
                    replace = value != 0
                    replaceNote = ".replace = \(CallbackAnalysis.text(tokens)) at \(file.path):\(entry.line)"
                } else {
                    warn(entry.line, entry.column, "cannot read .replace = \(CallbackAnalysis.text(tokens)); written without 'replace' (check)")
                    replaceNote = "check: .replace = \(CallbackAnalysis.text(tokens)) at \(file.path):\(entry.line) is not a constant; written without replace"
                }
            }
        } else if let first = objectArray {
            warn(first.line, first.column, "no klp_patch in the file; the patch is made of the objects of '\(first.name)'")
            for extra in file.objectArrays.dropFirst() {
                warn(extra.line, extra.column, "klp_object array '\(extra.name)' is not imported (no klp_patch names it)")
            }
        }
        if let declaration, let assignment = runtimeReplace(of: declaration.name) {
            // As test_klp_callbacks_demo2.c does from a module parameter: the initializer is not the whole story.
            warn(assignment.line, assignment.column, "\(declaration.name).replace is set at run time; written \(replace ? "with" : "without") 'replace' as the initializer says (check)")
            replaceNote = (replaceNote.map { $0 + "; " } ?? "") + "check: .replace is also set at run time at \(file.path):\(assignment.line)"
        }
        var states: [ImportedPatch.State] = []
        if let stateArray { states = readStates(stateArray) }
        var names: [Int: String] = [:]
        for state in states { names[state.id] = state.dataName }
        var objects: [ImportedPatch.Object] = []
        if let objectArray { objects = readObjects(objectArray, stateDataName: { [names] id in names[id] ?? "state_\(id)" }) }
        return ImportedPatch(
            name: name, location: location, nameNote: nameNote, replace: replace, replaceNote: replaceNote, states: states,
            objects: objects)
    }

    /// The first `PATCH.replace = ...` in a function body, if any.
    private func runtimeReplace(of patch: String) -> CToken? {
        for function in file.functions.values.sorted(by: { ($0.line, $0.column) < ($1.line, $1.column) }) {
            for statement in CallbackAnalysis.statements(function.body)
            where statement.count > 3 && statement[0].is(patch) && statement[1].is(".") && statement[2].is("replace") && statement[3].is("=") {
                return statement[0]
            }
        }
        return nil
    }

    /// `LIVEPATCH_NAME` or `KBUILD_MODNAME` when defined, else the file's name as kbuild makes a module name.
    private func patchName() -> (String, String) {
        for macro in ["LIVEPATCH_NAME", "KBUILD_MODNAME"] {
            if let define = file.defines[macro], let text = file.string(define.value) {
                return (ImportNames.sanitized(text), "\(macro) at \(file.path):\(define.line)")
            }
        }
        return (ImportNames.moduleName(ofFile: file.path), ImportNames.nameNote(ofFile: file.path))
    }

    /// The array an `.objs`/`.states` value names.
    private mutating func array(
        _ entry: CInitializer.Entry, in arrays: [CSourceFile.Declaration], what: String
    ) -> CSourceFile.Declaration? {
        guard case .expression(let tokens) = entry.value else { return nil }
        let named = tokens.filter { $0.kind == .identifier }.last
        if let named, let found = arrays.first(where: { $0.name == named.text }) { return found }
        warn(entry.line, entry.column, "cannot find the array .\(what) = \(CallbackAnalysis.text(tokens)) names; no \(what) imported")
        return nil
    }

    private mutating func readStates(_ array: CSourceFile.Declaration) -> [ImportedPatch.State] {
        var states: [ImportedPatch.State] = []
        for entry in array.initializer.entries where !entry.value.isEmptyList {
            guard case .list = entry.value else {
                warn(entry.line, entry.column, "cannot read this klp_state entry; skipped")
                continue
            }
            guard let idEntry = entry.value.field("id"), case .expression(let idTokens) = idEntry.value,
                let id = file.integer(idTokens), id >= 0
            else {
                warn(entry.line, entry.column, "cannot read the .id of this klp_state; skipped")
                continue
            }
            var version = 0
            if let versionEntry = entry.value.field("version"), case .expression(let tokens) = versionEntry.value {
                if let value = file.integer(tokens), value >= 0, value <= Int(UInt32.max) {
                    version = value
                } else {
                    warn(versionEntry.line, versionEntry.column, "cannot read .version = \(CallbackAnalysis.text(tokens)); written as version 0 (check)")
                }
            }
            if states.contains(where: { $0.id == id }) {
                warn(entry.line, entry.column, "a second klp_state with id \(id); skipped")
                continue
            }
            let dataName: String
            if idTokens.count == 1, idTokens[0].kind == .identifier {
                dataName = ImportNames.sanitized(idTokens[0].text.lowercased())
            } else {
                dataName = "state_\(id)"
            }
            states.append(ImportedPatch.State(id: id, version: version, location: file.location(entry.line, entry.column), dataName: dataName))
        }
        return states
    }

    private mutating func readObjects(_ array: CSourceFile.Declaration, stateDataName: @escaping (Int) -> String) -> [ImportedPatch.Object] {
        var objects: [ImportedPatch.Object] = []
        for entry in array.initializer.entries where !entry.value.isEmptyList {
            guard case .list = entry.value else {
                warn(entry.line, entry.column, "cannot read this klp_object entry; skipped")
                continue
            }
            var target = "vmlinux"
            var location = file.location(entry.line, entry.column)
            if let nameEntry = entry.value.field("name"), case .expression(let tokens) = nameEntry.value {
                location = file.location(nameEntry.line, nameEntry.column)
                if let text = file.string(tokens) {
                    target = text
                } else if !(file.expand(tokens).count == 1 && file.expand(tokens)[0].is("NULL")) {
                    warn(nameEntry.line, nameEntry.column, "cannot read .name = \(CallbackAnalysis.text(tokens)); object skipped")
                    continue
                }
            }
            if target != "vmlinux" && !ImportNames.isValid(target) {
                warn(location.line, location.column, "object name '\(target)' is not a .klp name; object skipped")
                continue
            }
            if objects.contains(where: { $0.target == target }) {
                warn(location.line, location.column, "a second object for '\(target)'; skipped")
                continue
            }
            var callbacks: [ImportedPatch.Callback] = []
            for kind in CallbackKind.allCases {
                guard let field = entry.value.field(["callbacks", kind.token]), case .expression(let tokens) = field.value else { continue }
                let names = tokens.filter { $0.kind == .identifier }
                guard names.count == 1, tokens.allSatisfy({ $0.kind == .identifier || $0.is("&") }) else {
                    warn(field.line, field.column, "cannot read .\(kind.token) = \(CallbackAnalysis.text(tokens)); callback skipped")
                    continue
                }
                if names[0].is("NULL") { continue }
                let analysis = CallbackAnalysis(function: names[0].text, in: file, stateDataName: stateDataName)
                if !analysis.bodyFound {
                    warn(names[0].line, names[0].column, "the body of \(names[0].text) is not in the file; \(kind == .prePatch ? "its pre_patch is written as always succeeding" : "nothing it does is suggested") (check)")
                }
                callbacks.append(
                    ImportedPatch.Callback(
                        kind: kind, function: names[0].text, location: file.location(field.line, field.column),
                        analysis: analysis.bodyFound ? analysis : nil, errnoMentions: file.errnoMentions))
            }
            var replaced: [String]?
            if let funcs = entry.value.field("funcs"), case .expression(let tokens) = funcs.value,
                let name = tokens.last(where: { $0.kind == .identifier }),
                let array = file.functionArrays.first(where: { $0.name == name.text })
            {
                replaced = array.initializer.entries.compactMap { function in
                    guard let old = function.value.field("old_name"), case .expression(let t) = old.value else { return nil }
                    return file.string(t)
                }
            }
            objects.append(
                ImportedPatch.Object(
                    target: target, location: location, note: target == "vmlinux" ? ".name = NULL" : nil, callbacks: callbacks,
                    replacedFunctions: replaced))
        }
        return objects
    }
}
