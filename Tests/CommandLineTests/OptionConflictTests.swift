import KLPTestSupport
import Foundation
import KLPCommandLine
import XCTest

/// Contradictory options are a usage error (exit 2), whichever comes first,
/// instead of one of them silently winning.
///
/// Uses `Tool` (BenchCommandTests.swift) for the end-to-end runs.
final class OptionConflictTests: XCTestCase {
    static let model = RepositoryModels.folder.appendingPathComponent("variants/complete-before-switch.klp").path

    func checkRefused(_ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try Tool.run(arguments)
        let what = "klpcheck " + arguments.joined(separator: " ")
        XCTAssertFalse(run.crashed, what, file: file, line: line)
        XCTAssertEqual(run.status, 2, "\(what)\n\(run.stderr)", file: file, line: line)
        XCTAssertEqual(run.stdout, "", what, file: file, line: line)
        XCTAssertTrue(run.stderr.hasPrefix("klpcheck: error: \(message)\n"), "\(what):\n\(run.stderr)", file: file, line: line)
    }

    /// BUG: `--progress --quiet` was accepted (quiet won).
    func testProgressAndQuiet() throws {
        let message = "--progress and --quiet contradict each other: one asks for progress lines, the other for none"
        try checkRefused(["verify", Self.model, "--progress", "--quiet"], message)
        try checkRefused(["verify", Self.model, "--quiet", "--progress"], message)
        try checkRefused(["bench", "filter-lock", "--n", "2", "--progress", "--quiet"], message)
    }

    /// BUG: `gate --no-report --report-dir DIR` was accepted (no report was written).
    func testNoReportAndReportDir() throws {
        let folder = RepositoryModels.folder.appendingPathComponent("variants").path
        let message = "--no-report and --report-dir contradict each other: one writes no report, the other says where to write it"
        try checkRefused(["gate", folder, "--no-report", "--report-dir", "/tmp/never-written"], message)
        try checkRefused(["gate", folder, "--report-dir=/tmp/never-written", "--no-report"], message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/never-written"))
    }

    /// `--bitstate-bits` sizes the bitstate array: without `--visited bitstate` it has no effect.
    func testBitstateBitsWithoutBitstate() throws {
        let why = "it sizes the bitstate array, which no other visited set has"
        try checkRefused(["verify", Self.model, "--bitstate-bits", "20"], "--bitstate-bits needs --visited bitstate: \(why)")
        try checkRefused(
            ["bench", "filter-lock", "--bitstate-bits", "20", "--visited", "hash"],
            "--bitstate-bits needs --visited bitstate, not --visited hash: \(why)")
        let run = try Tool.run(["bench", "filter-lock", "--n", "2", "--bitstate-bits", "20", "--visited", "bitstate", "--quiet"])
        XCTAssertEqual(run.status, 3, "bitstate is never complete:\n\(run.stderr)")
    }

    /// The rules live in the command specs, which the parser checks.
    func testTheParserChecksTheSpecsConflicts() throws {
        let spec = CommandSpec(
            name: "demo", abstract: "A demo.",
            options: [.flag("--loud", help: "Loud."), .flag("--soft", help: "Soft."), .value("--mode", "M", help: "Mode.")]
        ).conflicting([
            .exclusive("--loud", "--soft", because: "pick one"),
            .requires("--soft", "--mode", oneOf: ["a", "b"], because: "soft needs a mode"),
        ])
        XCTAssertNoThrow(try ParsedArguments(["--loud"], spec: spec))
        XCTAssertNoThrow(try ParsedArguments(["--soft", "--mode", "b"], spec: spec))
        XCTAssertNoThrow(try ParsedArguments(["--mode", "c"], spec: spec))
        XCTAssertThrowsError(try ParsedArguments(["--soft", "--loud", "--mode", "a"], spec: spec)) { error in
            XCTAssertEqual(error as? CommandFailure, CommandFailure("--loud and --soft contradict each other: pick one"))
        }
        XCTAssertThrowsError(try ParsedArguments(["--soft", "--mode", "c"], spec: spec)) { error in
            XCTAssertEqual(
                error as? CommandFailure, CommandFailure("--soft needs --mode a or --mode b, not --mode c: soft needs a mode"))
        }
        XCTAssertThrowsError(try ParsedArguments(["--soft"], spec: spec)) { error in
            XCTAssertEqual(error as? CommandFailure, CommandFailure("--soft needs --mode a or --mode b: soft needs a mode"))
        }
        // --help still works with contradictory options.
        XCTAssertTrue(try ParsedArguments(["--loud", "--soft", "--help"], spec: spec).wantsHelp)
    }
}
