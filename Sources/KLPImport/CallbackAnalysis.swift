import Livepatch

/// What a callback's body (and the file's functions it calls) plainly does:
/// the ways it can return an error, and the allocations, frees, saves, sets
/// and restores of named globals and `klp_state` data that become commented
/// author-contract suggestions. Reads only simple statements; anything else
/// is left to the author, never guessed.
struct CallbackAnalysis {
    /// A way the callback can return non-zero.
    struct Failure: Equatable {
        /// The errno, negative, when the source names it.
        var errno: Int32?
        /// Its name (`ENOMEM`), when the source names one.
        var name: String?
        /// Why, in words, for the comment.
        var reason: String
        var line: Int
        var column: Int
    }

    /// One suggested contract action, with the statement it comes from.
    struct Action: Equatable {
        /// `alloc NAME`, `free NAME`, `adopt NAME`, `save S in NAME`, `set S=V`, `restore S from NAME`.
        var text: String
        var line: Int
        var column: Int
        /// The statement, shortened, for the comment.
        var source: String
    }

    /// Data named by the actions: whether some action allocates it.
    var data: [(name: String, allocated: Bool)] = []
    /// Settings named by the actions, with the values set, in order.
    var settings: [(name: String, values: [String])] = []
    var failures: [Failure] = []
    var actions: [Action] = []
    /// Where the body asks `klp_get_prev_state()`: its actions may need `if-prev`/`unless-prev`.
    var previousStateQuery: (line: Int, column: Int)?
    /// Whether the callback's body was found in the file.
    var bodyFound = false

    private let file: CSourceFile
    private let stateDataName: (Int) -> String
    private var visited: Set<String> = []

    /// Analyses the function `name` of `file`; `stateDataName` names the data of a state id.
    init(function name: String, in file: CSourceFile, stateDataName: @escaping (Int) -> String) {
        self.file = file
        self.stateDataName = stateDataName
        guard let function = file.functions[name] else { return }
        bodyFound = true
        failures = returnFailures(of: function, depth: 0)
        walk(function, depth: 0)
    }

    // MARK: Statements

