extension OptionSpec {
    /// The `--help` flag every command accepts.
    public static let helpFlag = OptionSpec.flag("--help", help: "Show this help and exit.")

    /// Whether it takes a value.
    public var takesValue: Bool { valueName != nil }

    /// What a shell offers for the value: the declared `completion`, else
    /// read from the placeholder, which `--help` prints: the words of
    /// `text|json`, a file for `FILE`, a folder for `DIR`, nothing for a flag
    /// or free text.
    public var valueCompletion: ValueCompletion {
        if let completion { return completion }
        guard let valueName else { return .none }
        if valueName.contains("|") { return .choices(valueName.split(separator: "|").map(String.init)) }
        switch valueName {
        case "FILE": return .file(extension: nil)
        case "DIR": return .directory
        default: return .none
        }
    }

    /// This option, with `completion` offered for its value.
    public func completing(_ completion: ValueCompletion) -> OptionSpec {
        var option = self
        option.completion = completion
        return option
    }
}

extension ArgumentSpec {
    /// This argument, with `completion` offered for it.
    public func completing(_ completion: ValueCompletion) -> ArgumentSpec {
        var argument = self
        argument.completion = completion
        return argument
    }
}

extension CommandSpec {
    /// Its options and `--help`, as `--help` lists them.
    public var optionsWithHelp: [OptionSpec] { options + [.helpFlag] }

    /// The usage line after the program name: `verify [OPTIONS] MODEL`.
    public var usage: String {
        let positional = arguments.map { $0.isOptional ? "[\($0.name)]" : $0.name }.joined(separator: " ")
        return "\(name) [OPTIONS]\(positional.isEmpty ? "" : " " + positional)"
    }
}
