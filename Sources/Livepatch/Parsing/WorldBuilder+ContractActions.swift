/// Author contracts, part two: the lines under an object, `on CALLBACK:`
/// with its actions, `code uses`, `code needs`, `original needs`.
extension WorldBuilder {
    /// The patch whose latest object a contract line belongs to; reports a
    /// line before any object (a bad object line was reported already).
    mutating func contractPatch(_ keyword: Token, line: Int) -> Int? {
        guard let current = patches.indices.last, patches[current].objectLines > 0 else {
            error(line, keyword.column,
                  "'\(keyword.text)' before any 'object'; it belongs to the object declared above it")
            return nil
        }
        return patches[current].lastObjectOK ? current : nil
    }

    /// `SETTING=V1|V2...`.
    mutating func parseNeed(_ token: Token, usage: String, line: Int) -> SettingNeed? {
        guard let equals = token.bytes.firstIndex(of: UInt8(ascii: "=")) else {
            error(line, token.column, "missing '=' in '\(token.text)'; expected \(usage)")
            return nil
        }
        let name = Token(bytes: Array(token.bytes[..<equals]), column: token.column)
        guard let s = settingReference(name, line: line) else { return nil }
        var values: [Int] = []
        var start = equals + 1
        var ok = true
        while true {
            var end = start
            while end < token.bytes.count && token.bytes[end] != UInt8(ascii: "|") { end += 1 }
            let text = String(decoding: token.bytes[start..<end], as: UTF8.self)
            if text.isEmpty {
                error(line, token.column + start, "missing value in '\(token.text)'; expected \(usage)")
                ok = false
            } else if let v = settingValue(s, text, column: token.column + start, line: line) {
                if !values.contains(v) { values.append(v) }
            } else {
                ok = false
            }
            if end >= token.bytes.count { break }
            start = end + 1
        }
        return ok ? SettingNeed(setting: s, values: values) : nil
    }

    /// `code uses NAME`, `code needs S=V|V...`, `original needs S=V|V...`.
    mutating func parseCodeLine(_ keyword: Token, _ args: [Token], line: Int) {
        let isCode = keyword.text == "code"
        let usage = isCode ? "code uses NAME or code needs SETTING=V1|V2..." : "original needs SETTING=V1|V2..."
        let current = contractPatch(keyword, line: line)
        guard let verb = args.first else {
            error(line, keyword.end, "missing \(isCode ? "'uses' or 'needs'" : "'needs'") after '\(keyword.text)'; expected \(usage)")
            return
        }
        guard verb.text == "needs" || (isCode && verb.text == "uses") else {
            error(line, verb.column, "unexpected '\(verb.text)'; expected \(usage)")
            return
        }
        guard args.count > 1 else {
            error(line, verb.end, "missing \(verb.text == "uses" ? "data name" : "SETTING=V1|V2...") after '\(verb.text)'; expected \(usage)")
            return
        }
        expectEnd(args, from: 2, line: line)
        if verb.text == "uses" {
            guard let d = dataReference(args[1], line: line), let current else { return }
            let last = patches[current].objects.count - 1
            if !patches[current].objects[last].contract.uses.contains(d) { patches[current].objects[last].contract.uses.append(d) }
            return
        }
        guard let need = parseNeed(args[1], usage: usage, line: line), let current else { return }
        let last = patches[current].objects.count - 1
        if isCode {
            patches[current].objects[last].contract.codeNeeds.append(need)
        } else {
            patches[current].objects[last].contract.originalNeeds.append(need)
        }
    }

    /// `on CALLBACK: ACTION, ACTION...`.
    mutating func parseOn(_ keyword: Token, _ args: [Token], line: Int) {
        let usage = "on CALLBACK: ACTION, ACTION..."
        let current = contractPatch(keyword, line: line)
        guard let first = args.first else {
            error(line, keyword.end, "missing callback after 'on'; expected \(usage)")
            return
        }
        var rest = Array(args.dropFirst())
        var callbackToken = first
        if let c = first.bytes.firstIndex(of: UInt8(ascii: ":")) {
            callbackToken = Token(bytes: Array(first.bytes[..<c]), column: first.column)
            if c + 1 < first.bytes.count {
                rest.insert(Token(bytes: Array(first.bytes[(c + 1)...]), column: first.column + c + 1), at: 0)
            }
        } else if let next = rest.first, next.bytes.first == UInt8(ascii: ":") {
            rest.removeFirst()
            if next.bytes.count > 1 { rest.insert(Token(bytes: Array(next.bytes.dropFirst()), column: next.column + 1), at: 0) }
        } else {
            error(line, rest.first?.column ?? first.end, "missing ':' after callback '\(first.text)'; expected \(usage)")
        }
        guard let kind = CallbackKind.allCases.first(where: { $0.token == callbackToken.text }) else {
            error(line, callbackToken.column,
                  "unknown callback '\(callbackToken.text)'; expected pre_patch, post_patch, pre_unpatch or post_unpatch")
            return
        }
        // Actions are separated by commas, which may be glued to words.
        var actions: [[Token]] = [[]]
        var commaColumns: [Int] = []
        for token in rest {
            var start = 0
            for (i, c) in token.bytes.enumerated() where c == UInt8(ascii: ",") {
                if i > start { actions[actions.count - 1].append(Token(bytes: Array(token.bytes[start..<i]), column: token.column + start)) }
                commaColumns.append(token.column + i)
                actions.append([])
                start = i + 1
            }
            if start < token.bytes.count {
                actions[actions.count - 1].append(Token(bytes: Array(token.bytes[start...]), column: token.column + start))
            }
        }
        var parsed: [ContractAction] = []
        var ok = true
        for (index, words) in actions.enumerated() {
            if words.isEmpty {
                // At the comma after the empty action, or the last comma, or the callback.
                let column = index < commaColumns.count ? commaColumns[index] : (commaColumns.last ?? callbackToken.column)
                error(line, column, "missing action; expected \(usage) with actions alloc, free, adopt, set, save, restore, if-prev, unless-prev")
                ok = false
                continue
            }
            if let action = parseAction(words[...], patch: current, line: line) { parsed.append(action) } else { ok = false }
        }
        guard let current, ok else { return }
        let last = patches[current].objects.count - 1
        guard patches[current].objects[last].callbacks.contains(kind) else {
            let declared = patches[current].objects[last].callbacks.map(\.token).sorted().joined(separator: ", ")
            error(line, callbackToken.column,
                  "'on \(kind.token)' for object '\(patches[current].objects[last].targetName)', which declares no \(kind.token) callback (it declares: \(declared.isEmpty ? "none" : declared))")
            return
        }
        patches[current].objects[last].contract.actions[kind, default: []] += parsed
    }

