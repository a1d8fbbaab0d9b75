/// Two options of a command that contradict each other: giving both is a
/// usage error (exit 2) instead of one silently winning.
public struct OptionConflict: Sendable, Equatable {
    /// The option that needs something of `other`.
    public var option: String
    /// The option it clashes with.
    public var other: String
    /// The values of `other` that do not clash; nil: any value clashes, and
    /// so does leaving `other` out when `allowed` is given.
    public var allowed: [String]?
    /// Why, for the message.
    public var reason: String
    /// Whether leaving `other` out is fine (only a value outside `allowed` clashes).
    public var allowsOtherAbsent = false
    /// An option whose presence lifts the rule (nil: none does).
    public var liftedBy: String? = nil

    /// `option` and `other` may not be given together.
    public static func exclusive(_ option: String, _ other: String, because reason: String) -> OptionConflict {
        OptionConflict(option: option, other: other, allowed: nil, reason: reason)
    }

    /// `option` needs `other` with one of `values`.
    public static func requires(_ option: String, _ other: String, oneOf values: [String], because reason: String) -> OptionConflict {
        OptionConflict(option: option, other: other, allowed: values, reason: reason)
    }

    /// `option` allows `other` only with one of `values`; leaving `other` out is fine.
    public static func restricts(_ option: String, _ other: String, toOneOf values: [String], because reason: String) -> OptionConflict {
        OptionConflict(option: option, other: other, allowed: values, reason: reason, allowsOtherAbsent: true)
    }

    /// This rule, lifted when `option` is given.
    public func lifted(by option: String) -> OptionConflict {
        var rule = self
        rule.liftedBy = option
        return rule
    }

    /// The error for `parsed`, if it breaks this rule.
    func violation(in parsed: ParsedArguments) -> CommandFailure? {
        guard parsed.isGiven(option) else { return nil }
        if let liftedBy, parsed.isGiven(liftedBy) { return nil }
        guard let allowed else {
            return parsed.isGiven(other) ? CommandFailure("\(option) and \(other) contradict each other: \(reason)") : nil
        }
        let value = parsed.value(other)
        if let value, allowed.contains(value) { return nil }
        if value == nil && allowsOtherAbsent { return nil }
        let wanted = allowed.map { "\(other) \($0)" }.joined(separator: " or ")
        return CommandFailure("\(option) needs \(wanted)\(value.map { ", not \(other) \($0)" } ?? ""): \(reason)")
    }
}

extension ParsedArguments {
    /// Whether option or flag `name` was given.
    func isGiven(_ name: String) -> Bool { flag(name) || value(name) != nil }

    /// Throws the first broken rule of `conflicts`.
    func check(_ conflicts: [OptionConflict]) throws {
        for conflict in conflicts {
            if let failure = conflict.violation(in: self) { throw failure }
        }
    }
}

extension CommandSpec {
    /// This spec with `conflicts` added to its rules.
    public func conflicting(_ conflicts: [OptionConflict]) -> CommandSpec {
        var spec = self
        spec.conflicts += conflicts
        return spec
    }
}
