extension CompletionScript {
    /// The zsh script: an `_arguments` spec per command, the commands with
    /// their abstracts; it works from `fpath` (as `_klpcheck`) and sourced.
    static func zsh(_ program: ProgramSpec) -> String {
        let name = program.name
        var lines = ["#compdef \(name)"]
        lines += header(program, shell: .zsh, installPath: "~/.zfunc/_\(name)  # with ~/.zfunc in fpath, before compinit")
        lines += [
            "",
            "_\(name)_commands() {",
            "    local -a commands",
            "    commands=(",
        ]
        for command in program.commands {
            lines.append("        " + singleQuoted(zshEscapedColons(command.name) + ":" + command.abstract))
        }
        lines += [
            "    )",
            "    _describe -t commands '\(name) command' commands",
            "}",
        ]
        for command in program.commands {
            lines += ["", "\(functionName(program, command))() {", "    _arguments -S \\"]
            var specs = command.optionsWithHelp.map { zshOption($0, program: program) }
            specs += command.arguments.enumerated().map { index, argument in
                singleQuoted(
                    "\(argument.isVariadic ? "*" : String(index + 1)):\(argument.isOptional ? ":" : "")\(zshEscapedColons(argument.name)):"
                        + zshAction(argument.completion, program: program))
            }
            lines += specs.enumerated().map { index, spec in "        " + spec + (index == specs.count - 1 ? "" : " \\") }
            lines.append("}")
        }
        lines += ["", "_\(name)() {", "    local curcontext=$curcontext state line", "    typeset -A opt_args", "    _arguments -C \\"]
        lines += program.options.map { "        " + zshOption($0, program: program, excludesAll: true) + " \\" }
        lines += [
            "        '1: :_\(name)_commands' \\",
            "        '*:: :->command' && return",
            "    case $state in",
            "        command)",
            "            curcontext=${curcontext%:*:*}:\(name)-$words[1]:",
            "            case $words[1] in",
        ]
        for command in program.commands {
            lines.append("                \(command.name)) \(functionName(program, command)) ;;")
        }
        lines += [
            "            esac",
            "            ;;",
            "    esac",
            "}",
            "",
            "# From fpath the file is the body of _\(name): run it. Sourced: register it.",
            "if [[ $funcstack[1] == _\(name) ]]; then",
            "    _\(name) \"$@\"",
            "else",
            "    compdef _\(name) \(name)",
            "fi",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// One `_arguments` option spec: `'*--property=[help]:NAME:(words)'`.
    private static func zshOption(_ option: OptionSpec, program: ProgramSpec, excludesAll: Bool = false) -> String {
        // --help and the program's own options end the command line: offer nothing after them.
        let exclusion = excludesAll || option == .helpFlag ? "(- *)" : option.repeatable ? "*" : ""
        var spec = exclusion + option.name
        if option.takesValue { spec += "=" }
        spec += "[" + zshEscapedBrackets(option.help) + "]"
        if let valueName = option.valueName {
            spec += ":" + zshEscapedColons(valueName) + ":" + zshAction(option.valueCompletion, program: program)
        }
        return singleQuoted(spec)
    }

    /// The `_arguments` action that offers `completion`; a space shows the
    /// placeholder and offers nothing.
    private static func zshAction(_ completion: ValueCompletion, program: ProgramSpec) -> String {
        switch completion {
        case .none: return " "
        case .choices, .command: return "(" + words(completion, program: program)!.joined(separator: " ") + ")"
        case .file(let fileExtension?): return "_files -g \"*.\(fileExtension)\""
        case .file(nil): return "_files"
        case .directory: return "_files -/"
        }
    }

    /// `text` with `:` escaped, for the message and name fields of a spec.
    private static func zshEscapedColons(_ text: String) -> String {
        text.replacingOccurrences(of: ":", with: #"\:"#)
    }

    /// `text` with brackets escaped, for the help inside `[...]`.
    private static func zshEscapedBrackets(_ text: String) -> String {
        text.replacingOccurrences(of: "[", with: #"\["#).replacingOccurrences(of: "]", with: #"\]"#)
    }
}
