import Livepatch

/// One option a command accepts.
public struct OptionSpec: Sendable, Equatable {
    /// The long name, with dashes: `--threads`.
    public var name: String
    /// The placeholder of its value, or nil for a flag.
    public var valueName: String?
    /// One line of help.
    public var help: String
    /// Whether it may be given more than once.
    public var repeatable: Bool
    /// What a shell offers for its value; nil: read from `valueName` (see `valueCompletion`).
    public var completion: ValueCompletion? = nil
    /// Whether its value is where output goes: never empty (an empty
    /// `$VAR` would write at the root), `-` only where allowed.
    public var output: OutputPath? = nil

    /// A flag (no value).
    public static func flag(_ name: String, help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help, repeatable: false)
    }

    /// An option with a value.
    public static func value(_ name: String, _ valueName: String, help: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, repeatable: repeatable)
    }

    /// An option naming a file written (`-`: standard output), or a folder filled.
    public static func output(_ name: String, _ valueName: String, _ kind: OutputPath, help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, repeatable: false, output: kind)
    }
}

/// What an output option's value names.
public enum OutputPath: Sendable, Equatable {
    /// A file, or `-` for standard output.
    case file
    /// A folder that klpcheck creates and writes pages in.
    case folder
}

/// One positional argument.
public struct ArgumentSpec: Sendable, Equatable {
    /// Its placeholder: `MODEL`.
    public var name: String
    /// One line of help.
    public var help: String
    /// Whether it may be left out.
    public var isOptional: Bool
    /// What a shell offers for it (default: any file).
    public var completion: ValueCompletion = .file(extension: nil)
    /// Whether it takes every remaining positional (the last argument only).
    public var isVariadic = false

    /// Creates an argument.
    public init(_ name: String, help: String, isOptional: Bool = false, isVariadic: Bool = false) {
        self.name = name
        self.help = help
        self.isOptional = isOptional
        self.isVariadic = isVariadic
    }
}

/// Everything `--help` says about a command, and what the parser accepts.
public struct CommandSpec: Sendable {
    /// The command's name: `verify`.
    public var name: String
    /// One line: what it does.
    public var abstract: String
    /// More paragraphs for `--help`.
    public var discussion: String
    /// Positional arguments, in order.
    public var arguments: [ArgumentSpec]
    /// Options.
    public var options: [OptionSpec]
    /// Pairs of options that contradict each other (`OptionConflict`).
    public var conflicts: [OptionConflict] = []

    /// Creates a spec; `--help` is always accepted.
    public init(name: String, abstract: String, discussion: String = "", arguments: [ArgumentSpec] = [], options: [OptionSpec] = []) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
    }

    /// The help text, generated from the declarations.
    public func help(program: String) -> String {
        var lines = ["OVERVIEW: \(abstract)", ""]
        lines.append("USAGE: \(program) \(usage)")
        if !discussion.isEmpty {
            lines.append("")
            lines.append(discussion)
        }
        if !arguments.isEmpty {
            lines.append("")
            lines.append("ARGUMENTS:")
            for argument in arguments { lines.append(Self.row(argument.name, argument.help)) }
        }
        lines.append("")
        lines.append("OPTIONS:")
        for option in optionsWithHelp {
            let left = option.valueName.map { "\(option.name) \($0)" } ?? option.name
            lines.append(Self.row(left, option.help + (option.repeatable ? " (repeatable)" : "")))
        }
        lines.append("")
        lines.append(ExitStatus.table)
        return lines.joined(separator: "\n") + "\n"
    }

    static func row(_ left: String, _ right: String) -> String {
        let padded = left.count < 26 ? left + String(repeating: " ", count: 26 - left.count) : left + "  "
        return "  " + padded + right
    }
}