    /// One action: `alloc NAME`, `free NAME`, `adopt NAME`, `set S=V`,
    /// `save S in NAME`, `restore S from NAME`, `if-prev ID ACTION`, `unless-prev ID ACTION`.
    /// `depth` counts the conditions around the action, at most
    /// `World.Limits.conditionNesting`: each is a level of recursion here and
    /// wherever the action is compiled or run.
    mutating func parseAction(_ words: ArraySlice<Token>, patch current: Int?, line: Int, depth: Int = 0) -> ContractAction? {
        let verb = words.first!
        let args = Array(words.dropFirst())
        func missing(_ what: String, _ usage: String) {
            error(line, verb.end, "missing \(what) after '\(verb.text)'; expected \(usage)")
        }
        switch verb.text {
        case "alloc", "free", "adopt":
            guard let nameToken = args.first else {
                missing("data name", "\(verb.text) NAME")
                return nil
            }
            expectEnd(args, from: 1, line: line, expected: "',' or end of line")
            guard let d = dataReference(nameToken, line: line) else { return nil }
            if verb.text != "adopt" && data[d].isStatic {
                error(line, verb.column, "'\(verb.text) \(data[d].name)' of static data; static storage is never allocated or freed")
                return nil
            }
            switch verb.text {
            case "alloc": return .alloc(data: d)
            case "free": return .free(data: d)
            default:
                if let current { patches[current].adopts.append((d, location(line, verb.column))) }
                return .adopt(data: d)
            }
        case "set":
            guard let token = args.first else {
                missing("SETTING=VALUE", "set SETTING=VALUE")
                return nil
            }
            expectEnd(args, from: 1, line: line, expected: "',' or end of line")
            guard let need = parseNeed(token, usage: "set SETTING=VALUE", line: line) else { return nil }
            if need.values.count != 1 {
                error(line, token.column, "'set' takes one value; expected set SETTING=VALUE")
                return nil
            }
            return .set(setting: need.setting, value: need.values[0])
        case "save", "restore":
            let preposition = verb.text == "save" ? "in" : "from"
            let usage = "\(verb.text) SETTING \(preposition) NAME"
            if args.count >= 2 && args[1].text != preposition {
                error(line, args[1].column, "unexpected '\(args[1].text)'; expected '\(preposition)' (\(usage))")
                return nil
            }
            guard args.count >= 3 else {
                if let last = args.last {
                    error(line, last.end, "missing \(args.count == 1 ? "'\(preposition)'" : "data name"); expected \(usage)")
                } else {
                    missing("setting", usage)
                }
                return nil
            }
            expectEnd(args, from: 3, line: line, expected: "',' or end of line")
            let s = settingReference(args[0], line: line)
            let d = dataReference(args[2], line: line)
            guard let s, let d else { return nil }
            return verb.text == "save" ? .save(setting: s, data: d) : .restore(setting: s, data: d)
        case "if-prev", "unless-prev":
            guard let idToken = args.first else {
                missing("state id", "\(verb.text) ID ACTION")
                return nil
            }
            let id = stateNumber(idToken, what: "state id", maximum: Int.max, line: line)
            guard args.count > 1 else {
                error(line, idToken.end, "missing action after '\(verb.text) \(idToken.text)'; expected \(verb.text) ID ACTION")
                return nil
            }
            guard depth < World.Limits.conditionNesting else {
                error(line, verb.column,
                      "too many nested conditions: an action is inside at most \(World.Limits.conditionNesting) if-prev or unless-prev")
                return nil
            }
            guard let inner = parseAction(words.dropFirst(2), patch: current, line: line, depth: depth + 1), let id else { return nil }
            return verb.text == "if-prev" ? .ifPrev(id: id, inner) : .unlessPrev(id: id, inner)
        default:
            error(line, verb.column,
                  "unknown action '\(verb.text)'; expected alloc, free, adopt, set, save, restore, if-prev or unless-prev")
            return nil
        }
    }
}
