import KLPTestSupport
import Foundation
import KLPEngine
import Livepatch
import XCTest

/// A program using the Livepatch library gets the same verdict, exit status
/// and result as `klpcheck verify`: the library judges, the command line
/// only presents (`World.verify`, `VerificationResult`, `Expectation.check`).
final class LibraryVerdictTests: XCTestCase {
    /// Timings and memory figures differ from run to run.
    static let measured: Set<String> = [
        "seconds", "totalSeconds", "statesPerSecond", "bytesPerState", "peakMemoryBytes", "engineMemoryBytes",
        "progressSeconds",
    ]

    /// Verifies `model` through the library and through the executable
    /// (one thread, `maxStates` if given) and checks they agree field for
    /// field; returns the library's result.
    func checkSameAsCommandLine(
        _ model: String, maxStates: UInt64? = nil, file: StaticString = #filePath, line: UInt = #line
    ) throws -> VerificationResult {
        let path = RepositoryModels.folder.appendingPathComponent(model).path
        var options = SearchOptions()
        options.threads = 1
        options.maxStates = maxStates
        // The command line's default reduction, so that both explore the same space.
        let result = try ModelParser.parse(contentsOf: path).verify(reduction: .auto, options: options, modelName: path)

        let arguments = ["verify", path, "--threads", "1", "--format", "json"]
            + (maxStates.map { ["--max-states", "\($0)"] } ?? [])
        let run = try Tool.run(arguments)
        XCTAssertEqual(run.status, result.exitStatus.rawValue, "exit status of \(model)", file: file, line: line)
        var cli = try run.json()
        XCTAssertEqual(cli["verdict"] as? String, result.verdict.rawValue, file: file, line: line)
        // The document is the result plus what the command line adds.
        for key in ["schema", "command", "model", "world"] { cli[key] = nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var library = try XCTUnwrap(
            JSONSerialization.jsonObject(with: encoder.encode(result)) as? [String: Any], file: file, line: line)
        for key in Self.measured {
            XCTAssertNotNil(library[key], "the result has \(key)", file: file, line: line)
            cli[key] = nil
            library[key] = nil
        }
        XCTAssertEqual(NSDictionary(dictionary: library), NSDictionary(dictionary: cli), model, file: file, line: line)
        return result
    }

    func testPassingModel() throws {
        let result = try checkSameAsCommandLine("samples/tcp-challenge-ack-right.klp")
        XCTAssertEqual(result.verdict, .pass)
        XCTAssertEqual(result.exitStatus, .holds)
        XCTAssertEqual(result.statistics.states, 9)
        XCTAssertEqual(result.statistics.transitions, 15)
        XCTAssertEqual(result.violations.map(\.property), [])
        XCTAssertEqual(result.summary, "pass")
        XCTAssertEqual(result.expectationCheck, ExpectationCheck(.met))
    }

    func testVariantFails() throws {
        let result = try checkSameAsCommandLine("variants/ungated-post-unpatch.klp")
        XCTAssertEqual(result.verdict, .fail)
        XCTAssertEqual(result.exitStatus, .violated)
        XCTAssertEqual(result.statistics.states, 6)
        XCTAssertEqual(result.violations.map(\.property), ["post-unpatch-paired", "failed-pre-patch-silent"])
        XCTAssertTrue(result.isViolated(LivepatchProperty.postUnpatchPaired.index))
        XCTAssertEqual(
            result.violations[0].trace.steps.map(\.action),
            ["insmod test_modules/demo.ko (pre_patch of demo on vmlinux returns -ENODEV)"])
        XCTAssertEqual(result.summary, "fail post-unpatch-paired, failed-pre-patch-silent")
        XCTAssertEqual(result.expectationCheck, ExpectationCheck(.met))
        // The same result judged against other expectations, as the gate would.
        XCTAssertEqual(
            Expectation.pass.check(result),
            ExpectationCheck(.unmet, reason: "expected no violation, but failed-pre-patch-silent, post-unpatch-paired violated"))
        XCTAssertEqual(
            Expectation.fail(.loadedOnly).check(result),
            ExpectationCheck(.unmet, reason: "expected loaded-only to be violated, but it holds"))
    }

    func testFindingPassesWithItsTrace() throws {
        let result = try checkSameAsCommandLine("samples/mistake-replaced-abandons-brackets.klp")
        XCTAssertEqual(result.verdict, .pass)
        XCTAssertEqual(result.exitStatus, .holds)
        XCTAssertEqual(result.statistics.states, 24)
        XCTAssertEqual(result.violations.map(\.property), [])
        XCTAssertEqual(result.findings.map(\.property), ["replaced-abandons-brackets"])
        XCTAssertEqual(result.findings[0].trace.steps.count, 6)
        XCTAssertEqual(
            result.properties[LivepatchProperty.replacedAbandonsBrackets.index].status, PropertyOutcome.found)
        XCTAssertEqual(result.summary, "pass (finding replaced-abandons-brackets)")
        XCTAssertEqual(result.expectation, .finding(.replacedAbandonsBrackets))
        XCTAssertEqual(result.expectationCheck, ExpectationCheck(.met))
    }

    func testMaxStatesIsIncomplete() throws {
        let result = try checkSameAsCommandLine("selftests/test-callbacks.klp", maxStates: 40)
        XCTAssertEqual(result.verdict, .incomplete)
        XCTAssertEqual(result.exitStatus, .incomplete)
        XCTAssertEqual(result.statistics.states, 40)
        XCTAssertEqual(result.statistics.limit, .states)
        XCTAssertEqual(Set(result.properties.map(\.status)), [.undecided])
        XCTAssertEqual(result.summary, "incomplete (max-states)")
        XCTAssertEqual(result.expectationCheck, ExpectationCheck(.undecided, reason: "the search was incomplete"))
    }
}
