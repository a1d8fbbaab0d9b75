import Foundation
import KLPCommandLine
import KLPEngine
import Livepatch
import XCTest

final class ArgumentParserTests: XCTestCase {
    /// A command with every kind of declaration.
    let spec = CommandSpec(
        name: "demo", abstract: "A demo command.", discussion: "More words.",
        arguments: [ArgumentSpec("MODEL", help: "The model."), ArgumentSpec("EXTRA", help: "More.", isOptional: true)],
        options: [
            .value("--count", "N", help: "How many."),
            .value("--tag", "NAME", help: "A tag.", repeatable: true),
            .flag("--loud", help: "Be loud."),
        ])

    private func failure(_ arguments: [String], spec: CommandSpec? = nil) -> CommandFailure? {
        do {
            _ = try ParsedArguments(arguments, spec: spec ?? self.spec)
            return nil
        } catch let failure as CommandFailure {
            return failure
        } catch {
            XCTFail("unexpected error \(error)")
            return nil
        }
    }

    private func group(_ arguments: [String], terminal: Bool = false) throws -> SearchOptionGroup {
        let spec = CommandSpec(name: "search", abstract: "", options: SearchOptionGroup.specs)
        return try SearchOptionGroup(ParsedArguments(arguments, spec: spec), stderrIsTerminal: terminal)
    }

    private func groupFailure(_ arguments: [String]) -> CommandFailure? {
        do {
            _ = try group(arguments)
            return nil
        } catch let failure as CommandFailure {
            return failure
        } catch {
            XCTFail("unexpected error \(error)")
            return nil
        }
    }

    // MARK: ParsedArguments

    func testValuesFlagsAndPositionals() throws {
        let parsed = try ParsedArguments(
            ["m.klp", "--count", "3", "--tag=a", "--loud", "--tag", "b", "second"], spec: spec)
        XCTAssertEqual(parsed.positionals, ["m.klp", "second"])
        XCTAssertEqual(parsed.positional(0), "m.klp")
        XCTAssertEqual(parsed.positional(1), "second")
        XCTAssertNil(parsed.positional(2))
        XCTAssertEqual(parsed.value("--count"), "3")
        XCTAssertEqual(parsed.all("--tag"), ["a", "b"])
        XCTAssertEqual(parsed.value("--tag"), "b", "the last value")
        XCTAssertTrue(parsed.flag("--loud"))
        XCTAssertFalse(parsed.flag("--count"))
        XCTAssertNil(parsed.value("--missing"))
        XCTAssertEqual(parsed.all("--missing"), [])
        XCTAssertFalse(parsed.wantsHelp)
        XCTAssertEqual(try parsed.value("--count", expected: "a number") { Int($0) }, 3)
    }

    func testDoubleDashAndSingleDash() throws {
        let parsed = try ParsedArguments(["-", "--", "--loud"], spec: spec)
        XCTAssertEqual(parsed.positionals, ["-", "--loud"], "'-' is standard input; after '--' all is positional")
        XCTAssertFalse(parsed.flag("--loud"))
        let valueWithEquals = try ParsedArguments(["m", "--count=a=b"], spec: spec)
        XCTAssertEqual(valueWithEquals.value("--count"), "a=b", "only the first '=' splits")
        let dashValue = try ParsedArguments(["m", "--count", "-5"], spec: spec)
        XCTAssertEqual(dashValue.value("--count"), "-5", "a value may start with a dash")
    }

    func testHelpSkipsPositionalChecks() throws {
        for arguments in [["--help"], ["-h"], ["a", "b", "c", "--help"]] {
            let parsed = try ParsedArguments(arguments, spec: spec)
            XCTAssertTrue(parsed.wantsHelp, "\(arguments)")
        }
    }

    func testMalformedArgumentsAreRefused() throws {
        let cases: [([String], String)] = [
            (["m", "--bogus"], "--bogus"),
            (["m", "--count"], "needs a value"),
            (["m", "--count", "1", "--count", "2"], "more than once"),
            (["m", "--count=1", "--count=2"], "more than once"),
            (["m", "--loud=yes"], "takes no value"),
            ([], "MODEL"),
            (["--loud"], "MODEL"),
            (["a", "b", "c"], "'c'"),
            (["m", "-x"], "-x"),
        ]
        for (arguments, mentions) in cases {
            let failure = try XCTUnwrap(self.failure(arguments), "\(arguments) must be refused")
            XCTAssertEqual(failure.status, .badInput, "\(arguments)")
            XCTAssertTrue(failure.message.contains(mentions), "\(arguments): '\(failure.message)' names \(mentions)")
        }
    }

