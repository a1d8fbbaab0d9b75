/// `object` lines and their callbacks.
extension WorldBuilder {
    /// `object TARGET: CALLBACK...`; its target resolves at the end of the file.
    mutating func parseObject(_ keyword: Token, _ args: [Token], line: Int) {
        let usage = "object TARGET: CALLBACK..."
        let hasPatch = !patches.isEmpty
        if hasPatch {
            patches[patches.count - 1].objectLines += 1
            patches[patches.count - 1].lastObjectOK = false
        } else {
            error(line, keyword.column, "'object' before any 'patch'; an object belongs to the patch declared above it")
        }
        guard let first = args.first else {
            error(line, keyword.end, "missing target after 'object'; expected \(usage)")
            return
        }
        if first.broken { return }
        var rest = Array(args.dropFirst())
        // The target, then ':' glued to it, standing alone, or glued to the first callback.
        var targetToken = first
        var targetOK = true
        if let c = first.bytes.firstIndex(of: UInt8(ascii: ":")) {
            targetToken = Token(bytes: Array(first.bytes[..<c]), column: first.column)
            if c + 1 < first.bytes.count {
                rest.insert(Token(bytes: Array(first.bytes[(c + 1)...]), column: first.column + c + 1), at: 0)
            }
        } else if let next = rest.first, !next.broken, next.bytes.first == UInt8(ascii: ":") {
            rest.removeFirst()
            if next.bytes.count > 1 {
                rest.insert(Token(bytes: Array(next.bytes.dropFirst()), column: next.column + 1), at: 0)
            }
        } else {
            let column = rest.first?.column ?? first.end
            error(line, column, "missing ':' after object target \(first.quoted); expected \(usage)")
        }
        if targetToken.bytes.isEmpty {
            error(line, targetToken.column, "missing target before ':'; expected vmlinux or a declared module")
            targetOK = false
        } else if !targetToken.isValidName {
            error(line, targetToken.column,
                  "invalid target \(targetToken.quoted); expected vmlinux or a module name matching \(ModelParser.namePattern)")
            targetOK = false
        }
        var object = ObjectBuild(targetName: targetToken.text, targetLocation: location(line, targetToken.column))
        parseCallbacks(rest.filter { !$0.broken }, into: &object, line: line)
        guard hasPatch, targetOK else { return }

        let current = patches.count - 1  // mutated in place: a copy would make long files quadratic
        if let previous = patches[current].objectTargets[object.targetName] {
            error(line, targetToken.column,
                  "duplicate object '\(object.targetName)' in patch '\(patches[current].name ?? "?")' (first declared at \(Self.at(previous)))")
            return
        }
        patches[current].objectTargets[object.targetName] = object.targetLocation
        if objectCount == World.Limits.objects && !reportedObjectLimit {
            reportedObjectLimit = true
            error(line, keyword.column, "too many objects: at most \(World.Limits.objects) over all patches")
        }
        objectCount += 1
        patches[current].objects.append(object)
        patches[current].lastObjectOK = true
    }

