import Livepatch

/// How to import: the `--module` hints, `replace` for kpatch patches, and
/// the command line written in the header.
public struct ImportOptions: Sendable {
    /// `--module PATH_PREFIX=MODULE`: files under the prefix are built by the module.
    public var moduleHints: [(prefix: String, module: String)]
    /// Whether kpatch patches are cumulative (`replace`); `--no-replace` turns it off.
    public var replace: Bool
    /// The command that produced the model, for the header comment.
    public var command: String

    /// Creates options.
    public init(moduleHints: [(prefix: String, module: String)] = [], replace: Bool = true, command: String) {
        self.moduleHints = moduleHints
        self.replace = replace
        self.command = command
    }
}

/// A `.klp` model made from livepatch sources, with the warnings met on the way.
public struct ImportResult: Sendable {
    /// The model's text.
    public var text: String
    /// What could not be read, or needs the author's eye, in input order.
    public var warnings: [ImportWarning]
}

/// `klpcheck import`: reads livepatch module sources (C against the kernel
/// API) and kpatch patches (unified diffs), one patch per input in the order
/// given, and writes the `.klp` world they declare.
public enum LivepatchImporter {
    /// Reads and imports the files at `paths` (`-`: standard input, named `<stdin>`).
    public static func importFiles(_ paths: [String], options: ImportOptions) throws(ImportFailure) -> ImportResult {
        var inputs: [(path: String, text: String)] = []
        var errors: [Diagnostic] = []
        for path in paths {
            let name = path == "-" ? ImportNames.standardInput : path
            let read =
                path == "-"
                ? SourceFile.bytesOfStandardInput(what: "source on standard input")
                : SourceFile.bytes(atPath: path, what: "source file")
            switch read {
            case .success(let bytes): inputs.append((name, String(decoding: bytes, as: UTF8.self)))
            case .failure(let problem):
                errors.append(Diagnostic(location: SourceLocation(file: name, line: 1, column: 1), message: problem.message))
            }
        }
        if !errors.isEmpty { throw ImportFailure(diagnostics: errors) }
        return try importTexts(inputs, options: options)
    }

    /// Imports texts already read; `path` names each in positions.
    public static func importTexts(_ inputs: [(path: String, text: String)], options: ImportOptions) throws(ImportFailure) -> ImportResult {
        var warnings: [ImportWarning] = []
        var errors: [Diagnostic] = []
        var patches: [ImportedPatch] = []
        for (path, text) in inputs {
            // Each input's warnings in file order.
            let before = warnings.count
            defer { warnings[before...].sort { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) } }
            // "\r\n" is one Character: split on it too, so CRLF files have lines.
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            if UnifiedDiff.looksLikeDiff(lines) {
                let diff = UnifiedDiff(lines)
                let sections = diff.files.map { (file: CSourceFile(path: path, chunks: $0.hunks, partial: true), path: $0.path) }
                warnings += sections.flatMap(\.file.warnings)
                guard sections.contains(where: { !$0.file.macros.isEmpty }) else {
                    errors.append(nothingFound(path, diff: true))
                    continue
                }
                var reader = MacroPatchReader(options: options)
                patches.append(reader.patch(input: path, sections: sections))
                warnings += reader.warnings
                continue
            }
            let sourceLines = lines.enumerated().map { CLexer.SourceLine(text: String($0.element), line: $0.offset + 1, columnOffset: 0) }
            let file = CSourceFile(path: path, lines: sourceLines)
            warnings += file.warnings
            guard file.hasLivepatchDeclarations else {
                errors.append(nothingFound(path, diff: false))
                continue
            }
            if file.patches.isEmpty && file.objectArrays.isEmpty {
                var reader = MacroPatchReader(options: options)
                patches.append(reader.patch(input: path, sections: [(file, path)]))
                warnings += reader.warnings
            } else {
                var reader = ModuleSourceReader(file)
                let patch = reader.patch()
                warnings += reader.warnings
                guard !patch.objects.isEmpty else {
                    // A .klp patch needs an object; none could be read.
                    errors.append(
                        Diagnostic(
                            location: patch.location,
                            message: "patch '\(patch.name)' has no klp_object that could be read; nothing to import"))
                    continue
                }
                patches.append(patch)
                if let macro = file.macros.first {
                    warnings.append(
                        Diagnostic.importWarning(
                            location: file.location(macro.line, macro.column),
                            message: "\(macro.macro) in a file with klp_object declarations; the macros are not imported"))
                }
            }
        }
        if !errors.isEmpty { throw ImportFailure(diagnostics: errors, warnings: warnings) }
        dedupeNames(&patches, warnings: &warnings)
        let text = KLPWriter(patches: patches, command: options.command).text
        do {
            _ = try ModelParser.parse(text, file: "<imported model>")
        } catch {
            throw ImportFailure(
                diagnostics: error.diagnostics.map {
                    Diagnostic(location: $0.location, message: "the imported model is not valid .klp: \($0.message)")
                }, warnings: warnings)
        }
        return ImportResult(text: text, warnings: warnings)
    }

    private static func nothingFound(_ path: String, diff: Bool) -> Diagnostic {
        let what =
            diff
            ? "no callback macro (KPATCH_PRE_PATCH_CALLBACK, KLP_PRE_PATCH_CALLBACK and their siblings) in the diff's added lines"
            : "no klp_patch, no klp_object and no callback macro (KPATCH_*_CALLBACK, KLP_*_CALLBACK) found"
        return Diagnostic(location: SourceLocation(file: path, line: 1, column: 1), message: "\(what); nothing to import")
    }

    /// Two inputs with the same module name: the later ones get `_2`, `_3`.
    private static func dedupeNames(_ patches: inout [ImportedPatch], warnings: inout [ImportWarning]) {
        var used: Set<String> = []
        for index in patches.indices {
            let base = patches[index].name
            var name = base
            var counter = 2
            while used.contains(name) {
                name = "\(base)_\(counter)"
                counter += 1
            }
            if name != base {
                warnings.append(
                    Diagnostic.importWarning(location: patches[index].location, message: "a second patch named '\(base)'; written as '\(name)'"))
                patches[index].name = name
                patches[index].nameNote += "; renamed from \(base), taken by an earlier input"
            }
            used.insert(name)
        }
    }
}
