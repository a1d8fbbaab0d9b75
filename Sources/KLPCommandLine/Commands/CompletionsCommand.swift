import Livepatch

/// `klpcheck completions SHELL`: prints a completion script for bash, zsh or
/// fish, generated from the command specs that `--help` prints.
struct CompletionsCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "completions",
        abstract: "Print a shell completion script for bash, zsh or fish.",
        discussion: """
            The script completes the commands, each command's options, the values an option
            takes where they are known, and .klp models. Install it where the shell looks:
              bash: klpcheck completions bash > ~/.local/share/bash-completion/completions/klpcheck
              zsh:  klpcheck completions zsh > ~/.zfunc/_klpcheck  (with ~/.zfunc in fpath)
              fish: klpcheck completions fish > ~/.config/fish/completions/klpcheck.fish
            """,
        arguments: [
            ArgumentSpec("SHELL", help: "bash, zsh or fish.")
                .completing(.choices(CompletionScript.Shell.allCases.map(\.rawValue)))
        ])

    let shell: CompletionScript.Shell

    init(_ parsed: ParsedArguments, console: Console) throws {
        let name = parsed.positional(0) ?? ""
        guard let shell = CompletionScript.Shell(rawValue: name) else {
            throw CommandFailure(
                "unknown shell '\(name)'; shells: \(CompletionScript.Shell.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.shell = shell
    }

    func run(console: Console) throws -> ExitStatus {
        console.out(CompletionScript.render(KLPCheck.program, for: shell))
        return .holds
    }
}
