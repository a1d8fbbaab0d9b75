import Livepatch

/// Writes imported patches as `.klp` text: deterministic, a header with the
/// command, a `FILE:LINE` comment at every line saying where it came from,
/// `check all` and `expect pass`; author-contract suggestions commented out.
struct KLPWriter {
    let patches: [ImportedPatch]
    let command: String

    /// The model.
    var text: String {
        var lines: [String] = [
            "# Written by: \(VisibleText.escape(command))",
            "# Each line ends with the FILE:LINE it comes from; confirm every line marked",
            "# \"check:\". The commented \"# data\", \"# setting\", \"# state ... carries\" and",
            "# \"# on\" lines are author-contract suggestions read from the callbacks'",
            "# bodies: confirm each before uncommenting it. Then: klpcheck verify FILE.",
            "",
            "tasks 2  # klpcheck's default (not in the source)",
            "force off  # klpcheck's default (not in the source)",
        ]
        // Modules, in order of first use.
        var modules: [(String, SourceLocation, [String]?)] = []
        for patch in patches {
            for object in patch.objects where object.target != "vmlinux" {
                if let index = modules.firstIndex(where: { $0.0 == object.target }) {
                    if let more = object.replacedFunctions {
                        modules[index].2 = (modules[index].2 ?? []) + more.filter { !(modules[index].2 ?? []).contains($0) }
                    }
                } else {
                    modules.append((object.target, object.location, object.replacedFunctions))
                }
            }
        }
        if !modules.isEmpty { lines.append("") }
        for (name, location, replaced) in modules {
            let busy: String
            switch replaced {
            case .some(let names) where names.isEmpty:
                busy = "no function of it is replaced"
            case .some(let names):
                busy = "check: add 'busy' if a task can sleep in \(names.joined(separator: ", ")), which the patch replaces"
            case .none:
                busy = "check: add 'busy' if a task can sleep in a function the patch replaces"
            }
            lines.append("module \(name)  # \(at(location)) (\(busy))")
        }
        let suggestions = contractDeclarations()
        if !suggestions.isEmpty {
            lines.append("")
            lines += suggestions
        }
        for patch in patches {
            lines.append("")
            lines += patchLines(patch)
        }
        lines.append("")
        lines.append("check all  # not in the source: every property")
        lines.append("expect pass  # not in the source: the verdict the gate requires")
        // Notes quote paths and source text: no control character in them
        // may end a comment line early or reach a terminal raw.
        return lines.map(VisibleText.escape).joined(separator: "\n") + "\n"
    }

    private func at(_ location: SourceLocation) -> String { "\(VisibleText.escape(location.file)):\(location.line)" }

    private func at(_ file: String, _ line: Int) -> String { "\(VisibleText.escape(file)):\(line)" }

    /// Every analysis, with its callback, in output order.
    private var analyses: [(ImportedPatch.Callback, CallbackAnalysis)] {
        patches.flatMap { $0.objects.flatMap { $0.callbacks.compactMap { c in c.analysis.map { (c, $0) } } } }
    }

    /// `# data` and `# setting` suggestions over all patches, in order of first use.
    private func contractDeclarations() -> [String] {
        var data: [(name: String, allocated: Bool, origin: String)] = []
        var settings: [(name: String, values: [String], origin: String)] = []
        for (callback, analysis) in analyses {
            let file = callback.location.file
            for item in analysis.data {
                let origin = analysis.actions.first { $0.text.hasSuffix(" " + item.name) || $0.text.hasSuffix("in " + item.name) }
                if let index = data.firstIndex(where: { $0.name == item.name }) {
                    data[index].allocated = data[index].allocated || item.allocated
                } else {
                    data.append((item.name, item.allocated, origin.map { at(file, $0.line) } ?? at(callback.location)))
                }
            }
            for item in analysis.settings {
                let origin = analysis.actions.first { $0.text.contains(" \(item.name)=") || $0.text.contains(" \(item.name) ") || $0.text.hasPrefix("set \(item.name)=") }
                if let index = settings.firstIndex(where: { $0.name == item.name }) {
                    for value in item.values where !settings[index].values.contains(value) { settings[index].values.append(value) }
                } else {
                    settings.append((item.name, item.values, origin.map { at(file, $0.line) } ?? at(callback.location)))
                }
            }
        }
        var lines: [String] = []
        for item in data {
            let kind = item.allocated ? "allocated by the callbacks" : "static: storage in the patch module, never allocated by the callbacks"
            lines.append("# data \(item.name)\(item.allocated ? "" : " static")  # \(item.origin): \(kind)")
        }
        for item in settings {
            lines.append(
                "# setting \(item.name) boot\(item.values.map { " " + $0 }.joined())  # \(item.origin) (check: 'boot' stands for its value at boot)")
        }
        return lines
    }

