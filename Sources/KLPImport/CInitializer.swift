/// A brace initializer, `{ .name = "mod", .callbacks = { ... }, }`, read
/// tolerantly: designators in any order (`.a.b =` too), positional entries,
/// trailing commas and empty `{ }` terminators.
indirect enum CInitializer: Sendable, Equatable {
    /// A `{ ... }` list of entries.
    case list([Entry], line: Int, column: Int)
    /// An expression, as its tokens.
    case expression([CToken])

    /// One entry of a list: its designator path (`["callbacks", "pre_patch"]`;
    /// empty when positional) and its value.
    struct Entry: Sendable, Equatable {
        var designator: [String]
        var value: CInitializer
        var line: Int
        var column: Int
    }

    /// The entries of a list, or none.
    var entries: [Entry] {
        if case .list(let entries, _, _) = self { return entries }
        return []
    }

    /// Whether this is `{ }`, an array's terminator.
    var isEmptyList: Bool {
        if case .list(let entries, _, _) = self { return entries.isEmpty }
        return false
    }

    /// The value designated `.name` (or `.a.b` for a path), following nested lists.
    func field(_ path: String...) -> Entry? { field(path) }

    func field(_ path: [String]) -> Entry? {
        for entry in entries {
            if entry.designator == path { return entry }
            if !entry.designator.isEmpty, path.starts(with: entry.designator) {
                if let inner = entry.value.field(Array(path.dropFirst(entry.designator.count))) { return inner }
            }
        }
        return nil
    }

    /// The deepest nesting read.
    static let maximumDepth = 16

    /// Reads a list starting at `tokens[index]` (a `{`); `index` ends past its `}`.
    static func read(_ tokens: [CToken], at index: inout Int, depth: Int = 0) -> CInitializer {
        let open = tokens[index]
        // Deeper than any klp declaration: skipped, so hostile nesting cannot exhaust the stack.
        guard depth < maximumDepth else {
            index = (CSourceFile.matching(tokens, from: index) ?? tokens.count - 1) + 1
            return .list([], line: open.line, column: open.column)
        }
        index += 1
        var entries: [Entry] = []
        while index < tokens.count && !tokens[index].is("}") {
            let start = tokens[index]
            var designator: [String] = []
            var probe = index
            while probe + 1 < tokens.count, tokens[probe].is("."), tokens[probe + 1].kind == .identifier {
                designator.append(tokens[probe + 1].text)
                probe += 2
            }
            if !designator.isEmpty, probe < tokens.count, tokens[probe].is("=") {
                index = probe + 1
            } else {
                designator = []
            }
            let value: CInitializer
            if index < tokens.count && tokens[index].is("{") {
                value = read(tokens, at: &index, depth: depth + 1)
            } else {
                var depth = 0
                var expression: [CToken] = []
                while index < tokens.count {
                    let token = tokens[index]
                    if depth == 0 && (token.is(",") || token.is("}")) { break }
                    if token.is("(") || token.is("[") || token.is("{") { depth += 1 }
                    if token.is(")") || token.is("]") || token.is("}") { depth -= 1 }
                    expression.append(token)
                    index += 1
                }
                value = .expression(expression)
            }
            entries.append(Entry(designator: designator, value: value, line: start.line, column: start.column))
            if index < tokens.count && tokens[index].is(",") { index += 1 }
        }
        if index < tokens.count { index += 1 }
        return .list(entries, line: open.line, column: open.column)
    }
}
