/// One line of a scenario: a command as a user types it in the selftests,
/// or a single explorer step as `verify --trace-out` writes it.
public enum ScenarioCommand: Sendable, Equatable {
    /// `insmod test_modules/NAME.ko [PARAM=VALUE ...]`.
    case insmod(name: String, parameters: [String: String])
    /// `rmmod NAME`.
    case rmmod(name: String)
    /// `echo 0|1 > /sys/kernel/livepatch/P/enabled`.
    case writeEnabled(patch: String, value: Int)
    /// `echo 1 > /sys/kernel/livepatch/P/force`.
    case writeForce(patch: String)
    /// `echo ERRNO > /sys/module/P/parameters/pre_patch_ret`.
    case writePrePatchReturn(patch: String, value: Int32)
    /// `step KIND [NAME] [fail pre_patch|patching PATCH OBJECT]`: exactly one event.
    case step(ScenarioStep)
}

/// One explorer step, by name.
public struct ScenarioStep: Sendable, Equatable {
    /// The event.
    public var kind: EventKind
    /// What it acts on, as written: the module or patch, the task's number
    /// (nil: any task), or the busy module whose worker switches; nil for
    /// `complete`.
    public var operand: String?
    /// The choice point that fails: kind, patch, object target.
    public var failure: (kind: ChoicePoint.Kind, patch: String, target: String)?

    public static func == (a: ScenarioStep, b: ScenarioStep) -> Bool {
        a.kind == b.kind && a.operand == b.operand && a.failure?.kind == b.failure?.kind
            && a.failure?.patch == b.failure?.patch && a.failure?.target == b.failure?.target
    }
}

/// A parsed scenario line with its place.
public struct ScenarioLine: Sendable, Equatable {
    /// The command.
    public var command: ScenarioCommand
    /// The line as written, whitespace folded (printed after `% `).
    public var text: String
    /// Where it is.
    public var location: SourceLocation
}

/// A parsed scenario.
public struct Scenario: Sendable {
    /// The lines, in order.
    public var lines: [ScenarioLine]
    /// Replay mode: each line is one step; nothing runs between lines.
    public var isReplay: Bool

    /// Parses a scenario file's bytes; text that is not UTF-8 is reported at its first bad byte.
    public static func parse(_ bytes: [UInt8], file: String) throws(ModelErrors) -> Scenario {
        try parse(SourceText(validating: bytes, file: file, what: "scenario file"))
    }

    /// Parses a scenario; every malformed line is reported.
    public static func parse(_ text: String, file: String) throws(ModelErrors) -> Scenario {
        try parse(SourceText(text, file: file))
    }

    /// Parses a scenario read and cut into lines and tokens as models are
    /// (`SourceText`, `Lexer`), so positions agree between the two languages.
    static func parse(_ source: SourceText) throws(ModelErrors) -> Scenario {
        let file = source.file
        var lines: [ScenarioLine] = []
        var diagnostics: [Diagnostic] = []
        var isReplay = false
        // Replay mode is declared before any command: where it was, and the first command.
        var replayLine: Int?
        var firstCommandLine: Int?
        source.forEachLine { line in
            let tokens = Lexer.scenario.tokens(of: line)
            guard let first = tokens.first else { return }
            func at(_ token: Token) -> SourceLocation {
                SourceLocation(file: file, line: line.number, column: token.column)
            }
            func fail(_ token: Token, _ message: String) {
                diagnostics.append(Diagnostic(location: at(token), message: message))
            }
            let words = tokens.map(\.text)
            // Echoed after `% `: a control character in the file must not reach the terminal.
            let folded = VisibleText.escape(words.joined(separator: " "))
            if first.text != "replay" && firstCommandLine == nil { firstCommandLine = line.number }
            switch first.text {
            case "replay":
                if words.count != 1 {
                    fail(tokens[1], "'replay' takes no arguments")
                } else if let earlier = replayLine {
                    fail(first, "a second 'replay' line; the first is on line \(earlier)")
                } else if let command = firstCommandLine {
                    fail(first, "'replay' must come before every command; line \(command) has one")
                } else {
                    isReplay = true
                    replayLine = line.number
                }
            case "insmod":
                guard words.count >= 2 else {
                    fail(first, "expected 'insmod test_modules/NAME.ko [PARAM=VALUE ...]'")
                    return
                }
                let path = words[1]
                guard path.hasSuffix(".ko") else {
                    fail(tokens[1], "expected a module file 'test_modules/NAME.ko', got \(VisibleText.quoted(path))")
                    return
                }
                let name = String(path.split(separator: "/").last!.dropLast(3))
                var parameters: [String: String] = [:]
                var bad = false
                for token in tokens.dropFirst(2) {
                    let pair = token.text.split(separator: "=", maxSplits: 1)
                    if pair.count != 2 || pair[0].isEmpty {
                        fail(token, "expected PARAM=VALUE, got \(VisibleText.quoted(token.text))")
                        bad = true
                    } else {
                        parameters[String(pair[0])] = String(pair[1])
                    }
                }
                if !bad { lines.append(ScenarioLine(command: .insmod(name: name, parameters: parameters), text: folded, location: at(first))) }
            case "rmmod":
                guard words.count == 2 else {
                    fail(first, "expected 'rmmod NAME'")
                    return
                }
                lines.append(ScenarioLine(command: .rmmod(name: words[1]), text: folded, location: at(first)))
            case "echo":
                guard words.count == 4, words[2] == ">" else {
                    fail(first, "expected 'echo VALUE > /sys/...'")
                    return
                }
                let value = words[1]
                let parts = words[3].split(separator: "/").map(String.init)
                if parts.count == 5, parts[0] == "sys", parts[1] == "kernel", parts[2] == "livepatch" {
                    switch parts[4] {
                    case "enabled":
                        guard value == "0" || value == "1" else {
                            fail(tokens[1], "expected 0 or 1 for 'enabled', got \(VisibleText.quoted(value))")
                            return
                        }
                        lines.append(ScenarioLine(command: .writeEnabled(patch: parts[3], value: Int(value)!), text: folded, location: at(first)))
                    case "force":
                        guard value == "1" else {
                            fail(tokens[1], "expected 1 for 'force', got \(VisibleText.quoted(value))")
                            return
                        }
                        lines.append(ScenarioLine(command: .writeForce(patch: parts[3]), text: folded, location: at(first)))
                    default:
                        fail(tokens[3], "unknown livepatch attribute \(VisibleText.quoted(parts[4])); expected enabled or force")
                    }
                } else if parts.count == 5, parts[0] == "sys", parts[1] == "module", parts[3] == "parameters",
                    parts[4] == "pre_patch_ret"
                {
                    guard let number = Int32(value), number <= 0 else {
                        fail(tokens[1], "expected 0 or a negative errno for pre_patch_ret, got \(VisibleText.quoted(value))")
                        return
                    }
                    lines.append(ScenarioLine(command: .writePrePatchReturn(patch: parts[2], value: number), text: folded, location: at(first)))
                } else {
                    fail(tokens[3], "expected /sys/kernel/livepatch/P/enabled, /sys/kernel/livepatch/P/force or /sys/module/P/parameters/pre_patch_ret")
                }
            case "step":
                guard isReplay else {
                    fail(first, "a 'step' line runs only in a replay file: begin the file with a 'replay' line")
                    return
                }
                if let step = Self.step(tokens, fail: fail) {
                    lines.append(ScenarioLine(command: .step(step), text: folded, location: at(first)))
                }
            default:
                fail(first, "unknown command \(VisibleText.quoted(first.text)); expected insmod, rmmod, echo, step or replay")
            }
        }
        if !diagnostics.isEmpty { throw ModelErrors(diagnostics: diagnostics) }
        return Scenario(lines: lines, isReplay: isReplay)
    }

