import Foundation
import KLPTestSupport
import XCTest

final class BenchCommandTests: XCTestCase {
    /// The options the command-line spec promises for every searching command.
    static let searchOptions = [
        "--threads", "--visited", "--max-states", "--max-memory", "--time-limit", "--format", "--progress", "--quiet",
    ]

    private func checkStatus(
        _ run: ToolRun, _ expected: Int32, _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertFalse(run.crashed, "\(what) crashed:\n\(run.stderr.prefix(2000))", file: file, line: line)
        XCTAssertEqual(run.status, expected, "\(what): stderr:\n\(run.stderr.prefix(2000))", file: file, line: line)
    }

    /// The exit status table: 0 holds, 1 violated, 2 bad input, 3 incomplete, 70 internal.
    private func checkExitTable(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(text.contains("EXIT STATUS"), "no exit status table:\n\(text)", file: file, line: line)
        let rows: [(String, String)] = [("0", "hold"), ("1", "violat"), ("2", "usage"), ("3", "incomplete"), ("70", "internal")]
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for (code, meaning) in rows {
            XCTAssertTrue(
                lines.contains { $0.hasPrefix(code + " ") && $0.lowercased().contains(meaning) },
                "exit status \(code) (\(meaning)) missing from the table", file: file, line: line)
        }
    }

    // MARK: Results

    func testN3JsonPasses() throws {
        let run = try Tool.run(["bench", "filter-lock", "--n", "3", "--format", "json", "--quiet"])
        checkStatus(run, 0, "bench --n 3")
        XCTAssertEqual(run.stderr, "", "--quiet prints nothing on stderr")
        let json = try run.json()
        for key in [
            "verdict", "states", "transitions", "depth", "seconds", "statesPerSecond", "bytesPerState",
            "peakMemoryBytes", "threads", "visited", "limit", "violations",
        ] {
            XCTAssertNotNil(json[key], "JSON key '\(key)' is missing")
        }
        XCTAssertEqual(json["schema"] as? String, "klpcheck/1")
        XCTAssertEqual(json["verdict"] as? String, "pass")
        XCTAssertEqual((json["states"] as? NSNumber)?.intValue, 2_492)
        XCTAssertEqual((json["transitions"] as? NSNumber)?.intValue, 6_487)
        XCTAssertEqual((json["depth"] as? NSNumber)?.intValue, 47)
        XCTAssertEqual((json["exitCode"] as? NSNumber)?.intValue, 0)
        XCTAssertEqual(json["complete"] as? Bool, true)
        XCTAssertTrue(json["limit"] is NSNull, "limit is null when no limit stopped the search")
        XCTAssertEqual((json["violations"] as? [Any])?.count, 0)
        XCTAssertGreaterThanOrEqual((json["threads"] as? NSNumber)?.intValue ?? 0, 1)
        XCTAssertGreaterThan((json["seconds"] as? NSNumber)?.doubleValue ?? -1, 0)
        XCTAssertGreaterThan((json["peakMemoryBytes"] as? NSNumber)?.intValue ?? 0, 0)
        let properties = try XCTUnwrap(json["properties"] as? [[String: Any]])
        XCTAssertEqual(properties.map { $0["name"] as? String }, ["mutex"])
        XCTAssertEqual(properties.map { $0["status"] as? String }, ["holds"])
    }

    func testN3ChosenThreadsAndVisitedSet() throws {
        let run = try Tool.run([
            "bench", "filter-lock", "--n", "3", "--threads", "1", "--visited", "bitmap", "--format", "json", "--quiet",
        ])
        checkStatus(run, 0, "bench --n 3 --visited bitmap")
        let json = try run.json()
        XCTAssertEqual((json["threads"] as? NSNumber)?.intValue, 1)
        XCTAssertEqual(json["visited"] as? String, "bitmap")
        XCTAssertEqual((json["states"] as? NSNumber)?.intValue, 2_492)
        XCTAssertEqual((json["transitions"] as? NSNumber)?.intValue, 6_487)
        XCTAssertEqual((json["depth"] as? NSNumber)?.intValue, 47)
    }

    func testN3TextPasses() throws {
        let run = try Tool.run(["bench", "filter-lock", "--n", "3", "--quiet"])
        checkStatus(run, 0, "bench --n 3 (text)")
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(run.stdout.contains("PASS"), run.stdout)
        XCTAssertTrue(run.stdout.contains("2,492"), run.stdout)
        XCTAssertTrue(run.stdout.contains("6,487"), run.stdout)
    }

