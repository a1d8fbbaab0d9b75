import Foundation

/// Parses the `.klp` model language (Livepatch.docc, ModelLanguage) into a `World`.
///
/// Every error of a file is collected (a bad token or line is skipped and
/// parsing goes on); they are thrown together, sorted by line and column.
/// Lines and columns are 1-based; columns count UTF-8 bytes.
public enum ModelParser {
    /// Parses a model's text; `file` names it in the world and in diagnostics.
    public static func parse(_ text: String, file: String) throws(ModelErrors) -> World {
        var parser = KLPParser(file: file)
        return try parser.run(Array(text.utf8))
    }

    /// Reads and parses a model file. An unreadable file is reported at line
    /// 1, column 1; one that is not UTF-8 text at its first bad byte.
    public static func parse(contentsOf path: String) throws(ModelErrors) -> World {
        let start = SourceLocation(file: path, line: 1, column: 1)
        let bytes: [UInt8]
        switch readFile(path) {
        case .success(let b): bytes = b
        case .failure(let problem):
            throw ModelErrors(diagnostics: [Diagnostic(location: start, message: problem.message)])
        }
        return try parse(decode(bytes, file: path, what: "model file"), file: path)
    }

    /// `bytes` as text, or a diagnostic at the first byte that is not UTF-8
    /// (its own line and column, so an editor jumps to it); `what` names the input.
    public static func decode(_ bytes: [UInt8], file: String, what: String) throws(ModelErrors) -> String {
        if let bad = firstInvalidUTF8(bytes) {
            let (line, column) = position(of: bad, in: bytes)
            throw ModelErrors(diagnostics: [
                Diagnostic(
                    location: SourceLocation(file: file, line: line, column: column),
                    message: "\(what) is not valid UTF-8 text (invalid byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))"
                )
            ])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The largest model file read: a guard against `/dev/zero` and the like.
    static let maximumFileSize = SourceFile.maximumSize

    static func readFile(_ path: String) -> Result<[UInt8], SourceFile.Problem> {
        SourceFile.bytes(atPath: path, what: "model file")
    }

    /// The byte offset of the first byte that does not start a valid UTF-8 sequence, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// 1-based line and column (in bytes) of a byte offset.
    static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart + 1)
    }

    // MARK: Vocabulary, shared by messages and tests.

    static let keywords = [
        "tasks", "force", "core", "module", "patch", "state", "object", "check", "expect", "data", "setting", "on",
        "code", "original",
    ]
    static let callbackForms = [
        "pre_patch", "pre_patch(may-fail ERRNO)", "pre_patch(fails ERRNO)", "post_patch", "pre_unpatch",
        "post_unpatch", "patching(may-fail)",
    ]
    static let errnoNames: [(String, Int32)] = [
        ("-ENODEV", -19), ("-EBUSY", -16), ("-EINVAL", -22), ("-ENOMEM", -12), ("-EPERM", -1), ("-EAGAIN", -11),
    ]
    static let errnoExpected = "expected -ENODEV, -EBUSY, -EINVAL, -ENOMEM, -EPERM, -EAGAIN or a negative integer"
    static let namePattern = "[A-Za-z_][A-Za-z0-9_-]*"
    static var propertyList: String { LivepatchProperty.allCases.map(\.rawValue).joined(separator: ", ") }
    static var violationList: String {
        LivepatchProperty.allCases.filter { !$0.isFinding }.map(\.rawValue).joined(separator: ", ")
    }
    static var findingList: String {
        LivepatchProperty.allCases.filter(\.isFinding).map(\.rawValue).joined(separator: ", ")
    }
    static var variantList: String { CoreVariant.allCases.map(\.rawValue).joined(separator: ", ") }
}

// MARK: - Tokens

/// A token of one line: its bytes and its 1-based starting column.
private struct Token {
    var bytes: [UInt8]
    var column: Int
    /// An unterminated `(`, already reported.
    var broken = false

    var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The token as a message quotes it: escaped, cut short, in quotes.
    var quoted: String { VisibleText.quoted(text) }
    /// The token as a message shows it unquoted (a number): escaped, cut short.
    var shown: String { VisibleText.shortened(text) }
    /// The column just past the token.
    var end: Int { column + bytes.count }
    var startsWithParen: Bool { bytes.first == UInt8(ascii: "(") }
}

