/// The arguments of one command, checked against its spec.
public struct ParsedArguments: Sendable, Equatable {
    /// Values of options, by long name, in the order given.
    public private(set) var values: [String: [String]] = [:]
    /// Flags given.
    public private(set) var flags: Set<String> = []
    /// Positional arguments.
    public private(set) var positionals: [String] = []
    /// Whether `--help` was asked for.
    public private(set) var wantsHelp = false

    /// Parses `arguments` against `spec`.
    ///
    /// Accepts `--name value`, `--name=value` and `--` before positionals
    /// that start with a dash; `-` alone is a positional (standard input).
    /// - Throws: `CommandFailure` for an unknown option, a missing value,
    ///   a repeated single option, or a wrong number of positionals.
    public init(_ arguments: [String], spec: CommandSpec) throws {
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if argument == "--help" || argument == "-h" {
                wantsHelp = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw CommandFailure("unknown option '\(name)' for '\(spec.name)'\(Self.suggestion(for: name, in: spec))")
            }
            if option.valueName == nil {
                if inlineValue != nil { throw CommandFailure("option '\(name)' takes no value") }
                flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw CommandFailure("option '\(name)' needs a value \(option.valueName!)")
                }
                value = arguments[index]
                index += 1
            }
            if let output = option.output {
                if value.isEmpty { throw CommandFailure("option '\(name)' needs a path; it was given an empty one") }
                if output == .folder && value == "-" {
                    throw CommandFailure("option '\(name)' needs a folder; '-' (standard output) cannot hold one")
                }
            }
            if !option.repeatable && values[name] != nil {
                throw CommandFailure("option '\(name)' was given more than once")
            }
            values[name, default: []].append(value)
        }
        if wantsHelp { return }
        let required = spec.arguments.filter { !$0.isOptional }.count
        if positionals.count < required {
            let missing = spec.arguments[positionals.count].name
            throw CommandFailure("missing argument \(missing) for '\(spec.name)'")
        }
        if positionals.count > spec.arguments.count && spec.arguments.last?.isVariadic != true {
            throw CommandFailure("unexpected argument '\(positionals[spec.arguments.count])' for '\(spec.name)'")
        }
        try check(spec.conflicts)
    }

    private static func suggestion(for name: String, in spec: CommandSpec) -> String {
        let close = spec.options.map(\.name).filter { $0.hasPrefix(String(name.prefix(4))) }
        return close.isEmpty ? "" : "; did you mean \(close.joined(separator: " or "))?"
    }

    /// Whether flag `name` was given.
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The last value of option `name`, if given.
    public func value(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable option.
    public func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The value of option `name` converted by `convert`, which returns nil
    /// for a malformed value; `expected` says what was expected.
    public func value<T>(_ name: String, expected: String, _ convert: (String) -> T?) throws -> T? {
        guard let text = value(name) else { return nil }
        guard let converted = convert(text) else {
            throw CommandFailure("invalid value '\(text)' for \(name): expected \(expected)")
        }
        return converted
    }

    /// Positional `index`, if given.
    public func positional(_ index: Int) -> String? { index < positionals.count ? positionals[index] : nil }
}
