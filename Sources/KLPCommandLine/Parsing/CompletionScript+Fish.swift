extension CompletionScript {
    /// The fish script: one `complete` line per command, option and
    /// positional argument, each guarded by a condition on the command and
    /// the argument's position.
    static func fish(_ program: ProgramSpec) -> String {
        let name = program.name
        let complete = "complete -c \(name)"
        var lines = header(program, shell: .fish, installPath: "~/.config/fish/completions/\(name).fish")
        lines += [
            "",
            "# Whether the words before the cursor are '\(name) COMMAND' and then INDEX positional",
            "# arguments; the rest of the arguments are the options that take a value (without '--').",
            "function __\(name)_argument -a command index",
            "    set -l words (commandline -opc)",
            "    test (count $words) -ge 2; and test $words[2] = $command; or return 1",
            "    set -l valued $argv[3..-1]",
            "    set -l count 0",
            "    set -l skip 0",
            "    set -l only 0",
            "    for word in $words[3..-1]",
            "        if test $skip = 1",
            "            set skip 0",
            "        else if test $only = 0; and string match -q -- '-?*' $word",
            "            if test $word = --",
            "                set only 1",
            "            else if contains -- (string replace -r -- '^--' '' $word) $valued",
            "                set skip 1",
            "            end",
            "        else",
            "            set count (math $count + 1)",
            "        end",
            "    end",
            "    test $count = $index",
            "end",
            "",
            "# The files ending in SUFFIX that complete the current word, and folders to walk into",
            "# (fish's own __fish_complete_suffix offers every other file too).",
            "function __\(name)_files -a suffix",
            "    set -l files (__fish_complete_suffix $suffix)",
            "    string match -- \"*$suffix\" $files",
            "    string match -- '*/' $files",
            "end",
            "",
            "# Whether the words before the cursor are '\(name) COMMAND ...'.",
            "function __\(name)_using -a command",
            "    set -l words (commandline -opc)",
            "    test (count $words) -ge 2; and test $words[2] = $command",
            "end",
            "",
            "\(complete) -f",
        ]
        for option in program.options {
            lines.append("\(complete) -n __fish_use_subcommand -l \(option.name.dropFirst(2)) -d \(fishQuoted(option.help))")
        }
        for command in program.commands {
            lines.append("\(complete) -n __fish_use_subcommand -a \(command.name) -d \(fishQuoted(command.abstract))")
        }
        for command in program.commands {
            lines.append("")
            lines.append("# \(name) \(command.usage)")
            let using = fishQuoted("__\(name)_using \(command.name)")
            for option in command.optionsWithHelp {
                var line = "\(complete) -n \(using) -l \(option.name.dropFirst(2))"
                if option.takesValue { line += " " + fishValue(option.valueCompletion, program: program, isOption: true) }
                lines.append(line + " -d \(fishQuoted(option.help))")
            }
            let valued = command.options.filter(\.takesValue).map { String($0.name.dropFirst(2)) }
            for (index, argument) in command.arguments.enumerated() {
                let condition = (["__\(name)_argument", command.name, String(index)] + valued).joined(separator: " ")
                let value = fishValue(argument.completion, program: program, isOption: false)
                lines.append("\(complete) -n \(fishQuoted(condition)) \(value) -d \(fishQuoted(argument.help))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `complete` flags that offer `completion`: for an option, `-r`
    /// (it needs a value) and `-f` (no files) unless files are the value;
    /// for a positional argument, only what to offer.
    private static func fishValue(_ completion: ValueCompletion, program: ProgramSpec, isOption: Bool) -> String {
        let required = isOption ? "-r " : ""
        switch completion {
        case .none: return required + "-f"
        case .choices, .command: return required + "-f -a " + fishQuoted(words(completion, program: program)!.joined(separator: " "))
        case .file(let fileExtension?): return required + "-f -a " + fishQuoted("(__\(program.name)_files .\(fileExtension))")
        case .file(nil): return required + "-F"
        case .directory: return required + "-f -a " + fishQuoted("(__fish_complete_directories (commandline -ct))")
        }
    }

    /// `text` in fish's single quotes: only `\` and `'` are escaped there.
    static func fishQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: #"\"#, with: #"\\"#).replacingOccurrences(of: "'", with: #"\'"#) + "'"
    }
}