    /// A statement's tokens with `if (...)`, `else`, `while (...)`, `for (...)` prefixes removed.
    static func statements(_ body: [CToken]) -> [[CToken]] {
        var result: [[CToken]] = []
        var current: [CToken] = []
        var i = 0
        while i < body.count {
            let t = body[i]
            if current.isEmpty, t.is("if") || t.is("while") || t.is("for") || t.is("switch"), i + 1 < body.count,
                body[i + 1].is("("), let close = CSourceFile.matching(body, from: i + 1)
            {
                i = close + 1
                continue
            }
            if current.isEmpty && (t.is("else") || t.is("do")) {
                i += 1
                continue
            }
            if t.is(";") || t.is("{") || t.is("}") {
                if !current.isEmpty { result.append(current) }
                current = []
                i += 1
                continue
            }
            current.append(t)
            i += 1
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    private static let typeWords: Set<String> = [
        "int", "long", "unsigned", "signed", "short", "char", "bool", "void", "size_t", "u8", "u16", "u32", "u64", "s8",
        "s16", "s32", "s64", "struct", "const", "static", "enum", "union", "float", "double", "ssize_t", "loff_t",
    ]

    /// The local names of a function and their initializers: parameters and declarations.
    private static func locals(of function: CSourceFile.Function) -> [String: [CToken]] {
        var locals: [String: [CToken]] = [:]
        for parameter in function.parameters { locals[parameter] = [] }
        for statement in statements(function.body) {
            guard let first = statement.first, typeWords.contains(first.text) else { continue }
            for part in CSourceFile.split(statement) {
                let equals = part.firstIndex(where: { $0.is("=") }) ?? part.count
                let declarator = part[..<equals]
                let end = declarator.firstIndex(where: { $0.is("[") }) ?? declarator.endIndex
                if let name = part[..<end].last(where: { $0.kind == .identifier && !typeWords.contains($0.text) }) {
                    locals[name.text] = equals < part.count ? Array(part[(equals + 1)...]) : []
                }
            }
        }
        return locals
    }

    /// A declaration with an initializer as an assignment (`int *p = x` → `p = x`), or the statement.
    private static func withoutType(_ statement: [CToken]) -> [CToken] {
        guard let first = statement.first, typeWords.contains(first.text),
            let equals = statement.firstIndex(where: { $0.is("=") }), equals > 0, statement[equals - 1].kind == .identifier
        else { return statement }
        return Array(statement[(equals - 1)...])
    }

    // MARK: Returns

    private func returnFailures(of function: CSourceFile.Function, depth: Int) -> [Failure] {
        guard depth < 8 else { return [] }
        let locals = Self.locals(of: function)
        var failures: [Failure] = []
        for statement in Self.statements(function.body) where statement.first?.is("return") == true {
            let value = Array(statement.dropFirst())
            failures += valueFailures(value, at: statement[0], in: function, locals: locals, depth: depth, seen: [])
        }
        return failures
    }

    /// How an expression returned (or assigned to a returned variable) can be non-zero.
    private func valueFailures(
        _ tokens: [CToken], at origin: CToken, in function: CSourceFile.Function, locals: [String: [CToken]], depth: Int,
        seen: Set<String>
    ) -> [Failure] {
        let value = Self.stripped(tokens)
        if value.isEmpty { return [] }
        guard depth < 16 else {
            return [Failure(errno: nil, name: nil, reason: "returns an expression nested too deep to read", line: origin.line, column: origin.column)]
        }
        if let number = file.integer(value) {
            return number == 0 ? [] : [Failure(errno: Int32(clamping: number < 0 ? number : -number), name: nil, reason: "returns \(Self.text(value))", line: origin.line, column: origin.column)]
        }
        // `cond ? a : b`: either branch.
        if let question = Self.topLevel("?", in: value), let colon = Self.topLevel(":", in: value), question < colon {
            return valueFailures(Array(value[(question + 1)..<colon]), at: origin, in: function, locals: locals, depth: depth + 1, seen: seen)
                + valueFailures(Array(value[(colon + 1)...]), at: origin, in: function, locals: locals, depth: depth + 1, seen: seen)
        }
        let expanded = file.expand(value)
        if expanded.count == 2, expanded[0].is("-"), let errno = ErrnoTable.value(of: expanded[1].text) {
            return [Failure(errno: -errno, name: expanded[1].text, reason: "returns -\(expanded[1].text)", line: origin.line, column: origin.column)]
        }
        if value.count == 1, value[0].kind == .identifier {
            let name = value[0].text
            if let initial = locals[name], !seen.contains(name) {
                var failures = valueFailures(initial, at: origin, in: function, locals: locals, depth: depth, seen: seen.union([name]))
                for statement in Self.statements(function.body) {
                    let s = Self.withoutType(statement)
                    if s.count > 2, s[0].is(name), s[1].is("=") {
                        failures += valueFailures(Array(s[2...]), at: s[0], in: function, locals: locals, depth: depth, seen: seen.union([name]))
                    }
                }
                return failures
            }
            if let parameter = file.moduleParameters[name] {
                return [Failure(errno: nil, name: nil, reason: "returns the module parameter \(name) (module_param at \(file.path):\(parameter.line)), which can be set non-zero", line: origin.line, column: origin.column)]
            }
            if file.globals[name] != nil {
                return [Failure(errno: nil, name: nil, reason: "returns the global \(name), which can be non-zero", line: origin.line, column: origin.column)]
            }
        }
        if value.count >= 3, value[0].kind == .identifier, value[1].is("("), CSourceFile.matching(value, from: 1) == value.count - 1 {
            if let callee = file.functions[value[0].text] {
                return returnFailures(of: callee, depth: depth + 1)
            }
            return [Failure(errno: nil, name: nil, reason: "returns what \(value[0].text)() returns, which this import cannot see", line: origin.line, column: origin.column)]
        }
        return [Failure(errno: nil, name: nil, reason: "returns '\(Self.text(value))', which this import cannot read", line: origin.line, column: origin.column)]
    }

    /// The index of the first `text` outside brackets.
    private static func topLevel(_ text: String, in tokens: [CToken]) -> Int? {
        var depth = 0
        for (i, t) in tokens.enumerated() {
            if t.is("(") || t.is("[") || t.is("{") { depth += 1 }
            if t.is(")") || t.is("]") || t.is("}") { depth -= 1 }
            if depth == 0 && t.is(text) { return i }
        }
        return nil
    }

    // MARK: Effects

    /// What a reference in an assignment or a call names.
    private enum Reference: Equatable {
        case stateData(id: Int, deref: Bool)
        case previousStateData(id: Int)
        case global(String, deref: Bool)
        case external(String)
        case constant(String)
        case allocation(String)
        case other
    }

    private static let allocators: Set<String> = [
        "kzalloc", "kmalloc", "kcalloc", "kmalloc_array", "kvzalloc", "kvmalloc", "vzalloc", "vmalloc", "kmemdup",
        "kstrdup", "kzalloc_node", "kmalloc_node",
    ]
    private static let freers: Set<String> = ["kfree", "vfree", "kvfree", "kfree_sensitive", "kzfree"]

    private mutating func walk(_ function: CSourceFile.Function, depth: Int) {
        // Helpers of helpers are followed a few calls deep, never as deep as a hostile file goes.
        guard !visited.contains(function.name), depth < 8 else { return }
        visited.insert(function.name)
        let locals = Self.locals(of: function)
        var statePointers: [String: (id: Int, previous: Bool)] = [:]
        for statement in Self.statements(function.body) {
            let s = Self.withoutType(statement)
            // Bind `p = klp_get_state(&patch, ID)` and `p = klp_get_prev_state(ID)`.
            if s.count > 3, s[0].kind == .identifier, s[1].is("="), let binding = stateQuery(Array(s[2...])) {
                statePointers[s[0].text] = binding
                if binding.previous, previousStateQuery == nil { previousStateQuery = (s[2].line, s[2].column) }
                continue
            }
            // Calls of the file's own functions: their effects happen here.
            for (i, t) in s.enumerated() where t.kind == .identifier && i + 1 < s.count && s[i + 1].is("(") {
                if let callee = file.functions[t.text], callee.name != function.name { walk(callee, depth: depth + 1) }
            }
            if s.count >= 4, Self.freers.contains(s[0].text), s[1].is("("), s.last!.is(")") {
                let argument = classify(Array(s[2..<(s.count - 1)]), locals: locals, pointers: statePointers)
                if let name = pointerName(argument) {
                    record("free \(name)", s, data: name, allocated: false)
                }
                continue
            }
            guard let equals = s.firstIndex(where: { $0.is("=") }), equals > 0, equals + 1 < s.count else { continue }
            let left = classify(Array(s[..<equals]), locals: locals, pointers: statePointers)
            let right = classify(Array(s[(equals + 1)...]), locals: locals, pointers: statePointers)
            switch (left, right) {
            case (_, .allocation):
                if let name = pointerName(left) { record("alloc \(name)", s, data: name, allocated: true) }
            case (.stateData(let id, false), .previousStateData):
                record("adopt \(stateDataName(id))", s, data: stateDataName(id), allocated: false)
            case (.stateData(let id, true), .external(let setting)), (.stateData(let id, true), .global(let setting, false)):
                record("save \(setting) in \(stateDataName(id))", s, data: stateDataName(id), allocated: false, setting: setting)
            case (.global(let name, true), .external(let setting)), (.global(let name, false), .external(let setting)):
                record("save \(setting) in \(name)", s, data: name, allocated: false, setting: setting)
            case (.external(let setting), .constant(let value)), (.global(let setting, false), .constant(let value)):
                guard value != "NULL" else { continue }
                record("set \(setting)=\(value)", s, setting: setting, value: value)
            case (.external(let setting), .stateData(let id, true)):
                record("restore \(setting) from \(stateDataName(id))", s, data: stateDataName(id), allocated: false, setting: setting)
            case (.external(let setting), .global(let name, _)):
                record("restore \(setting) from \(name)", s, data: name, allocated: false, setting: setting)
            default:
                continue
            }
        }
    }

    /// `klp_get_state(&patch, ID)` or `klp_get_prev_state(ID)`: the id and which.
    private func stateQuery(_ tokens: [CToken]) -> (id: Int, previous: Bool)? {
        guard tokens.count >= 4, tokens[1].is("("), tokens.last!.is(")"),
            tokens[0].is("klp_get_state") || tokens[0].is("klp_get_prev_state")
        else { return nil }
        let arguments = CSourceFile.split(Array(tokens[2..<(tokens.count - 1)]))
        guard let last = arguments.last, let id = file.integer(last) else { return nil }
        return (id, tokens[0].is("klp_get_prev_state"))
    }

    /// The data a pointer reference names.
    private func pointerName(_ reference: Reference) -> String? {
        switch reference {
        case .stateData(let id, false): return stateDataName(id)
        case .global(let name, false): return name
        default: return nil
        }
    }

    private func classify(_ tokens: [CToken], locals: [String: [CToken]], pointers: [String: (id: Int, previous: Bool)]) -> Reference {
        var t = Self.stripped(tokens)
        var deref = false
        if t.first?.is("*") == true {
            deref = true
            t = Self.stripped(Array(t.dropFirst()))
        }
        if t.count >= 3, t[1].is("("), Self.allocators.contains(t[0].text) { return .allocation(t[0].text) }
        if t.count == 3, t[1].is("->"), t[2].is("data"), let pointer = pointers[t[0].text] {
            return pointer.previous ? (deref ? .other : .previousStateData(id: pointer.id)) : .stateData(id: pointer.id, deref: deref)
        }
        guard t.count == 1 || (t.count == 2 && t[0].is("-") && t[1].kind == .number) else { return .other }
        if t.count == 2 { return deref ? .other : .constant("-" + t[1].text) }
        let token = t[0]
        if token.kind == .number { return deref ? .other : .constant(token.text) }
        guard token.kind == .identifier, locals[token.text] == nil, file.functions[token.text] == nil else { return .other }
        if file.globals[token.text] != nil { return .global(token.text, deref: deref) }
        if deref { return .other }
        if file.defines[token.text] != nil || token.text == "true" || token.text == "false" || token.text == "NULL"
            || token.text == token.text.uppercased()
        {
            return .constant(token.text)
        }
        return .external(token.text)
    }

    private mutating func record(
        _ text: String, _ statement: [CToken], data name: String? = nil, allocated: Bool = false, setting: String? = nil,
        value: String? = nil
    ) {
        let first = statement[0]
        if actions.contains(where: { $0.text == text && $0.line == first.line }) { return }
        actions.append(Action(text: text, line: first.line, column: first.column, source: Self.text(statement) + ";"))
        if let name {
            if let index = data.firstIndex(where: { $0.name == name }) {
                data[index].allocated = data[index].allocated || allocated
            } else {
                data.append((name, allocated))
            }
        }
        if let setting {
            if let index = settings.firstIndex(where: { $0.name == setting }) {
                if let value, !settings[index].values.contains(value) { settings[index].values.append(value) }
            } else {
                settings.append((setting, value.map { [$0] } ?? []))
            }
        }
    }

    // MARK: Text

    /// Without outer parentheses and leading casts `(int *)`.
    ///
    /// - Complexity: O(n): each bracket's partner is found once (as
    ///   `CSourceFile.matching` pairs them, any kind with any kind), so
    ///   thousands of nested parentheses peel in one pass, not one pass each.
    static func stripped(_ tokens: [CToken]) -> [CToken] {
        var partner = [Int](repeating: -1, count: tokens.count)
        var open: [Int] = []
        for (index, token) in tokens.enumerated() {
            if token.is("(") || token.is("[") || token.is("{") {
                open.append(index)
            } else if token.is(")") || token.is("]") || token.is("}"), let opening = open.popLast() {
                partner[opening] = index
            }
        }
        var lower = 0
        var upper = tokens.count
        while upper - lower >= 2, tokens[lower].is("("), partner[lower] > lower, partner[lower] < upper {
            let close = partner[lower]
            if close == upper - 1 {
                lower += 1
                upper -= 1
                continue
            }
            // A cast: `(type *)` followed by more.
            let inside = tokens[(lower + 1)..<close]
            if let first = inside.first, typeWords.contains(first.text) || inside.contains(where: { $0.is("*") }) && inside.allSatisfy({ $0.kind == .identifier || $0.is("*") }) {
                lower = close + 1
                continue
            }
            break
        }
        return Array(tokens[lower..<upper])
    }

    /// Tokens as one line of C, spaced as in the source (one blank between
    /// lines), cut at 60 characters.
    static func text(_ tokens: [CToken]) -> String {
        var out = ""
        var previous: CToken?
        for t in tokens {
            if let p = previous, p.line != t.line || t.column > p.column + p.text.utf8.count { out += " " }
            out += t.text
            previous = t
        }
        return VisibleText.shortened(out, limit: 60)
    }
}