private let space = UInt8(ascii: " ")
private let tab = UInt8(ascii: "\t")
private let carriageReturn = UInt8(ascii: "\r")
private let hash = UInt8(ascii: "#")
private let openParen = UInt8(ascii: "(")
private let closeParen = UInt8(ascii: ")")
private let colon = UInt8(ascii: ":")
private let minus = UInt8(ascii: "-")

@inline(__always) private func isBlank(_ c: UInt8) -> Bool { c == space || c == tab || c == carriageReturn }

private func isValidName(_ b: [UInt8]) -> Bool {
    guard let first = b.first else { return false }
    func letter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
            || c == UInt8(ascii: "_")
    }
    guard letter(first) else { return false }
    return b.dropFirst().allSatisfy { letter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == minus }
}

private enum Number {
    case value(Int)
    case malformed
    case overflow(negative: Bool)
}

/// A decimal integer with an optional leading `-`.
private func parseNumber(_ b: [UInt8]) -> Number {
    var digits = b[...]
    var negative = false
    if digits.first == minus {
        negative = true
        digits = digits.dropFirst()
    }
    guard !digits.isEmpty else { return .malformed }
    var value = 0
    var overflow = false
    for c in digits {
        guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return .malformed }
        if overflow { continue }
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
        if o1 || o2 { overflow = true } else { value = s }
    }
    if overflow { return .overflow(negative: negative) }
    return .value(negative ? -value : value)
}

// MARK: - Parser

private struct ObjectBuild {
    var targetName: String
    var targetLocation: SourceLocation
    var callbacks: Set<CallbackKind> = []
    var prePatch: PrePatchOutcome = .succeeds
    var patchingMayFail = false
    var contract = ObjectContract()
}

private struct PatchBuild {
    /// Nil when the `patch` line had no usable name.
    var name: String?
    var location: SourceLocation
    var replace = false
    var states: [SystemState] = []
    var stateLocations: [Int: SourceLocation] = [:]
    var objects: [ObjectBuild] = []
    /// Where each target was first given, for duplicates.
    var objectTargets: [String: SourceLocation] = [:]
    /// `object` lines seen, good or bad: a patch whose only object line was bad is not also "without object".
    var objectLines = 0
    /// Whether the latest `object` line gave an object (contract lines attach to it).
    var lastObjectOK = false
    /// `adopt` actions, checked against the patch's `state ... carries` lines at the end.
    var adopts: [(data: Int, location: SourceLocation)] = []
}

/// One parsed callback token.
private enum Callback: Equatable {
    case plain(CallbackKind)
    case prePatch(PrePatchOutcome)
    case patchingMayFail
}

private struct KLPParser {
    let file: String
    var diagnostics: [Diagnostic] = []

    var tasks: (value: Int, location: SourceLocation)?
    var force: (value: Bool, location: SourceLocation)?
    var core: (value: CoreVariant, location: SourceLocation)?
    var expectation: (value: Expectation, location: SourceLocation)?
    var checkAll = false
    var checked: [LivepatchProperty] = []
    /// The property token of `expect fail NAME`.
    var failLocation: SourceLocation?

    var modules: [ModuleDecl] = []
    var moduleIndex: [String: Int] = [:]
    /// Names of modules whose declaration was rejected: targets naming them are not reported again.
    var rejectedModules: Set<String> = []
    var patches: [PatchBuild] = []
    var patchIndex: [String: Int] = [:]
    var objectCount = 0
    var reportedPatchLimit = false
    var reportedModuleLimit = false
    var reportedObjectLimit = false
    /// Author data and settings (`data`, `setting` lines).
    var data: [DataDecl] = []
    var dataIndex: [String: Int] = [:]
    var settings: [SettingDecl] = []
    var settingIndex: [String: Int] = [:]
    /// `setting NAME in MODULE`: the module, resolved at the end.
    var settingOwners: [(setting: Int, module: String, location: SourceLocation)] = []

    init(file: String) { self.file = file }