    func testUnknownOptionSuggestsACloseOne() throws {
        let failure = try XCTUnwrap(self.failure(["m", "--coun"]))
        XCTAssertTrue(failure.message.contains("did you mean --count"), failure.message)
        let far = try XCTUnwrap(self.failure(["m", "--zzz"]))
        XCTAssertFalse(far.message.contains("did you mean"), far.message)
    }

    func testConversionFailureNamesValueAndExpectation() throws {
        let parsed = try ParsedArguments(["m", "--count", "many"], spec: spec)
        XCTAssertThrowsError(try parsed.value("--count", expected: "a whole number") { Int($0) }) { error in
            let failure = error as? CommandFailure
            XCTAssertEqual(failure?.status, .badInput)
            XCTAssertEqual(failure?.message, "invalid value 'many' for --count: expected a whole number")
        }
    }

    // MARK: CommandSpec

    func testHelpIsGeneratedFromTheDeclarations() {
        let help = spec.help(program: "klpcheck")
        XCTAssertTrue(help.contains("OVERVIEW: A demo command."), help)
        XCTAssertTrue(help.contains("USAGE: klpcheck demo [OPTIONS] MODEL [EXTRA]"), help)
        XCTAssertTrue(help.contains("More words."), help)
        let lines = help.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.contains("--count N") && $0.contains("How many.") }, help)
        XCTAssertTrue(lines.contains { $0.contains("--tag NAME") && $0.contains("(repeatable)") }, help)
        XCTAssertTrue(lines.contains { $0.contains("--loud") && $0.contains("Be loud.") }, help)
        XCTAssertTrue(lines.contains { $0.contains("--help") }, "--help is always listed")
        XCTAssertTrue(lines.contains { $0.contains("MODEL") && $0.contains("The model.") }, help)
        XCTAssertTrue(help.contains(ExitStatus.table), "the exit status table ends every help")
        XCTAssertTrue(help.hasSuffix("\n"))
    }

    func testExitStatusValues() {
        XCTAssertEqual(ExitStatus.holds.rawValue, 0)
        XCTAssertEqual(ExitStatus.violated.rawValue, 1)
        XCTAssertEqual(ExitStatus.badInput.rawValue, 2)
        XCTAssertEqual(ExitStatus.incomplete.rawValue, 3)
        XCTAssertEqual(ExitStatus.internalError.rawValue, 70)
        XCTAssertEqual(CommandFailure("x").status, .badInput)
    }

    // MARK: SearchOptionGroup

    func testSearchOptionSpecsCoverTheSpec() {
        let names = Set(SearchOptionGroup.specs.map(\.name))
        for option in ["--threads", "--visited", "--max-states", "--max-memory", "--time-limit", "--format", "--progress", "--quiet"] {
            XCTAssertTrue(names.contains(option), option)
        }
        XCTAssertNil(SearchOptionGroup.specs.first { $0.name == "--quiet" }?.valueName, "--quiet is a flag")
        XCTAssertNil(SearchOptionGroup.specs.first { $0.name == "--progress" }?.valueName, "--progress is a flag")
    }

    func testSearchOptionGroupReadsEveryOption() throws {
        let options = try group([
            "--format", "json", "--threads", "3", "--visited", "bitstate", "--max-states", "1000",
            "--max-memory", "512M", "--time-limit", "2.5", "--bitstate-bits", "20", "--quiet",
        ])
        XCTAssertEqual(options.format, .json)
        XCTAssertEqual(options.search.threads, 3)
        XCTAssertEqual(options.search.visited, .bitstate)
        XCTAssertEqual(options.search.maxStates, 1000)
        XCTAssertEqual(options.search.maxMemoryBytes, 512 << 20)
        XCTAssertEqual(options.search.timeLimit, 2.5)
        XCTAssertEqual(options.search.bitstateLog2Bits, 20)
        XCTAssertFalse(options.showsProgress)
    }

    func testSearchOptionGroupDefaults() throws {
        let options = try group([])
        XCTAssertEqual(options.format, .text)
        XCTAssertEqual(options.search.visited, .auto)
        XCTAssertNil(options.search.maxStates)
        XCTAssertNil(options.search.timeLimit)
        XCTAssertEqual(options.search.threads, SearchOptions.defaultThreads)
        XCTAssertEqual(options.search.maxMemoryBytes, SearchOptions.defaultMaxMemory)
        XCTAssertGreaterThan(options.search.maxMemoryBytes, 0)
    }

    func testProgressFollowsTheTerminalUnlessToldOtherwise() throws {
        XCTAssertFalse(try group([], terminal: false).showsProgress)
        XCTAssertTrue(try group([], terminal: true).showsProgress)
        XCTAssertTrue(try group(["--progress"], terminal: false).showsProgress)
        XCTAssertFalse(try group(["--quiet"], terminal: true).showsProgress)
        XCTAssertFalse(try group(["--quiet", "--progress"], terminal: true).showsProgress, "--quiet wins")
    }

    func testSearchOptionGroupRefusesBadValues() throws {
        let cases: [[String]] = [
            ["--threads", "0"], ["--threads", "257"], ["--threads", "two"], ["--threads", "1.5"],
            ["--visited", "trie"], ["--visited", "Hash"],
            ["--max-states", "0"], ["--max-states", "-5"], ["--max-states", "many"],
            ["--max-memory", "banana"], ["--max-memory", "0"], ["--max-memory", ""],
            ["--time-limit", "0"], ["--time-limit", "-1"], ["--time-limit", "inf"], ["--time-limit", "nan"],
            ["--bitstate-bits", "9"], ["--bitstate-bits", "41"],
            ["--format", "xml"],
        ]
        for arguments in cases {
            let failure = try XCTUnwrap(groupFailure(arguments), "\(arguments) must be refused")
            XCTAssertEqual(failure.status, .badInput)
            XCTAssertTrue(failure.message.contains(arguments[0]), "\(arguments): \(failure.message)")
        }
        XCTAssertEqual(try group(["--threads", "256"]).search.threads, 256)
        XCTAssertEqual(try group(["--threads", "1"]).search.threads, 1)
    }

    // MARK: parseSize

    func testParseSizeAcceptsUnits() {
        let cases: [(String, UInt64)] = [
            ("512M", 512 << 20), ("4G", 4 << 30), ("1.5GiB", 3 << 29), ("1048576", 1_048_576),
            ("64K", 64 << 10), ("64k", 64 << 10), ("64KiB", 64 << 10), ("64kb", 64 << 10), ("2MB", 2 << 20),
            ("1T", 1 << 40), ("1TiB", 1 << 40), ("100B", 100), ("0.5K", 512), ("1", 1),
        ]
        for (text, bytes) in cases {
            XCTAssertEqual(SearchOptionGroup.parseSize(text), bytes, "'\(text)'")
        }
    }

    func testParseSizeRejectsNonsense() {
        for text in ["", "-1", "12Q", "0", "0K", "M", "GiB", "banana", "12 M", "inf", "nan", "1e30", "-4G", "1.2.3M"] {
            XCTAssertNil(SearchOptionGroup.parseSize(text), "'\(text)' must be refused")
        }
    }

    func testParseSizeNeverGivesZeroBytes() {
        // "0" is refused; a fraction of a byte must not become a zero budget either.
        for text in ["0.5", "0.4B", "0.0001K"] {
            XCTAssertNotEqual(SearchOptionGroup.parseSize(text), 0, "'\(text)' gives a budget of 0 bytes")
        }
    }

    // MARK: In-process runs

    func testMainInProcessWritesToTheConsole() {
        let output = Captured()
        let console = Console(out: { output.append(out: $0) }, err: { output.append(err: $0) }, stderrIsTerminal: false)
        XCTAssertEqual(KLPCheck.main(["bench", "filter-lock", "--n", "3", "--format", "json"], console: console), 0)
        XCTAssertTrue(output.out.contains("\"states\" : 2492"), output.out)
        XCTAssertEqual(output.err, "", "no progress when stderr is not a terminal")

        let bad = Captured()
        let badConsole = Console(out: { bad.append(out: $0) }, err: { bad.append(err: $0) }, stderrIsTerminal: false)
        XCTAssertEqual(KLPCheck.main(["bench", "filter-lock", "--threads", "0"], console: badConsole), 2)
        XCTAssertEqual(bad.out, "")
        XCTAssertTrue(bad.err.contains("--threads"), bad.err)
    }
}

/// Thread-safe text sinks for an in-process console.
final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var outText = ""
    private var errText = ""
    var out: String { lock.withLock { outText } }
    var err: String { lock.withLock { errText } }
    func append(out text: String) { lock.withLock { outText += text } }
    func append(err text: String) { lock.withLock { errText += text } }
}