    /// The callbacks of an `object` line, each given once.
    mutating func parseCallbacks(_ tokens: [Token], into object: inout ObjectBuild, line: Int) {
        var seen: [String: (callback: Callback, text: String, column: Int)] = [:]
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            i += 1
            var name = token
            var group: Token?
            if let p = token.bytes.firstIndex(of: UInt8(ascii: "(")) {
                name = Token(bytes: Array(token.bytes[..<p]), column: token.column)
                group = Token(bytes: Array(token.bytes[p...]), column: token.column + p)
            } else if i < tokens.count, tokens[i].startsWithParen {
                // `pre_patch (may-fail -ENODEV)`: the group still belongs to the name.
                group = tokens[i]
                i += 1
            }
            if name.bytes.isEmpty {
                error(line, token.column, "unexpected \(token.quoted); expected a callback name before '('")
                continue
            }
            let text = name.text + (group?.text ?? "")
            guard let callback = parseCallback(name, group, line: line) else { continue }
            let key: String
            switch callback {
            case .plain(let kind): key = kind.token
            case .prePatch: key = "pre_patch"
            case .patchingMayFail: key = "patching"
            }
            if let previous = seen[key] {
                let at = "\(line):\(previous.column)"
                if previous.callback == callback {
                    error(line, token.column, "duplicate callback \(VisibleText.quoted(text)) (first given at \(at))")
                } else {
                    error(line, token.column,
                          "pre_patch given twice in different forms: \(VisibleText.quoted(previous.text)) at \(at) and \(VisibleText.quoted(text)); give it once")
                }
                continue
            }
            seen[key] = (callback, text, token.column)
            switch callback {
            case .plain(let kind):
                object.callbacks.insert(kind)
            case .prePatch(let outcome):
                object.callbacks.insert(.prePatch)
                object.prePatch = outcome
            case .patchingMayFail:
                object.patchingMayFail = true
            }
        }
    }

    /// The blank-separated words inside a `(...)` group, with their columns;
    /// reports text after the closing parenthesis.
    mutating func groupWords(_ group: Token, line: Int) -> (words: [Token], close: Int) {
        let b = group.bytes
        var depth = 0
        var close = b.count - 1
        for (i, c) in b.enumerated() {
            if c == UInt8(ascii: "(") { depth += 1 } else if c == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 {
                    close = i
                    break
                }
            }
        }
        if close + 1 < b.count {
            let trailing = Token(bytes: Array(b[(close + 1)...]), column: group.column + close + 1)
            error(line, trailing.column, "unexpected \(trailing.quoted) after ')'; expected a blank before the next callback")
        }
        var words: [Token] = []
        var i = 1
        while i < close {
            if Lexer.isBlank(b[i]) {
                i += 1
                continue
            }
            let start = i
            while i < close && !Lexer.isBlank(b[i]) { i += 1 }
            words.append(Token(bytes: Array(b[start..<i]), column: group.column + start))
        }
        return (words, group.column + close)
    }

    /// One callback: its name and its `(...)` options, if any.
    mutating func parseCallback(_ name: Token, _ group: Token?, line: Int) -> Callback? {
        let unknown = "unknown callback \(VisibleText.quoted(name.text + (group?.text ?? ""))); expected one of: \(ModelParser.callbackForms.joined(separator: ", "))"
        switch name.text {
        case "post_patch", "pre_unpatch", "post_unpatch":
            let kind = CallbackKind.allCases.first { $0.token == name.text }!
            if let group {
                error(line, group.column, "callback \(name.quoted) takes no options; expected \(name.quoted)")
                return nil
            }
            return .plain(kind)
        case "pre_patch":
            guard let group else { return .prePatch(.succeeds) }
            let usage = "expected pre_patch(may-fail ERRNO) or pre_patch(fails ERRNO)"
            let (words, close) = groupWords(group, line: line)
            guard let mode = words.first else {
                error(line, group.column, "empty options after 'pre_patch'; \(usage)")
                return nil
            }
            guard mode.text == "may-fail" || mode.text == "fails" else {
                error(line, mode.column, "unknown pre_patch option \(mode.quoted); \(usage)")
                return nil
            }
            guard words.count > 1 else {
                error(line, close, "missing errno after \(mode.quoted); expected pre_patch(\(mode.text) ERRNO)")
                return nil
            }
            if words.count > 2 {
                error(line, words[2].column, "unexpected \(words[2].quoted); expected ')'")
            }
            guard let errno = parseErrno(words[1], line: line) else { return nil }
            return .prePatch(mode.text == "fails" ? .fails(errno) : .mayFail(errno))
        case "patching":
            guard let group else {
                error(line, name.column, "missing '(may-fail)' after 'patching'; expected patching(may-fail)")
                return nil
            }
            let (words, _) = groupWords(group, line: line)
            guard let mode = words.first else {
                error(line, group.column, "empty options after 'patching'; expected patching(may-fail)")
                return nil
            }
            guard mode.text == "may-fail" else {
                error(line, mode.column, "unknown patching option \(mode.quoted); expected patching(may-fail)")
                return nil
            }
            if words.count > 1 {
                error(line, words[1].column, "unexpected \(words[1].quoted); expected ')'")
            }
            return .patchingMayFail
        default:
            error(line, name.column, unknown)
            return nil
        }
    }

    /// An errno name (`-ENODEV`) or a negative integer, or nil (reported).
    mutating func parseErrno(_ token: Token, line: Int) -> Int32? {
        let text = token.text
        let shown = token.shown
        if let known = ModelParser.errnoNames.first(where: { $0.0 == text }) { return known.1 }
        switch token.number {
        case .value(let n):
            if n < 0 && n >= Int(Int32.min) { return Int32(n) }
            if n >= 0 {
                error(line, token.column, "errno \(shown) is not negative; \(ModelParser.errnoExpected)")
            } else {
                error(line, token.column, "errno \(shown) out of range; expected at least \(Int32.min)")
            }
        case .overflow(let negative):
            if negative {
                error(line, token.column, "errno \(shown) out of range; expected at least \(Int32.min)")
            } else {
                error(line, token.column, "errno \(shown) is not negative; \(ModelParser.errnoExpected)")
            }
        case .malformed:
            var hint = ""
            if ModelParser.errnoNames.contains(where: { $0.0 == "-" + text }) { hint = " (did you mean '-\(shown)'?)" }
            error(line, token.column, "malformed errno \(token.quoted); \(ModelParser.errnoExpected)\(hint)")
        }
        return nil
    }
}
