import Foundation
import Livepatch

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
            The page is dated today, or for reproducible builds by SOURCE_DATE_EPOCH (seconds
            since 1970, UTC).
            """,
        arguments: [ArgumentSpec("COMMAND", help: "The command to describe.", isOptional: true).completing(.command)],
        options: [.flag("--man", help: "Print the manual page (roff, man(7) macros) instead of the help.")])

    let command: CommandSpec?
    let printsManual: Bool
    let date: Date

    init(_ parsed: ParsedArguments, console: Console) throws {
        printsManual = parsed.flag("--man")
        date = try Self.date(sourceDateEpoch: ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"])
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
            console.out(ManPage.render(KLPCheck.program, date: ManPage.day(of: date)))
        } else if let command {
            console.out(command.help(program: KLPCheck.program.name))
        } else {
            console.out(KLPCheck.program.help)
        }
        return .holds
    }

    /// The manual's date: SOURCE_DATE_EPOCH's when set, so that a package
    /// build makes the same page every time (as help2man does), else now.
    static func date(sourceDateEpoch: String?) throws -> Date {
        guard let sourceDateEpoch else { return Date() }
        guard let seconds = UInt64(sourceDateEpoch), seconds <= 253_402_300_799 else {
            throw CommandFailure("SOURCE_DATE_EPOCH is '\(sourceDateEpoch)': expected whole seconds since 1970-01-01 UTC")
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
