/// Builds a `World` from a model's lines, one line at a time, collecting
/// every error (a bad token or line is skipped and parsing goes on).
///
/// This file holds the state and the dispatch on a line's keyword; each
/// kind of line is parsed in an extension (`WorldBuilder+Options`,
/// `+Declarations`, `+Objects`, `+Expectations`, `+ContractDeclarations`,
/// `+ContractActions`), and the checks that need the whole file are in
/// `WorldBuilder+Validation`.
struct WorldBuilder {
    /// An `object` line as parsed so far; its target resolves at the end.
    struct ObjectBuild {
        var targetName: String
        var targetLocation: SourceLocation
        var callbacks: Set<CallbackKind> = []
        var prePatch: PrePatchOutcome = .succeeds
        var patchingMayFail = false
        var contract = ObjectContract()
    }

    /// A `patch` line and what follows it.
    struct PatchBuild {
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
    enum Callback: Equatable {
        case plain(CallbackKind)
        case prePatch(PrePatchOutcome)
        case patchingMayFail
    }

    let file: String
    /// In the order found; `ModelParser` sorts them.
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

    /// `LINE:COL`, as messages cite an earlier place.
    static func at(_ l: SourceLocation) -> String { "\(l.line):\(l.column)" }

    /// Parses one line's tokens: reports its unterminated groups, then
    /// dispatches on its keyword.
    mutating func parseLine(_ tokens: [Token], line: Int) {
        for token in tokens {
            if let open = token.unclosedParenColumn {
                error(line, open, "unterminated '('; expected ')' before the end of the line")
            }
        }
        guard let keyword = tokens.first, !keyword.broken else { return }
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

    /// Whether a line that may be given once comes for the first time; reports a repeat.
    mutating func checkOnce<T>(_ previous: (value: T, location: SourceLocation)?, _ keyword: Token, line: Int) -> Bool {
        if let previous {
            error(line, keyword.column, "duplicate \(keyword.quoted) (first given at \(Self.at(previous.location)))")
            return false
        }
        return true
    }

    /// The world the lines declared (call when `diagnostics` is empty).
    func world() -> World {
        World(
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
}
