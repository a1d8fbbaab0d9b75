import KLPTestSupport
import Foundation
import XCTest

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The gate counts each model once, as passed, failed, bad or incomplete,
/// the four adding up to the number of models, in the summary line, the
/// JSON and the JUnit totals; and its exit status follows one precedence:
/// bad input (2), then a mismatch (1), then an incomplete search (3).
///
/// Uses `Tool` (BenchCommandTests.swift) and the models of GateCommandTests.
final class GateCountingTests: XCTestCase {
    /// 36 states: incomplete under `--max-states 7`.
    static let big = """
        tasks 2
        module m
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
          object m: pre_patch post_unpatch
        expect pass

        """

    /// The four counts of one gate run, from each output.
    struct Counts: Equatable {
        var passed: Int
        var failed: Int
        var bad: Int
        var incomplete: Int
    }

    /// Runs the gate over `files` with `arguments`, checks its exit status,
    /// and returns the counts read from the text, the JSON and the JUnit.
    func counts(
        _ files: [String: String], _ arguments: [String] = [], exits status: Int32,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> (text: String?, json: Counts, junit: Counts, models: Int) {
        let scratch = try temporaryDirectory()
        let directory = scratch.appendingPathComponent("models")
        for (name, text) in files {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let json = scratch.appendingPathComponent("gate.json").path
        let junit = scratch.appendingPathComponent("junit.xml").path
        let run = try Tool.run(["gate", directory.path, "--no-report", "--json", json, "--junit", junit] + arguments, timeout: 120)
        XCTAssertFalse(run.crashed, run.stderr, file: file, line: line)
        XCTAssertEqual(run.status, status, "gate \(files.keys.sorted()):\n\(run.stdout)\n\(run.stderr)", file: file, line: line)

        let document = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        func number(_ key: String) -> Int { (document[key] as? NSNumber)?.intValue ?? -1 }
        XCTAssertEqual(number("exitCode"), Int(status), file: file, line: line)
        let fromJSON = Counts(passed: number("passed"), failed: number("failed"), bad: number("bad"), incomplete: number("incomplete"))

        let reader = GateCommandTests.JUnitReader()
        let parser = try XCTUnwrap(XMLParser(contentsOf: URL(fileURLWithPath: junit)))
        parser.delegate = reader
        XCTAssertTrue(parser.parse(), "junit.xml is not well-formed", file: file, line: line)
        let root = try XCTUnwrap(reader.root, file: file, line: line)
        func total(_ key: String) -> Int { Int(root[key] ?? "") ?? -1 }
        // JUnit has no "passed": it is the tests that neither failed, erred nor were skipped.
        let fromJUnit = Counts(
            passed: total("tests") - total("failures") - total("errors") - total("skipped"), failed: total("failures"),
            bad: total("errors"), incomplete: total("skipped"))
        for key in ["tests", "failures", "errors", "skipped"] {
            let sum = reader.suites.reduce(0) { $0 + (Int($1.attributes[key] ?? "") ?? -100) }
            XCTAssertEqual(total(key), sum, "<testsuites \(key)> is the sum of the suites'", file: file, line: line)
        }
        XCTAssertEqual(total("tests"), files.count, "one JUnit test per model", file: file, line: line)
        return (GateOutput.summary(run.stdout), fromJSON, fromJUnit, files.count)
    }

    /// BUG: one passing and one bad model printed `1 passed, 1 failed`.
    func testOnePassingAndOneBadModel() throws {
        let result = try counts(["a.klp": GateOutput.passing, "b.klp": GateCommandTests.bad], exits: 2)
        XCTAssertEqual(result.text, "1 passed, 0 failed, 1 bad, 0 incomplete")
        let expected = Counts(passed: 1, failed: 0, bad: 1, incomplete: 0)
        XCTAssertEqual(result.json, expected)
        XCTAssertEqual(result.junit, expected)
    }

    /// BUG: three failing and two bad models gave `failed: 5, bad: 2` in the JSON.
    func testThreeFailingAndTwoBadModels() throws {
        let result = try counts(
            [
                "f1.klp": GateOutput.violating, "f2.klp": GateCommandTests.wronglyExpectsFailure,
                "f3.klp": GateCommandTests.doublyViolating, "b1.klp": GateCommandTests.bad, "b2.klp": "tasks 0\n",
            ], exits: 2)
        XCTAssertEqual(result.text, "0 passed, 3 failed, 2 bad, 0 incomplete")
        let expected = Counts(passed: 0, failed: 3, bad: 2, incomplete: 0)
        XCTAssertEqual(result.json, expected)
        XCTAssertEqual(result.junit, expected)
    }

    /// One of each, under `--max-states 7`: the 7-state passing model still
    /// completes, the 36-state one does not; the counts add up to the models.
    func testOneOfEachKind() throws {
        let result = try counts(
            [
                "pass.klp": GateOutput.passing, "fail.klp": GateOutput.violating, "bad.klp": GateCommandTests.bad,
                "big.klp": Self.big,
            ], ["--max-states", "7"], exits: 2)
        XCTAssertEqual(result.text, "1 passed, 1 failed, 1 bad, 1 incomplete")
        let expected = Counts(passed: 1, failed: 1, bad: 1, incomplete: 1)
        XCTAssertEqual(result.json, expected)
        XCTAssertEqual(result.junit, expected)
        XCTAssertEqual(expected.passed + expected.failed + expected.bad + expected.incomplete, result.models)
    }

    /// Exit precedence when causes mix: bad (2) over mismatch (1) over incomplete (3) over 0.
    func testExitPrecedence() throws {
        let limit = ["--max-states", "7"]
        let cases: [(files: [String: String], status: Int32, summary: String)] = [
            (["bad.klp": GateCommandTests.bad, "fail.klp": GateOutput.violating, "big.klp": Self.big], 2,
             "0 passed, 1 failed, 1 bad, 1 incomplete"),
            (["bad.klp": GateCommandTests.bad, "big.klp": Self.big], 2, "0 passed, 0 failed, 1 bad, 1 incomplete"),
            (["fail.klp": GateOutput.violating, "big.klp": Self.big], 1, "0 passed, 1 failed, 0 bad, 1 incomplete"),
            (["pass.klp": GateOutput.passing, "big.klp": Self.big], 3, "1 passed, 0 failed, 0 bad, 1 incomplete"),
            (["pass.klp": GateOutput.passing], 0, "1 passed, 0 failed, 0 bad, 0 incomplete"),
        ]
        for item in cases {
            let result = try counts(item.files, limit, exits: item.status)
            XCTAssertEqual(result.text, item.summary, "\(item.files.keys.sorted())")
        }
    }

    /// `gate --help` states the precedence.
    func testHelpStatesThePrecedence() throws {
        let run = try Tool.run(["gate", "--help"])
        XCTAssertEqual(run.status, 0)
        XCTAssertTrue(
            run.stdout.contains(
                """
                Exit 2 when a model file is bad (the others still run) or a folder cannot be read;
                else 1 when a model does not match; else 3 when a search was incomplete; else 0.
                """), run.stdout)
        XCTAssertTrue(run.stdout.contains("'P passed, F failed, B bad, I incomplete'"), run.stdout)
    }
}
