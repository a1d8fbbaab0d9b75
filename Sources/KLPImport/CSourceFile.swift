import Livepatch

/// What the tolerant C reader finds at file scope: the `#define`s, function
/// definitions, globals, module parameters, `klp_object`, `klp_state` and
/// `klp_patch` initializers and callback macros. Not a C compiler: anything
/// else is skipped, and what looks like one of these but cannot be read
/// becomes a warning.
struct CSourceFile {
    /// A function definition.
    struct Function {
        var name: String
        var parameters: [String]
        var body: [CToken]
        var line: Int
        var column: Int
    }

    /// A `struct klp_... NAME[] = { ... }` (or without `[]`).
    struct Declaration {
        var name: String
        var initializer: CInitializer
        var line: Int
        var column: Int
    }

    /// A callback macro, `KPATCH_PRE_PATCH_CALLBACK(fn)` or `KLP_POST_UNPATCH_CALLBACK(fn)`.
    struct CallbackMacro {
        var callback: CallbackKind
        var macro: String
        var function: String
        var line: Int
        var column: Int
    }

    /// The input file's path as given, for locations.
    let path: String
    /// Whether the text is pieces of a file (a diff's hunks).
    private let partial: Bool
    private(set) var defines: [String: CDefine] = [:]
    private(set) var functions: [String: Function] = [:]
    /// File-scope variables (not `extern`), with where they are declared.
    private(set) var globals: [String: (line: Int, column: Int)] = [:]
    /// `module_param(NAME, ...)`.
    private(set) var moduleParameters: [String: (line: Int, column: Int)] = [:]
    private(set) var functionArrays: [Declaration] = []
    private(set) var objectArrays: [Declaration] = []
    private(set) var stateArrays: [Declaration] = []
    private(set) var patches: [Declaration] = []
    private(set) var macros: [CallbackMacro] = []
    /// Every `-EXXX` written in the file's code, in order, then those
    /// written only in its comments and strings (`-ENODEV` in a NOTE).
    private(set) var errnoMentions: [CToken] = []
    private(set) var warnings: [ImportWarning] = []

    /// The callback macros of kpatch's kpatch-macros.h and of the kernel's livepatch_helpers.h.
    static let macroNames: [String: CallbackKind] = [
        "KPATCH_PRE_PATCH_CALLBACK": .prePatch, "KPATCH_POST_PATCH_CALLBACK": .postPatch,
        "KPATCH_PRE_UNPATCH_CALLBACK": .preUnpatch, "KPATCH_POST_UNPATCH_CALLBACK": .postUnpatch,
        "KLP_PRE_PATCH_CALLBACK": .prePatch, "KLP_POST_PATCH_CALLBACK": .postPatch,
        "KLP_PRE_UNPATCH_CALLBACK": .preUnpatch, "KLP_POST_UNPATCH_CALLBACK": .postUnpatch,
    ]

    /// Reads `lines` of the file at `path`.
    init(path: String, lines: [CLexer.SourceLine]) {
        self.init(path: path, chunks: [lines], partial: false)
    }

    /// Reads the `chunks` of the file at `path` one by one: with `partial`
    /// (a diff's hunks), a chunk may start or end inside a declaration, and
    /// what runs over its edge is skipped without a warning.
    init(path: String, chunks: [[CLexer.SourceLine]], partial: Bool) {
        self.path = path
        self.partial = partial
        for lines in chunks {
            let lexer = CLexer(lines)
            for define in lexer.defines where defines[define.name] == nil { defines[define.name] = define }
            let tokens = lexer.tokens
            for (i, token) in tokens.enumerated() where token.is("-") && i + 1 < tokens.count {
                let next = tokens[i + 1]
                if next.kind == .identifier, ErrnoTable.value(of: next.text) != nil { errnoMentions.append(next) }
            }
            for define in lexer.defines {
                for (i, token) in define.value.enumerated() where token.is("-") && i + 1 < define.value.count {
                    if ErrnoTable.value(of: define.value[i + 1].text) != nil { errnoMentions.append(define.value[i + 1]) }
                }
            }
            readFileScope(tokens)
        }
        errnoMentions.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        let textual = chunks.flatMap { Self.textualErrnos($0) }
        errnoMentions += textual.filter { mention in
            !errnoMentions.contains { $0.line == mention.line && $0.column == mention.column }
        }
    }

