import KLPEngine

/// The options every searching command shares: engine resources, limits,
/// progress and output format.
public struct SearchOptionGroup: Sendable {
    /// The options, for command specs.
    public static let specs: [OptionSpec] = [
        .value("--format", "text|json", help: "Output format (default: text)."),
        .value("--threads", "N", help: "Worker threads (default: the machine's cores)."),
        .value("--visited", "auto|bitmap|hash|paged|tree|bitstate", help: "Visited set (default: auto; a bitmap must fit in half the budget)."),
        .value("--max-states", "N", help: "Stop before storing more than N states (exit 3)."),
        .value("--max-memory", "SIZE", help: "Memory budget, e.g. 512M or 4G (default: 3/4 of RAM; exit 3 when reached)."),
        .value("--time-limit", "SECONDS", help: "Stop after this many seconds (exit 3)."),
        .value("--bitstate-bits", "LOG2", help: "log2 of the bitstate array size in bits (default: 31; with --visited bitstate)."),
        .flag("--progress", help: "Print progress on stderr even when it is not a terminal (not with --quiet)."),
        .flag("--quiet", help: "Print no progress (not with --progress)."),
    ]

    /// The group's contradictory options.
    public static let conflicts: [OptionConflict] = [
        .exclusive("--progress", "--quiet", because: "one asks for progress lines, the other for none"),
        .requires(
            "--bitstate-bits", "--visited", oneOf: ["bitstate"],
            because: "it sizes the bitstate array, which no other visited set has"),
    ]

    /// Output format.
    public enum Format: String, Sendable { case text, json }

    /// The chosen format.
    public var format: Format
    /// The engine options.
    public var search: SearchOptions
    /// Whether to print progress.
    public var showsProgress: Bool
    /// Whether SIGINT and SIGTERM stop the search and print its partial
    /// result (in the real process only; see `Interruption`).
    public var stopsOnSignals = true

    /// Reads the group from parsed arguments.
    public init(_ parsed: ParsedArguments, stderrIsTerminal: Bool) throws {
        format = try parsed.value("--format", expected: "text or json") { Format(rawValue: $0) } ?? .text
        var search = SearchOptions()
        if let threads = try parsed.value("--threads", expected: "a whole number from 1 to 256", {
            Int($0).flatMap { (1...256).contains($0) ? $0 : nil }
        }) {
            search.threads = threads
        }
        search.visited = try parsed.value("--visited", expected: "auto, bitmap, hash, paged, tree or bitstate") {
            VisitedKind(rawValue: $0)
        } ?? .auto
        search.maxStates = try parsed.value("--max-states", expected: "a positive whole number") {
            UInt64($0).flatMap { $0 > 0 ? $0 : nil }
        }
        if let memory = try parsed.value("--max-memory", expected: "a size such as 512M, 4G or 1048576", Self.parseSize) {
            search.maxMemoryBytes = memory
        }
        search.timeLimit = try parsed.value("--time-limit", expected: "a positive number of seconds") {
            Double($0).flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        }
        if let bits = try parsed.value("--bitstate-bits", expected: "a whole number from 10 to 40", {
            Int($0).flatMap { (10...40).contains($0) ? $0 : nil }
        }) {
            search.bitstateLog2Bits = bits
            // The engine shrinks the array to half the memory budget; asked
            // for by name, a size that does not fit is refused instead of
            // quietly shrunk.
            let fits = search.fittingBitstateLog2Bits
            if fits < bits {
                throw CommandFailure(
                    "--bitstate-bits \(bits) takes \(KLPCommandLine.Format.bytes(UInt64(1) << UInt64(bits - 3))), more than half the memory budget "
                        + "(\(KLPCommandLine.Format.bytes(search.maxMemoryBytes))); at most \(fits) fits, or raise --max-memory")
            }
        }
        self.search = search
        showsProgress = !parsed.flag("--quiet") && (parsed.flag("--progress") || stderrIsTerminal)
    }

    /// Parses `512M`, `4G`, `1.5GiB`, `1048576` into bytes.
    public static func parseSize(_ text: String) -> UInt64? {
        let kib = 1024.0, mib = kib * 1024, gib = mib * 1024, tib = gib * 1024
        let units: [(String, Double)] = [
            ("KIB", kib), ("MIB", mib), ("GIB", gib), ("TIB", tib), ("KB", kib), ("MB", mib), ("GB", gib),
            ("TB", tib), ("K", kib), ("M", mib), ("G", gib), ("T", tib), ("B", 1),
        ]
        let upper = text.uppercased()
        var number = upper
        var scale = 1.0
        for (suffix, factor) in units where upper.hasSuffix(suffix) {
            number = String(upper.dropLast(suffix.count))
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value * scale >= 1, value * scale < 1e18 else { return nil }
        return UInt64(value * scale)
    }
}