    /// `step VERB [WORD] [OPERAND] [fail ...]`, its words and operands as `EventKind` spells them.
    static func step(
        _ tokens: [Token], fail: (Token, String) -> Void
    ) -> ScenarioStep? {
        guard tokens.count >= 2 else {
            fail(tokens[0], "expected 'step KIND ...'")
            return nil
        }
        let verb = tokens[1].text
        var rest = Array(tokens.dropFirst(2))
        var failure: (kind: ChoicePoint.Kind, patch: String, target: String)?
        if let index = rest.firstIndex(where: { $0.text == "fail" }) {
            let clause = Array(rest[index...])
            rest = Array(rest[..<index])
            guard clause.count == 4, let choice = ChoicePoint.Kind(rawValue: clause[1].text) else {
                fail(clause[0], "expected 'fail pre_patch|patching PATCH OBJECT'")
                return nil
            }
            failure = (choice, clause[2].text, clause[3].text)
        }
        // The kinds spelled with this verb, and what each takes after its words.
        let kinds = EventKind.allCases.filter { $0.token.split(separator: " ")[0] == verb }
        guard !kinds.isEmpty else {
            let verbs = EventKind.stepVerbs
            fail(tokens[1], "unknown step \(VisibleText.quoted(verb)); expected \(verbs.dropLast().joined(separator: ", ")) or \(verbs.last!)")
            return nil
        }
        let expected = "expected " + kinds.map { "'\(usage(of: $0))'" }.joined(separator: " or ")
        var last = tokens[1]
        var kind = kinds[0]
        if kinds.count > 1 || kind.token.contains(" ") {
            // A two-word kind: its second word is the first after the verb.
            guard let word = rest.first, let chosen = kinds.first(where: { $0.token == verb + " " + word.text }) else {
                fail(tokens[1], expected)
                return nil
            }
            kind = chosen
            last = word
            rest.removeFirst()
        }
        let fits: Bool
        switch kind.operand {
        case .none: fits = rest.isEmpty
        case .task: fits = rest.count <= 1
        case .module, .patch, .worker: fits = rest.count == 1
        }
        guard fits else {
            fail(last, kind.operand == .none ? "'step \(kind.token)' takes no name" : expected)
            return nil
        }
        return ScenarioStep(kind: kind, operand: rest.first?.text, failure: failure)
    }

    /// `step load NAME`: how a step of `kind` is written.
    static func usage(of kind: EventKind) -> String {
        switch kind.operand {
        case .none: return "step \(kind.token)"
        case .module, .patch: return "step \(kind.token) NAME"
        case .task: return "step \(kind.token) [N]"
        case .worker: return "step \(kind.token) MODULE"
        }
    }
}