    private func patchLines(_ patch: ImportedPatch) -> [String] {
        var lines: [String] = []
        var head = "patch \(patch.name)\(patch.replace ? " replace" : "")  # \(at(patch.location)): named after \(patch.nameNote)"
        if let note = patch.replaceNote { head += "; \(note)" }
        lines.append(head)
        let usedData = Set(analyses.flatMap { $0.1.data.map(\.name) })
        for state in patch.states {
            lines.append("  state \(state.id) version \(state.version)  # \(at(state.location))")
            if usedData.contains(state.dataName) {
                lines.append("  # state \(state.id) version \(state.version) carries \(state.dataName)  # \(at(state.location)): with the contracts, instead of the line above")
            }
        }
        for object in patch.objects {
            let callbacks = object.callbacks.map { token(of: $0) }
            var line = "  object \(object.target):\(callbacks.isEmpty ? "" : " " + callbacks.joined(separator: " "))  # \(at(object.location))"
            if let note = object.note { line += ": \(note)" }
            if object.callbacks.isEmpty { line += " (no callbacks)" }
            lines.append(line)
            for callback in object.callbacks {
                lines += notes(for: callback)
            }
            for callback in object.callbacks {
                guard let analysis = callback.analysis else { continue }
                for action in analysis.actions {
                    lines.append("    # on \(callback.kind.token): \(action.text)  # \(at(callback.location.file, action.line)): \(VisibleText.escape(action.source))")
                }
            }
        }
        return lines
    }

    /// The callback's `.klp` token: `pre_patch(may-fail ERRNO)` when it can fail.
    private func token(of callback: ImportedPatch.Callback) -> String {
        guard callback.kind == .prePatch, let errno = chosenErrno(callback) else { return callback.kind.token }
        return "pre_patch(may-fail \(errno.token))"
    }

    /// The errno written for a pre_patch that can fail, and why.
    private func chosenErrno(_ callback: ImportedPatch.Callback) -> (token: String, why: String)? {
        guard let failures = callback.analysis?.failures, !failures.isEmpty else { return nil }
        if let named = failures.first(where: { $0.errno != nil }) {
            return (ErrnoTable.token(named.errno!, name: named.name), "the first error it returns")
        }
        if let mention = callback.errnoMentions.first, let value = ErrnoTable.value(of: mention.text) {
            return (
                ErrnoTable.token(-value, name: mention.text),
                "the errno the source names at \(at(callback.location.file, mention.line)) (check)"
            )
        }
        return ("-EINVAL", "check: the source names no errno; -EINVAL stands for any non-zero value")
    }

    /// Comments under the object line: why pre_patch may fail, and `klp_get_prev_state()` queries.
    private func notes(for callback: ImportedPatch.Callback) -> [String] {
        guard let analysis = callback.analysis else { return [] }
        var lines: [String] = []
        let file = callback.location.file
        if callback.kind == .prePatch, let chosen = chosenErrno(callback) {
            var reasons: [String] = []
            for failure in analysis.failures {
                let reason = "\(VisibleText.escape(failure.reason)) (\(at(file, failure.line)))"
                if !reasons.contains(reason) { reasons.append(reason) }
            }
            lines.append("    # pre_patch: \(callback.function) can fail: \(reasons.joined(separator: "; "))")
            lines.append("    #   written as \(chosen.token), \(chosen.why)")
        }
        if let query = analysis.previousStateQuery {
            lines.append(
                "    # check: \(callback.kind.token): \(callback.function) asks klp_get_prev_state() (\(at(file, query.line))); its actions may need if-prev ID or unless-prev ID")
        }
        return lines
    }
}
