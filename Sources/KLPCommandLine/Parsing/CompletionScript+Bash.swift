extension CompletionScript {
    /// The bash script: one function per command; completes options, option
    /// values, and positional arguments by their position (counting
    /// `--name value` and `--name=value` as one option).
    static func bash(_ program: ProgramSpec) -> String {
        let name = program.name
        var lines = header(program, shell: .bash, installPath: "~/.local/share/bash-completion/completions/\(name)")
        lines += [
            "",
            "# Offers the words in $1 that start with the current word.",
            "_\(name)_words() {",
            "    mapfile -t COMPREPLY < <(compgen -W \"$1\" -- \"$cur\")",
            "}",
            "",
            "# Offers files: with an extension in $1, those ending in it and folders.",
            "_\(name)_files() {",
            "    compopt -o filenames 2>/dev/null",
            "    if [[ -n $1 ]]; then",
            "        mapfile -t COMPREPLY < <(compgen -d -- \"$cur\"; compgen -f -X \"!*.$1\" -- \"$cur\")",
            "    else",
            "        mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")",
            "    fi",
            "}",
            "",
            "# Offers folders.",
            "_\(name)_folders() {",
            "    compopt -o filenames 2>/dev/null",
            "    mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")",
            "}",
            "",
            "# Prints how many positional arguments come before the current word;",
            "# $1 lists the options that take a value.",
            "_\(name)_position() {",
            "    local i=2 count=0 only=0 word",
            "    while (( i < COMP_CWORD )); do",
            "        word=${COMP_WORDS[i]}",
            "        if (( only == 0 )) && [[ $word == -?* ]]; then",
            "            if [[ $word == -- ]]; then",
            "                only=1",
            "            elif [[ ${COMP_WORDS[i+1]} == = ]]; then",
            "                (( i += 2 ))",
            "            elif [[ \" $1 \" == *\" $word \"* ]]; then",
            "                (( i += 1 ))",
            "            fi",
            "        else",
            "            (( count += 1 ))",
            "        fi",
            "        (( i += 1 ))",
            "    done",
            "    echo \"$count\"",
            "}",
        ]
        for command in program.commands {
            lines.append("")
            lines += bashFunction(program, command)
        }
        let topLevel = program.commands.map(\.name) + program.options.map(\.name)
        lines += [
            "",
            "_\(name)() {",
            "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
            "    # bash splits --name=value at '=': complete the value of --name.",
            "    if [[ $cur == = ]]; then",
            "        cur=",
            "    elif [[ $prev == = ]]; then",
            "        prev=${COMP_WORDS[COMP_CWORD-2]}",
            "    fi",
            "    COMPREPLY=()",
            "    if (( COMP_CWORD == 1 )); then",
            "        _\(name)_words \"\(topLevel.joined(separator: " "))\"",
            "        return",
            "    fi",
            "    case ${COMP_WORDS[1]} in",
        ]
        for command in program.commands {
            lines.append("        \(command.name)) \(functionName(program, command)) ;;")
        }
        lines += [
            "    esac",
            "}",
            "",
            "complete -F _\(name) \(name)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The function that completes the words after `command`.
    private static func bashFunction(_ program: ProgramSpec, _ command: CommandSpec) -> [String] {
        let options = command.optionsWithHelp
        let valued = options.filter(\.takesValue)
        var lines = ["\(functionName(program, command))() {"]
        if !valued.isEmpty {
            lines.append("    case $prev in")
            var freeText: [String] = []
            for option in valued {
                let action = bashAction(option.valueCompletion, program: program)
                if action.isEmpty {
                    freeText.append(option.name)
                } else {
                    lines.append("        \(option.name)) \(action); return ;;")
                }
            }
            if !freeText.isEmpty {
                lines.append("        \(freeText.joined(separator: "|"))) return ;;")
            }
            lines.append("    esac")
        }
        lines += [
            "    if [[ $cur == -* ]]; then",
            "        _\(program.name)_words \"\(options.map(\.name).joined(separator: " "))\"",
            "        return",
            "    fi",
        ]
        let positional = command.arguments.enumerated().compactMap { index, argument -> String? in
            let action = bashAction(argument.completion, program: program)
            // A variadic argument takes every position from its own on.
            let position = argument.isVariadic ? "*" : "\(index)"
            return action.isEmpty ? nil : "        \(position)) \(action) ;;"
        }
        if !positional.isEmpty {
            lines.append("    case $(_\(program.name)_position \"\(valued.map(\.name).joined(separator: " "))\") in")
            lines += positional
            lines.append("    esac")
        }
        lines.append("}")
        return lines
    }

    /// The call that offers `completion`, or nothing for free text.
    private static func bashAction(_ completion: ValueCompletion, program: ProgramSpec) -> String {
        switch completion {
        case .none: return ""
        case .choices, .command: return "_\(program.name)_words \"\(words(completion, program: program)!.joined(separator: " "))\""
        case .file(let fileExtension): return "_\(program.name)_files \"\(fileExtension ?? "")\""
        case .directory: return "_\(program.name)_folders"
        }
    }
}
