/// `klpcheck help [COMMAND]`: the help of klpcheck or of a command, or with
/// `--man` the manual page, all from the same command specs.
struct HelpCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "help",
        abstract: "Show the help of klpcheck or of a command, or print the manual page.",
        discussion: """
            'klpcheck help COMMAND' prints what 'klpcheck COMMAND --help' prints. With --man,
            prints the manual page klpcheck(1) in roff, with every command, option and exit status:
              klpcheck help --man > ~/.local/share/man/man1/klpcheck.1
            """,
        arguments: [ArgumentSpec("COMMAND", help: "The command to describe.", isOptional: true).completing(.command)],
        options: [.flag("--man", help: "Print the manual page (roff, man(7) macros) instead of the help.")])

    let command: CommandSpec?
    let printsManual: Bool

    init(_ parsed: ParsedArguments, console: Console) throws {
        printsManual = parsed.flag("--man")
        if let name = parsed.positional(0) {
            guard let command = KLPCheck.program.command(named: name) else {
                throw CommandFailure(
                    "unknown command '\(name)'; commands: \(KLPCheck.program.commands.map(\.name).joined(separator: ", "))")
            }
            guard !printsManual else {
                throw CommandFailure("--man prints the whole manual, every command included; leave out '\(name)'")
            }
            self.command = command
        } else {
            command = nil
        }
    }

    func run(console: Console) throws -> ExitStatus {
        if printsManual {
            console.out(ManPage.render(KLPCheck.program))
        } else if let command {
            console.out(command.help(program: KLPCheck.program.name))
        } else {
            console.out(KLPCheck.program.help)
        }
        return .holds
    }
}