    func testN4BugFailsWithA40StepCounterexample() throws {
        let text = try Tool.run(["bench", "filter-lock", "--n", "4", "--bug", "--quiet"])
        checkStatus(text, 1, "bench --n 4 --bug")
        XCTAssertTrue(text.stdout.contains("counterexample: mutex (40 steps)"), text.stdout)
        XCTAssertTrue(text.stdout.contains("FAIL"), text.stdout)
        XCTAssertEqual(text.stderr, "")

        let run = try Tool.run(["bench", "filter-lock", "--n", "4", "--bug", "--quiet", "--format", "json"])
        checkStatus(run, 1, "bench --n 4 --bug --format json")
        let json = try run.json()
        XCTAssertEqual(json["verdict"] as? String, "fail")
        XCTAssertEqual((json["exitCode"] as? NSNumber)?.intValue, 1)
        let violations = try XCTUnwrap(json["violations"] as? [[String: Any]])
        XCTAssertEqual(violations.count, 1)
        XCTAssertEqual(violations.first?["property"] as? String, "mutex")
        let steps = try XCTUnwrap(violations.first?["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.count, 40)
        XCTAssertEqual(steps.map { ($0["number"] as? NSNumber)?.intValue ?? 0 }, Array(1...40))
    }

    func testMaxStatesIsIncomplete() throws {
        let text = try Tool.run(["bench", "filter-lock", "--n", "3", "--max-states", "100", "--quiet"])
        checkStatus(text, 3, "--max-states 100")
        XCTAssertTrue(text.stdout.contains("INCOMPLETE"), text.stdout)

        let run = try Tool.run(["bench", "filter-lock", "--n", "3", "--max-states", "100", "--quiet", "--format", "json"])
        checkStatus(run, 3, "--max-states 100 --format json")
        let json = try run.json()
        XCTAssertEqual(json["verdict"] as? String, "incomplete")
        XCTAssertEqual(json["limit"] as? String, "max-states")
        XCTAssertEqual(json["complete"] as? Bool, false)
        XCTAssertLessThanOrEqual((json["states"] as? NSNumber)?.intValue ?? .max, 100)
    }

    func testBitstateIsIncomplete() throws {
        let run = try Tool.run([
            "bench", "filter-lock", "--n", "3", "--visited", "bitstate", "--bitstate-bits", "20", "--threads", "1",
            "--format", "json", "--quiet",
        ])
        checkStatus(run, 3, "--visited bitstate")
        let json = try run.json()
        XCTAssertEqual(json["verdict"] as? String, "incomplete")
        XCTAssertEqual(json["visited"] as? String, "bitstate")
        XCTAssertEqual(json["complete"] as? Bool, false)
        XCTAssertNotNil(json["omissionProbability"] as? NSNumber)
    }

    func testTinyMemoryBudgetIsIncompleteNotACrash() throws {
        // 64 KiB is less than the hash set's first tables.
        let run = try Tool.run([
            "bench", "filter-lock", "--n", "3", "--visited", "hash", "--max-memory", "64K", "--format", "json", "--quiet",
        ])
        checkStatus(run, 3, "--max-memory 64K")
        if !run.crashed {
            let json = try run.json()
            XCTAssertEqual(json["limit"] as? String, "max-memory")
            XCTAssertEqual(json["verdict"] as? String, "incomplete")
        }
    }

    // MARK: Bad usage

    func testBadUsageExits2WithAMessage() throws {
        let cases: [(arguments: [String], mentions: String)] = [
            (["bench", "filter-lock", "--frobnicate"], "--frobnicate"),
            (["bench", "filter-lock", "--n", "9"], "9"),
            (["bench", "filter-lock", "--n", "1"], "--n"),
            (["bench", "filter-lock", "--threads", "0"], "--threads"),
            (["bench", "filter-lock", "--max-memory", "banana"], "banana"),
            (["bench", "filter-lock", "--format", "xml"], "xml"),
            (["bench", "filter-lock", "--visited", "trie"], "trie"),
            (["bench", "filter-lock", "--time-limit", "-1"], "--time-limit"),
            (["bench", "filter-lock", "--n"], "--n"),
            (["bench", "filter-lock", "--n", "3", "--n", "4"], "--n"),
            (["bench", "nope"], "nope"),
            (["bench"], "MODEL"),
            (["bench", "filter-lock", "extra"], "extra"),
            (["bench", "filter-lock", "--n", "5", "--visited", "bitmap"], "bitmap"),
            (["frobnicate"], "frobnicate"),
        ]
        for (arguments, mentions) in cases {
            let run = try Tool.run(arguments)
            let what = "klpcheck " + arguments.joined(separator: " ")
            checkStatus(run, 2, what)
            XCTAssertEqual(run.stdout, "", "\(what): nothing on stdout")
            XCTAssertTrue(run.stderr.contains("error"), "\(what): stderr says error:\n\(run.stderr)")
            XCTAssertTrue(run.stderr.contains(mentions), "\(what): stderr names '\(mentions)':\n\(run.stderr)")
        }
    }

    func testNoArgumentsExits2WithHelpOnStderr() throws {
        let run = try Tool.run([])
        checkStatus(run, 2, "klpcheck")
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(run.stderr.contains("bench"), run.stderr)
    }

    // MARK: Help

    func testTopLevelHelp() throws {
        for flag in ["--help", "-h"] {
            let run = try Tool.run([flag])
            checkStatus(run, 0, "klpcheck \(flag)")
            XCTAssertEqual(run.stderr, "")
            XCTAssertTrue(run.stdout.contains("bench"), "lists the bench command:\n\(run.stdout)")
            checkExitTable(run.stdout)
        }
    }

    func testBenchHelpListsEveryOption() throws {
        for arguments in [["bench", "--help"], ["bench", "filter-lock", "--n", "3", "--help"]] {
            let run = try Tool.run(arguments)
            checkStatus(run, 0, arguments.joined(separator: " "))
            XCTAssertEqual(run.stderr, "")
            for option in Self.searchOptions + ["--n", "--bug", "--help"] {
                XCTAssertTrue(run.stdout.contains(option), "bench --help lacks \(option):\n\(run.stdout)")
            }
            checkExitTable(run.stdout)
        }
    }

    func testVersion() throws {
        let run = try Tool.run(["--version"])
        checkStatus(run, 0, "--version")
        XCTAssertTrue(run.stdout.hasPrefix("klpcheck "), run.stdout)
    }

    // MARK: Progress

    /// (`--quiet` with `--progress` is a usage error: OptionConflictTests.)
    func testQuietPrintsNothingOnStderr() throws {
        for extra in [["--quiet"]] {
            let run = try Tool.run(["bench", "filter-lock", "--n", "3"] + extra)
            checkStatus(run, 0, extra.joined(separator: " "))
            XCTAssertEqual(run.stderr, "", "\(extra): stderr must stay empty")
            XCTAssertFalse(run.stdout.isEmpty)
        }
    }
}