    func location(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    mutating func error(_ line: Int, _ column: Int, _ message: String) {
        diagnostics.append(Diagnostic(location: location(line, column), message: message))
    }

    static func at(_ l: SourceLocation) -> String { "\(l.line):\(l.column)" }

    // MARK: Driver

    mutating func run(_ text: [UInt8]) throws(ModelErrors) -> World {
        var lineNumber = 1
        var start = 0
        var bytes = text
        // A UTF-8 byte order mark is blank space.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes[0] = space
            bytes[1] = space
            bytes[2] = space
        }
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let tokens = tokenize(bytes[start..<end], line: lineNumber)
            if !tokens.isEmpty { parseLine(tokens, line: lineNumber) }
            lineNumber += 1
            start = end + 1
        }
        finish()
        if !diagnostics.isEmpty {
            let sorted = diagnostics.enumerated().sorted { a, b in
                let (x, y) = (a.element.location, b.element.location)
                if x.line != y.line { return x.line < y.line }
                if x.column != y.column { return x.column < y.column }
                return a.offset < b.offset
            }.map(\.element)
            throw ModelErrors(diagnostics: sorted)
        }
        return World(
            file: file,
            tasks: tasks?.value ?? 2,
            force: force?.value ?? false,
            core: core?.value ?? .upstream,
            modules: modules,
            patches: patches.map { build in
                PatchDecl(
                    name: build.name ?? "",
                    replace: build.replace,
                    states: build.states,
                    objects: build.objects.map { o in
                        ObjectDecl(
                            target: o.targetName == "vmlinux" ? .vmlinux : .module(moduleIndex[o.targetName] ?? 0),
                            callbacks: o.callbacks,
                            prePatch: o.prePatch,
                            patchingMayFail: o.patchingMayFail,
                            location: o.targetLocation,
                            contract: o.contract
                        )
                    },
                    location: build.location
                )
            },
            checked: checkAll ? [] : checked,
            expectation: expectation?.value ?? .pass,
            expectationLocation: expectation?.location
        ).withContracts(data: data, settings: settings)
    }

    /// Splits a line into tokens: blanks separate them, `#` starts a comment,
    /// and a parenthesised group (blanks included) belongs to its token.
    mutating func tokenize(_ line: ArraySlice<UInt8>, line lineNumber: Int) -> [Token] {
        let b = Array(line)
        var tokens: [Token] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == hash { break }
            if isBlank(c) {
                i += 1
                continue
            }
            let start = i
            var depth = 0
            var firstOpen = 0
            while i < b.count {
                let c = b[i]
                if c == hash || (depth == 0 && isBlank(c)) { break }
                if c == openParen {
                    if depth == 0 { firstOpen = i }
                    depth += 1
                } else if c == closeParen && depth > 0 {
                    depth -= 1
                }
                i += 1
            }
            var token = Token(bytes: Array(b[start..<i]), column: start + 1)
            if depth > 0 {
                token.broken = true
                error(lineNumber, firstOpen + 1, "unterminated '('; expected ')' before the end of the line")
            }
            tokens.append(token)
            if i < b.count && b[i] == hash { break }
        }
        return tokens
    }

    mutating func parseLine(_ tokens: [Token], line: Int) {
        let keyword = tokens[0]
        if keyword.broken { return }
        let args = Array(tokens.dropFirst())
        if keyword.text == "object" {
            parseObject(keyword, args, line: line)
            return
        }
        if args.contains(where: \.broken) {
            // The bad token is reported; keep later lines attached to this patch.
            if keyword.text == "patch" { patches.append(PatchBuild(name: nil, location: location(line, keyword.column))) }
            return
        }
        switch keyword.text {
        case "tasks": parseTasks(keyword, args, line: line)
        case "force": parseForce(keyword, args, line: line)
        case "core": parseCore(keyword, args, line: line)
        case "module": parseModule(keyword, args, line: line)
        case "patch": parsePatch(keyword, args, line: line)
        case "state": parseState(keyword, args, line: line)
        case "check": parseCheck(keyword, args, line: line)
        case "expect": parseExpect(keyword, args, line: line)
        case "data": parseData(keyword, args, line: line)
        case "setting": parseSetting(keyword, args, line: line)
        case "on": parseOn(keyword, args, line: line)
        case "code", "original": parseCodeLine(keyword, args, line: line)
        default:
            error(line, keyword.column,
                  "unknown keyword \(keyword.quoted); expected one of: \(ModelParser.keywords.joined(separator: ", "))")
        }
    }

    /// Reports the first token from `index` on as unexpected.
    mutating func expectEnd(_ args: [Token], from index: Int, line: Int, expected: String = "end of line") {
        if index < args.count {
            error(line, args[index].column, "unexpected \(args[index].quoted); expected \(expected)")
        }
    }

    mutating func checkOnce<T>(_ previous: (value: T, location: SourceLocation)?, _ keyword: Token, line: Int) -> Bool {
        if let previous {
            error(line, keyword.column, "duplicate \(keyword.quoted) (first given at \(Self.at(previous.location)))")
            return false
        }
        return true
    }

    // MARK: Settings

    mutating func parseTasks(_ keyword: Token, _ args: [Token], line: Int) {
        let first = checkOnce(tasks, keyword, line: line)
        let range = World.Limits.tasks
        let usage = "tasks N with N from \(range.lowerBound) to \(range.upperBound)"
        guard let arg = args.first else {
            error(line, keyword.end, "missing number after 'tasks'; expected \(usage)")
            return
        }
        expectEnd(args, from: 1, line: line)
        switch parseNumber(arg.bytes) {
        case .malformed:
            error(line, arg.column, "malformed number \(arg.quoted); expected \(usage)")
        case .overflow:
            error(line, arg.column, "tasks \(arg.shown) out of range; expected \(range.lowerBound) to \(range.upperBound)")
        case .value(let n):
            if !range.contains(n) {
                error(line, arg.column, "tasks \(n) out of range; expected \(range.lowerBound) to \(range.upperBound)")
            } else if first {
                tasks = (n, location(line, keyword.column))
            }
        }
    }

    mutating func parseForce(_ keyword: Token, _ args: [Token], line: Int) {
        let first = checkOnce(force, keyword, line: line)
        guard let arg = args.first else {
            error(line, keyword.end, "missing value after 'force'; expected 'on' or 'off'")
            return
        }
        expectEnd(args, from: 1, line: line)
        let value: Bool
        switch arg.text {
        case "on": value = true
        case "off": value = false
        default:
            error(line, arg.column, "unknown force value \(arg.quoted); expected 'on' or 'off'")
            return
        }
        if first { force = (value, location(line, keyword.column)) }
    }

    mutating func parseCore(_ keyword: Token, _ args: [Token], line: Int) {
        let first = checkOnce(core, keyword, line: line)
        guard let arg = args.first else {
            error(line, keyword.end, "missing variant after 'core'; expected one of: \(ModelParser.variantList)")
            return
        }
        expectEnd(args, from: 1, line: line)
        guard let variant = CoreVariant(rawValue: arg.text) else {
            error(line, arg.column, "unknown core variant \(arg.quoted); expected one of: \(ModelParser.variantList)")
            return
        }
        if first { core = (variant, location(line, keyword.column)) }
    }

    // MARK: Declarations

    /// Checks a module or patch name; reports and returns false when it is unusable.
    mutating func checkDeclaredName(_ token: Token, kind: String, line: Int) -> Bool {
        if !isValidName(token.bytes) {
            error(line, token.column, "invalid \(kind) name \(token.quoted); names match \(ModelParser.namePattern)")
            return false
        }
        if token.text == "vmlinux" {
            error(line, token.column, "a \(kind) cannot be named 'vmlinux': the name is reserved for the kernel image")
            return false
        }
        return true
    }

    mutating func parseModule(_ keyword: Token, _ args: [Token], line: Int) {
        guard let nameToken = args.first else {
            error(line, keyword.end, "missing name after 'module'; expected module NAME [busy]")
            return
        }
        var busy = false
        if args.count > 1 {
            if args[1].text == "busy" {
                busy = true
                expectEnd(args, from: 2, line: line)
            } else {
                expectEnd(args, from: 1, line: line, expected: "'busy' or end of line")
            }
        }
        let name = nameToken.text
        guard checkDeclaredName(nameToken, kind: "module", line: line) else {
            rejectedModules.insert(name)
            return
        }
        if let index = moduleIndex[name] {
            error(line, nameToken.column,
                  "duplicate module '\(name)' (first declared at \(Self.at(modules[index].location)))")
            return
        }
        if let index = patchIndex[name] {
            error(line, nameToken.column,
                  "module '\(name)' has the same name as patch '\(name)' (declared at \(Self.at(patches[index].location))); module names are unique")
            rejectedModules.insert(name)
            return
        }
        if modules.count == World.Limits.modules && !reportedModuleLimit {
            reportedModuleLimit = true
            error(line, nameToken.column, "too many modules: at most \(World.Limits.modules) may be declared")
        }
        moduleIndex[name] = modules.count
        modules.append(ModuleDecl(name: name, busy: busy, location: location(line, nameToken.column)))
    }

    mutating func parsePatch(_ keyword: Token, _ args: [Token], line: Int) {
        guard let nameToken = args.first else {
            error(line, keyword.end, "missing name after 'patch'; expected patch NAME [replace]")
            patches.append(PatchBuild(name: nil, location: location(line, keyword.column)))
            return
        }
        var build = PatchBuild(name: nil, location: location(line, nameToken.column))
        if args.count > 1 {
            if args[1].text == "replace" {
                build.replace = true
                expectEnd(args, from: 2, line: line)
            } else {
                expectEnd(args, from: 1, line: line, expected: "'replace' or end of line")
            }
        }
        let name = nameToken.text
        if checkDeclaredName(nameToken, kind: "patch", line: line) {
            build.name = name
            if let index = patchIndex[name] {
                error(line, nameToken.column,
                      "duplicate patch '\(name)' (first declared at \(Self.at(patches[index].location)))")
            } else if let index = moduleIndex[name] {
                error(line, nameToken.column,
                      "patch '\(name)' has the same name as module '\(name)' (declared at \(Self.at(modules[index].location))); module names are unique")
            } else {
                patchIndex[name] = patches.count
            }
        }
        if patches.count == World.Limits.patches && !reportedPatchLimit {
            reportedPatchLimit = true
            error(line, nameToken.column, "too many patches: at most \(World.Limits.patches) may be declared")
        }
        patches.append(build)
    }

    mutating func parseState(_ keyword: Token, _ args: [Token], line: Int) {
        let usage = "state ID version V"
        if patches.isEmpty {
            error(line, keyword.column, "'state' before any 'patch'; a state belongs to the patch declared above it")
        }
        guard let idToken = args.first else {
            error(line, keyword.end, "missing id after 'state'; expected \(usage)")
            return
        }
        let id = stateNumber(idToken, what: "state id", maximum: Int.max, line: line)
        guard args.count > 1 else {
            error(line, idToken.end, "missing 'version' after the state id; expected \(usage)")
            return
        }
        guard args[1].text == "version" else {
            error(line, args[1].column, "unexpected \(args[1].quoted); expected 'version' (\(usage))")
            return
        }
        guard args.count > 2 else {
            error(line, args[1].end, "missing version number after 'version'; expected \(usage)")
            return
        }
        let version = stateNumber(args[2], what: "state version", maximum: Int(UInt32.max), line: line)
        var carries: Int?
        if args.count > 3 && args[3].text == "carries" {
            guard args.count > 4 else {
                error(line, args[3].end, "missing data name after 'carries'; expected \(usage) [carries NAME]")
                return
            }
            guard let d = dataReference(args[4], line: line) else { return }
            carries = d
            expectEnd(args, from: 5, line: line)
        } else {
            expectEnd(args, from: 3, line: line, expected: "'carries NAME' or end of line")
        }
        guard let id, let version, !patches.isEmpty else { return }
        let current = patches.count - 1  // mutated in place: a copy would make long files quadratic
        if let first = patches[current].stateLocations[id] {
            error(line, idToken.column,
                  "duplicate state \(id) in patch '\(patches[current].name ?? "?")' (first declared at \(Self.at(first)))")
            return
        }
        patches[current].stateLocations[id] = location(line, idToken.column)
        patches[current].states.append(SystemState(id: id, version: version, carries: carries))
    }

    mutating func stateNumber(_ token: Token, what: String, maximum: Int, line: Int) -> Int? {
        switch parseNumber(token.bytes) {
        case .malformed:
            error(line, token.column, "malformed number \(token.quoted); expected a \(what), an integer 0 or more")
        case .overflow(let negative):
            if negative {
                error(line, token.column, "negative \(what) \(token.shown); expected an integer 0 or more")
            } else {
                error(line, token.column, "\(what) \(token.shown) too large; expected at most \(maximum)")
            }
        case .value(let n):
            if n < 0 {
                error(line, token.column, "negative \(what) \(n); expected an integer 0 or more")
            } else if n > maximum {
                error(line, token.column, "\(what) \(n) too large; expected at most \(maximum)")
            } else {
                return n
            }
        }
        return nil
    }

    // MARK: Objects and callbacks

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
        if let c = first.bytes.firstIndex(of: colon) {
            targetToken = Token(bytes: Array(first.bytes[..<c]), column: first.column)
            if c + 1 < first.bytes.count {
                rest.insert(Token(bytes: Array(first.bytes[(c + 1)...]), column: first.column + c + 1), at: 0)
            }
        } else if let next = rest.first, !next.broken, next.bytes.first == colon {
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
        } else if !isValidName(targetToken.bytes) {
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

    mutating func parseCallbacks(_ tokens: [Token], into object: inout ObjectBuild, line: Int) {
        var seen: [String: (callback: Callback, text: String, column: Int)] = [:]
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            i += 1
            var name = token
            var group: Token?
            if let p = token.bytes.firstIndex(of: openParen) {
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
            if c == openParen { depth += 1 } else if c == closeParen {
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
            if isBlank(b[i]) {
                i += 1
                continue
            }
            let start = i
            while i < close && !isBlank(b[i]) { i += 1 }
            words.append(Token(bytes: Array(b[start..<i]), column: group.column + start))
        }
        return (words, group.column + close)
    }

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

    mutating func parseErrno(_ token: Token, line: Int) -> Int32? {
        let text = token.text
        let shown = token.shown
        if let known = ModelParser.errnoNames.first(where: { $0.0 == text }) { return known.1 }
        switch parseNumber(token.bytes) {
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

    // MARK: What to check

    mutating func parseCheck(_ keyword: Token, _ args: [Token], line: Int) {
        guard !args.isEmpty else {
            error(line, keyword.end, "missing property after 'check'; expected 'all' or one or more of: \(ModelParser.propertyList)")
            return
        }
        for arg in args {
            if arg.text == "all" {
                checkAll = true
            } else if let property = LivepatchProperty(rawValue: arg.text) {
                if !checked.contains(property) { checked.append(property) }
            } else {
                error(line, arg.column, "unknown property \(arg.quoted); expected 'all' or one of: \(ModelParser.propertyList)")
            }
        }
    }

    mutating func parseExpect(_ keyword: Token, _ args: [Token], line: Int) {
        let first = checkOnce(expectation, keyword, line: line)
        guard let verdict = args.first else {
            error(line, keyword.end, "missing verdict after 'expect'; expected pass, fail NAME or finding NAME")
            return
        }
        let here = location(line, keyword.column)
        switch verdict.text {
        case "pass":
            expectEnd(args, from: 1, line: line)
            if first { expectation = (.pass, here) }
        case "fail", "finding":
            let isFail = verdict.text == "fail"
            let list = isFail ? ModelParser.violationList : ModelParser.findingList
            guard args.count > 1 else {
                error(line, verdict.end,
                      "missing \(isFail ? "property" : "finding") after 'expect \(verdict.text)'; expected one of: \(list)")
                return
            }
            let nameToken = args[1]
            expectEnd(args, from: 2, line: line)
            guard let property = LivepatchProperty(rawValue: nameToken.text) else {
                error(line, nameToken.column,
                      "unknown \(isFail ? "property" : "finding") \(nameToken.quoted); expected one of: \(list)")
                return
            }
            if isFail && property.isFinding {
                error(line, nameToken.column,
                      "'\(property.rawValue)' is a finding, not a property; use 'expect finding \(property.rawValue)'")
                return
            }
            if !isFail && !property.isFinding {
                error(line, nameToken.column,
                      "'\(property.rawValue)' is a property, not a finding; use 'expect fail \(property.rawValue)' (findings: \(ModelParser.findingList))")
                return
            }
            if first {
                expectation = (isFail ? .fail(property) : .finding(property), here)
                if isFail { failLocation = location(line, nameToken.column) }
            }
        default:
            error(line, verdict.column, "unknown verdict \(verdict.quoted); expected pass, fail NAME or finding NAME")
        }
    }

    // MARK: Whole-file checks

    mutating func finish() {
        let moduleList = modules.map(\.name).joined(separator: ", ")
        for owner in settingOwners {
            if let m = moduleIndex[owner.module] {
                settings[owner.setting].owner = m
            } else if !rejectedModules.contains(owner.module) {
                let declared = modules.isEmpty ? "no modules are declared" : "declared modules: \(moduleList)"
                error(owner.location.line, owner.location.column,
                      "unknown module '\(owner.module)' owning setting '\(settings[owner.setting].name)'; \(declared)")
            }
        }
        if patches.isEmpty {
            error(1, 1, "no patch declared; expected at least one 'patch NAME' line with its 'object' lines")
        }
        for build in patches {
            if let name = build.name, build.objectLines == 0 {
                error(build.location.line, build.location.column,
                      "patch '\(name)' has no object; expected at least one 'object TARGET: CALLBACK...' line after it")
            }
            for object in build.objects where object.targetName != "vmlinux" {
                if moduleIndex[object.targetName] == nil && !rejectedModules.contains(object.targetName) {
                    let declared =
                        modules.isEmpty
                        ? "no modules are declared (declare it with 'module \(object.targetName)')"
                        : "declared modules: \(moduleList)"
                    error(object.targetLocation.line, object.targetLocation.column,
                          "unknown target '\(object.targetName)'; \(declared)")
                }
            }
            for adopt in build.adopts where !build.states.contains(where: { $0.carries == adopt.data }) {
                error(adopt.location.line, adopt.location.column,
                      "'adopt \(data[adopt.data].name)' in patch '\(build.name ?? "?")', which has no state carrying it; expected a 'state ID version V carries \(data[adopt.data].name)' line")
            }
        }
        if case .fail(let property)? = expectation?.value, !checkAll, !checked.isEmpty, !checked.contains(property),
            let at = failLocation
        {
            error(at.line, at.column,
                  "expected failure '\(property.rawValue)' is not checked; add it to a 'check' line or use 'check all'")
        }
    }
}

// MARK: - Author contracts (data, settings, `on`, `code`, `original`)

extension KLPParser {
    /// `data NAME [static]`.
    mutating func parseData(_ keyword: Token, _ args: [Token], line: Int) {
        guard let nameToken = args.first else {
            error(line, keyword.end, "missing name after 'data'; expected data NAME [static]")
            return
        }
        var isStatic = false
        if args.count > 1 {
            if args[1].text == "static" {
                isStatic = true
                expectEnd(args, from: 2, line: line)
            } else {
                expectEnd(args, from: 1, line: line, expected: "'static' or end of line")
            }
        }
        guard isValidName(nameToken.bytes) else {
            error(line, nameToken.column, "invalid data name '\(nameToken.text)'; names match \(ModelParser.namePattern)")
            return
        }
        if let index = dataIndex[nameToken.text] {
            error(line, nameToken.column,
                  "duplicate data '\(nameToken.text)' (first declared at \(Self.at(data[index].location)))")
            return
        }
        if data.count == World.Limits.data {
            error(line, nameToken.column, "too many data: at most \(World.Limits.data) may be declared")
            return
        }
        dataIndex[nameToken.text] = data.count
        data.append(DataDecl(name: nameToken.text, isStatic: isStatic, location: location(line, nameToken.column)))
    }

    /// `setting NAME [in MODULE] VALUE...`.
    mutating func parseSetting(_ keyword: Token, _ args: [Token], line: Int) {
        let usage = "setting NAME VALUE... or setting NAME in MODULE VALUE..."
        guard let nameToken = args.first else {
            error(line, keyword.end, "missing name after 'setting'; expected \(usage)")
            return
        }
        var rest = args.dropFirst()
        // The owner resolves after the whole file, as object targets do.
        var owner: Token?
        if let word = rest.first, word.text == "in" {
            rest = rest.dropFirst()
            guard let module = rest.first else {
                error(line, word.end, "missing module after 'in'; expected \(usage)")
                return
            }
            rest = rest.dropFirst()
            owner = module
        }
        guard !rest.isEmpty else {
            let end = args.last.map(\.end) ?? keyword.end
            error(line, end, "missing values after setting '\(nameToken.text)'; expected \(usage) (the first value is its boot value)")
            return
        }
        var values: [String] = []
        var valuesOK = true
        for value in rest {
            if value.bytes.contains(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: ",") }) {
                error(line, value.column, "invalid value '\(value.text)'; a setting's values contain no '=', '|' or ','")
                valuesOK = false
            } else if values.contains(value.text) {
                error(line, value.column, "duplicate value '\(value.text)' of setting '\(nameToken.text)'")
                valuesOK = false
            } else {
                values.append(value.text)
            }
        }
        if values.count > World.Limits.settingValues {
            error(line, rest.first!.column, "too many values: a setting has at most \(World.Limits.settingValues)")
            valuesOK = false
        }
        guard isValidName(nameToken.bytes) else {
            error(line, nameToken.column, "invalid setting name '\(nameToken.text)'; names match \(ModelParser.namePattern)")
            return
        }
        if let index = settingIndex[nameToken.text] {
            error(line, nameToken.column,
                  "duplicate setting '\(nameToken.text)' (first declared at \(Self.at(settings[index].location)))")
            return
        }
        if settings.count == World.Limits.settings {
            error(line, nameToken.column, "too many settings: at most \(World.Limits.settings) may be declared")
            return
        }
        guard valuesOK else { return }
        if let owner { settingOwners.append((settings.count, owner.text, location(line, owner.column))) }
        settingIndex[nameToken.text] = settings.count
        settings.append(SettingDecl(name: nameToken.text, values: values, location: location(line, nameToken.column)))
    }

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

    /// A declared data name, or nil (reported).
    mutating func dataReference(_ token: Token, line: Int) -> Int? {
        if let d = dataIndex[token.text] { return d }
        let declared = data.isEmpty ? "no data is declared (declare it with 'data \(token.text)')" : "declared data: \(data.map(\.name).joined(separator: ", "))"
        error(line, token.column, "unknown data '\(token.text)'; \(declared)")
        return nil
    }

    /// A declared setting name, or nil (reported).
    mutating func settingReference(_ token: Token, line: Int) -> Int? {
        if let s = settingIndex[token.text] { return s }
        let declared = settings.isEmpty ? "no setting is declared (declare it with 'setting \(token.text) VALUE...')" : "declared settings: \(settings.map(\.name).joined(separator: ", "))"
        error(line, token.column, "unknown setting '\(token.text)'; \(declared)")
        return nil
    }

    /// A value of setting `s` at `column`, or nil (reported).
    mutating func settingValue(_ s: Int, _ text: String, column: Int, line: Int) -> Int? {
        if let v = settings[s].values.firstIndex(of: text) { return v }
        error(line, column,
              "unknown value '\(text)' of setting '\(settings[s].name)'; expected one of: \(settings[s].values.joined(separator: ", "))")
        return nil
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
        if let c = first.bytes.firstIndex(of: colon) {
            callbackToken = Token(bytes: Array(first.bytes[..<c]), column: first.column)
            if c + 1 < first.bytes.count {
                rest.insert(Token(bytes: Array(first.bytes[(c + 1)...]), column: first.column + c + 1), at: 0)
            }
        } else if let next = rest.first, next.bytes.first == colon {
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
    mutating func parseAction(_ words: ArraySlice<Token>, patch current: Int?, line: Int) -> ContractAction? {
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
            guard let inner = parseAction(words.dropFirst(2), patch: current, line: line), let id else { return nil }
            return verb.text == "if-prev" ? .ifPrev(id: id, inner) : .unlessPrev(id: id, inner)
        default:
            error(line, verb.column,
                  "unknown action '\(verb.text)'; expected alloc, free, adopt, set, save, restore, if-prev or unless-prev")
            return nil
        }
    }
}