    /// `-EXXX` anywhere in the lines (comments and strings included), as tokens naming `EXXX`.
    private static func textualErrnos(_ lines: [CLexer.SourceLine]) -> [CToken] {
        var found: [CToken] = []
        for line in lines {
            let bytes = Array(line.text.utf8)
            var i = 0
            while i + 2 < bytes.count {
                if bytes[i] == UInt8(ascii: "-"), bytes[i + 1] == UInt8(ascii: "E") {
                    var end = i + 1
                    while end < bytes.count, (bytes[end] >= UInt8(ascii: "A") && bytes[end] <= UInt8(ascii: "Z")) || (bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9")) { end += 1 }
                    let name = String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
                    if ErrnoTable.value(of: name) != nil {
                        found.append(CToken(kind: .identifier, text: name, line: line.line, column: line.columnOffset + i + 2))
                    }
                    i = end
                    continue
                }
                i += 1
            }
        }
        return found
    }

    func location(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(file: path, line: line, column: column) }

    mutating func warn(_ line: Int, _ column: Int, _ message: String, atEdge: Bool = false) {
        if atEdge && partial { return }
        warnings.append(Diagnostic.importWarning(location: location(line, column), message: message))
    }

    /// Whether the file declares anything the import models.
    var hasLivepatchDeclarations: Bool { !patches.isEmpty || !objectArrays.isEmpty || !macros.isEmpty }

    // MARK: File scope

    private mutating func readFileScope(_ tokens: [CToken]) {
        var i = 0
        while i < tokens.count {
            let first = tokens[i]
            // Macros used as declarations, with or without a `;` after them.
            if first.kind == .identifier, i + 1 < tokens.count, tokens[i + 1].is("("),
                Self.macroNames[first.text] != nil || first.text == "module_param" || first.text == "module_param_named"
            {
                guard let close = Self.matching(tokens, from: i + 1) else {
                    warn(first.line, first.column, "unterminated '(' of \(first.text); the rest of the file is skipped")
                    return
                }
                let arguments = Self.split(Array(tokens[(i + 2)..<close]))
                if let kind = Self.macroNames[first.text] {
                    if arguments.count == 1, arguments[0].count == 1, arguments[0][0].kind == .identifier {
                        macros.append(
                            CallbackMacro(
                                callback: kind, macro: first.text, function: arguments[0][0].text, line: first.line,
                                column: first.column))
                    } else {
                        warn(first.line, first.column, "cannot read \(first.text)(...): expected one function name; skipped")
                    }
                } else if let name = arguments.first?.first, name.kind == .identifier {
                    // module_param(name, ...); module_param_named(sysfs, variable, ...) sets `variable`.
                    let variable = first.text == "module_param_named" && arguments.count > 1 ? arguments[1].first ?? name : name
                    moduleParameters[variable.text] = (first.line, first.column)
                }
                i = close + 1
                if i < tokens.count && tokens[i].is(";") { i += 1 }
                continue
            }
            // Scan the head of a declaration up to `;` or `{`.
            var j = i
            var stop: CToken?
            while j < tokens.count {
                let token = tokens[j]
                if token.is(";") || token.is("{") {
                    stop = token
                    break
                }
                if token.is("(") || token.is("[") {
                    guard let close = Self.matching(tokens, from: j) else {
                        warn(token.line, token.column, "unterminated '\(token.text)'; the rest of the file is skipped", atEdge: true)
                        return
                    }
                    j = close + 1
                    continue
                }
                if token.is("}") || token.is(")") || token.is("]") {
                    warn(token.line, token.column, "unexpected '\(token.text)' at file scope; skipped", atEdge: true)
                    stop = token
                    break
                }
                j += 1
            }
            let head = Array(tokens[i..<j])
            guard let stop else {
                if !head.isEmpty {
                    warn(first.line, first.column, "declaration without ';' at the end of the file; skipped", atEdge: true)
                }
                return
            }
            if stop.is("}") || stop.is(")") || stop.is("]") {
                i = j + 1
                continue
            }
            if stop.is(";") {
                declaration(head, initializer: nil)
                i = j + 1
                continue
            }
            // `{`: an initializer, a function body, or a struct/enum/union body.
            if head.contains(where: { $0.is("=") }) {
                var index = j
                let initializer = CInitializer.read(tokens, at: &index)
                if index > tokens.count || (index == tokens.count && !tokens[tokens.count - 1].is("}")) {
                    warn(stop.line, stop.column, "unterminated '{' of this initializer; it is read up to the end of the file", atEdge: true)
                }
                declaration(head, initializer: initializer)
                i = Self.skipPast(";", tokens, from: index)
                continue
            }
            guard let close = Self.matching(tokens, from: j) else {
                warn(stop.line, stop.column, "unterminated '{'; the rest of the file is skipped", atEdge: true)
                return
            }
            if head.last?.is(")") == true, let open = Self.opening(head, of: head.count - 1), open > 0,
                head[open - 1].kind == .identifier
            {
                let name = head[open - 1]
                let parameters = Self.split(Array(head[(open + 1)..<(head.count - 1)])).compactMap {
                    $0.last(where: { $0.kind == .identifier && $0.text != "void" })?.text
                }
                if functions[name.text] == nil {
                    functions[name.text] = Function(
                        name: name.text, parameters: parameters, body: Array(tokens[(j + 1)..<close]), line: name.line,
                        column: name.column)
                }
                i = close + 1
            } else {
                // `struct foo { ... } [var];`
                i = Self.skipPast(";", tokens, from: close + 1)
            }
        }
    }

    /// A declaration at file scope: a klp structure, or a global variable.
    private mutating func declaration(_ head: [CToken], initializer: CInitializer?) {
        guard let first = head.first, !first.is("typedef") else { return }
        if let s = head.firstIndex(where: { $0.is("struct") }), s + 1 < head.count,
            ["klp_func", "klp_object", "klp_state", "klp_patch"].contains(head[s + 1].text)
        {
            let type = head[s + 1].text
            guard let name = head[(s + 2)...].first(where: { $0.kind == .identifier && !$0.is("const") }) else { return }
            guard let initializer else {
                // `static struct klp_patch patch;`: a forward declaration.
                globals[name.text] = (name.line, name.column)
                return
            }
            let declaration = Declaration(name: name.text, initializer: initializer, line: name.line, column: name.column)
            switch type {
            case "klp_func": functionArrays.append(declaration)
            case "klp_object": objectArrays.append(declaration)
            case "klp_state": stateArrays.append(declaration)
            default: patches.append(declaration)
            }
            globals[name.text] = (name.line, name.column)
            return
        }
        if head.contains(where: { $0.is("extern") }) { return }
        let equals = head.firstIndex(where: { $0.is("=") }) ?? head.count
        let declarator = head[..<equals]
        // A prototype, or something this reader does not model.
        if declarator.contains(where: { $0.is("(") }) { return }
        var end = declarator.endIndex
        if let bracket = declarator.firstIndex(where: { $0.is("[") }) { end = bracket }
        if let name = head[..<end].last(where: { $0.kind == .identifier }), head[..<end].count >= 2 {
            globals[name.text] = (name.line, name.column)
        }
    }

    // MARK: Token helpers

    /// The index of the bracket closing the one at `open`, or nil.
    static func matching(_ tokens: [CToken], from open: Int) -> Int? {
        var depth = 0
        var i = open
        while i < tokens.count {
            let t = tokens[i]
            if t.is("(") || t.is("[") || t.is("{") { depth += 1 }
            if t.is(")") || t.is("]") || t.is("}") {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }

    /// The index of the bracket opening the one closing at `close`, or nil.
    static func opening(_ tokens: [CToken], of close: Int) -> Int? {
        var depth = 0
        var i = close
        while i >= 0 {
            let t = tokens[i]
            if t.is(")") || t.is("]") || t.is("}") { depth += 1 }
            if t.is("(") || t.is("[") || t.is("{") {
                depth -= 1
                if depth == 0 { return i }
            }
            i -= 1
        }
        return nil
    }

    /// `tokens` split at top-level commas.
    static func split(_ tokens: [CToken]) -> [[CToken]] {
        var parts: [[CToken]] = [[]]
        var depth = 0
        for t in tokens {
            if t.is("(") || t.is("[") || t.is("{") { depth += 1 }
            if t.is(")") || t.is("]") || t.is("}") { depth -= 1 }
            if depth == 0 && t.is(",") {
                parts.append([])
            } else {
                parts[parts.count - 1].append(t)
            }
        }
        return parts.filter { !$0.isEmpty }
    }

    /// The index past the next `text` at depth 0 from `start` (or the end).
    static func skipPast(_ text: String, _ tokens: [CToken], from start: Int) -> Int {
        var i = start
        while i < tokens.count {
            if tokens[i].is(text) { return i + 1 }
            if tokens[i].is("{") || tokens[i].is("(") || tokens[i].is("[") {
                guard let close = matching(tokens, from: i) else { return tokens.count }
                i = close + 1
                continue
            }
            // A new declaration started without the `;`: stop before it.
            if tokens[i].is("static") || tokens[i].is("struct") { return i }
            i += 1
        }
        return tokens.count
    }

    // MARK: Values

    /// The tokens of an expression with `#define`d names replaced (a few rounds) and outer parentheses removed.
    func expand(_ tokens: [CToken]) -> [CToken] {
        var tokens = tokens
        for _ in 0..<8 {
            var changed = false
            var out: [CToken] = []
            for t in tokens {
                if t.kind == .identifier, let define = defines[t.text], !define.value.isEmpty {
                    out += define.value
                    changed = true
                } else {
                    out.append(t)
                }
            }
            tokens = out
            if !changed { break }
        }
        while tokens.count >= 2, tokens.first!.is("("), Self.matching(tokens, from: 0) == tokens.count - 1 {
            tokens = Array(tokens.dropFirst().dropLast())
        }
        return tokens
    }

    /// An integer expression's value: literals (decimal, hex, octal, with
    /// U/L suffixes), `true`/`false`, `+ - * / << >> |` and parentheses, through `#define`s.
    func integer(_ tokens: [CToken]) -> Int? {
        let tokens = expand(tokens)
        var index = 0
        guard let value = Self.evaluate(tokens, &index, precedence: 0, depth: 0), index == tokens.count else { return nil }
        return value
    }

    private static let binary: [String: (precedence: Int, apply: @Sendable (Int, Int) -> Int?)] = [
        "|": (1, { $0 | $1 }), "<<": (2, { $1 >= 0 && $1 < 63 ? $0 << $1 : nil }), ">>": (2, { $1 >= 0 && $1 < 63 ? $0 >> $1 : nil }),
        "+": (3, { $0.addingReportingOverflow($1).overflow ? nil : $0 + $1 }),
        "-": (3, { $0.subtractingReportingOverflow($1).overflow ? nil : $0 - $1 }),
        "*": (4, { $0.multipliedReportingOverflow(by: $1).overflow ? nil : $0 * $1 }), "/": (4, { $1 == 0 || ($0 == Int.min && $1 == -1) ? nil : $0 / $1 }),
    ]

    /// Precedence climbing over `tokens` from `index`.
    private static func evaluate(_ tokens: [CToken], _ index: inout Int, precedence: Int, depth: Int) -> Int? {
        // Deeper than any constant a livepatch declares: not a constant, and no deep recursion.
        guard depth < 32, var left = operand(tokens, &index, depth: depth + 1) else { return nil }
        while index < tokens.count, let op = binary[tokens[index].text], tokens[index].kind == .punctuation, op.precedence > precedence {
            index += 1
            guard let right = evaluate(tokens, &index, precedence: op.precedence, depth: depth + 1), let value = op.apply(left, right) else { return nil }
            left = value
        }
        return left
    }

    private static func operand(_ tokens: [CToken], _ index: inout Int, depth: Int) -> Int? {
        guard index < tokens.count, depth < 32 else { return nil }
        let token = tokens[index]
        index += 1
        if token.is("-") { return operand(tokens, &index, depth: depth + 1).flatMap { $0 == Int.min ? nil : -$0 } }
        if token.is("(") {
            guard let value = evaluate(tokens, &index, precedence: 0, depth: depth + 1), index < tokens.count, tokens[index].is(")") else { return nil }
            index += 1
            return value
        }
        if token.is("true") { return 1 }
        if token.is("false") { return 0 }
        guard token.kind == .number else { return nil }
        var text = token.text.lowercased()
        while let last = text.last, last == "u" || last == "l" { text.removeLast() }
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.count > 1 && text.hasPrefix("0") { return Int(text.dropFirst(), radix: 8) }
        return Int(text)
    }

    /// A string expression's contents (`"a"`, adjacent literals joined), through `#define`s.
    func string(_ tokens: [CToken]) -> String? {
        let tokens = expand(tokens)
        guard !tokens.isEmpty, tokens.allSatisfy({ $0.kind == .string }) else { return nil }
        return tokens.compactMap(\.stringValue).joined()
    }
}
