import KLPImport
import Livepatch

/// `klpcheck import SOURCE...`: a `.klp` world from livepatch module sources or kpatch patches.
struct ImportCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "import",
        abstract: "Write the .klp world of livepatch module sources (C) or kpatch patches (unified diffs).",
        discussion: """
            Reads the klp_object, klp_state and klp_patch declarations of a livepatch module, or the
            KPATCH_*_CALLBACK / KLP_*_CALLBACK macros of a kpatch patch, and writes the .klp world
            they declare, with the source FILE:LINE at every line, 'check all' and 'expect pass'.
            Several files make several patches, in the order given. A pre_patch that can return an
            error becomes pre_patch(may-fail ERRNO); what a callback plainly allocates, frees, saves,
            sets or restores is written as commented author-contract suggestions. What cannot be
            read is a FILE:LINE:COL warning on standard error; a file with no klp_patch, no
            klp_object and no callback macro is bad input. Then: klpcheck verify the result.
            """,
        arguments: [ArgumentSpec("SOURCE...", help: "Livepatch module sources (.c) or kpatch patches (unified diffs); - for standard input.", isVariadic: true)],
        options: [
            .output("--output", "FILE", .file, help: "Write the model to FILE instead of standard output ('-': standard output)."),
            .value(
                "--module", "PATH_PREFIX=MODULE",
                help: "Files of a patch under PATH_PREFIX are built by MODULE (default: vmlinux, with a comment).",
                repeatable: true),
            .flag("--no-replace", help: "kpatch patches are not cumulative: write them without 'replace'."),
        ])

    let paths: [String]
    let output: String?
    let options: ImportOptions

    init(_ parsed: ParsedArguments, console: Console) throws {
        paths = parsed.positionals
        output = parsed.value("--output")
        if let output {
            do { try OutputFile.check(file: output) } catch { throw CommandFailure.output(error) }
            try OutputFile.checkDistinct(outputs: [("--output", output)], inputs: paths.map { ("a source", $0) })
        }
        let hints = try parsed.all("--module").map { hint -> (prefix: String, module: String) in
            guard let equals = hint.firstIndex(of: "="), equals != hint.startIndex,
                hint.index(after: equals) != hint.endIndex
            else {
                throw CommandFailure("malformed --module '\(hint)'; expected PATH_PREFIX=MODULE, as drivers/net/foo/=foo")
            }
            return (String(hint[..<equals]), String(hint[hint.index(after: equals)...]))
        }
        var words = ["klpcheck", "import"]
        words += hints.map { "--module \($0.prefix)=\($0.module)" }
        if parsed.flags.contains("--no-replace") { words.append("--no-replace") }
        words += paths
        options = ImportOptions(moduleHints: hints, replace: !parsed.flags.contains("--no-replace"), command: words.joined(separator: " "))
    }

    func run(console: Console) throws -> ExitStatus {
        let result: ImportResult
        do {
            result = try LivepatchImporter.importFiles(paths, options: options)
        } catch {
            for warning in error.warnings { console.err(warning.description + "\n") }
            throw CommandFailure.diagnostics(
                error.description + "\nklpcheck: \(error.diagnostics.count) error(s); nothing imported")
        }
        for warning in result.warnings { console.err(warning.description + "\n") }
        do {
            try OutputFile.write(result.text, to: output ?? OutputFile.standardOutput, console: console)
        } catch {
            throw CommandFailure.output(error)
        }
        return .holds
    }
}
