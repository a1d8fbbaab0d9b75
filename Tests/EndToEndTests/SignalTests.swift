import KLPTestSupport
import Foundation
import XCTest

/// SIGINT and SIGTERM during a search: the partial result is printed (the
/// JSON of the incomplete search, or one line in text) and the process
/// still ends by the signal, so that the shell sees 130 or 143. It used to
/// print nothing.
final class SignalTests: XCTestCase {
    /// 9,437,368 states with `--symmetry off`: seconds of search, even in release.
    static var world: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Models/scale/many-tasks.klp").path
    }
    static let fullStateCount = 9_437_368

    /// Starts the search with progress lines and sends `signal` once the
    /// first one shows that the search runs.
    func interrupt(_ signal: Int32, _ extra: [String]) throws -> ToolRun {
        let run = try ShellTool.run(
            "exec \"$0\" \"$@\"", ["verify", Self.world, "--symmetry", "off", "--reduction", "none", "--progress"] + extra, timeout: 300,
            signal: signal, signalWhen: "klpcheck: level")
        XCTAssertTrue(run.crashed, "ends by the signal (the shell's \(128 + signal)); stderr:\n\(run.stderr.suffix(2000))")
        XCTAssertEqual(run.status, signal, "the signal that ended it")
        XCTAssertLessThan(run.seconds, 120, "stopped promptly")
        return run
    }

    func checkJSON(_ signal: Int32) throws {
        let run = try interrupt(signal, ["--format", "json"])
        let json = try run.json()
        XCTAssertEqual(json["verdict"] as? String, "incomplete")
        XCTAssertEqual(json["limit"] as? String, "interrupted")
        XCTAssertEqual(json["complete"] as? Bool, false)
        XCTAssertEqual(json["exitCode"] as? Int, 128 + Int(signal))
        let states = try XCTUnwrap(json["states"] as? Int)
        XCTAssertGreaterThan(states, 0)
        XCTAssertLessThan(states, Self.fullStateCount)
        let properties = try XCTUnwrap(json["properties"] as? [[String: Any]])
        XCTAssertFalse(properties.isEmpty)
        for property in properties {
            XCTAssertTrue(["undecided", "not-checked"].contains(property["status"] as? String), "\(property)")
        }
    }

    func checkText(_ signal: Int32, name: String) throws {
        let run = try interrupt(signal, [])
        let pattern =
            #"^INTERRUPTED by \#(name) after [0-9,]+ states, [0-9,]+ transitions, depth [0-9]+ \([0-9]+\.[0-9]{3} s\); no violation found so far\n$"#
        XCTAssertNotNil(run.stdout.range(of: pattern, options: .regularExpression), "stdout:\n\(run.stdout)")
    }

    func testSIGINTPrintsTheIncompleteJSON() throws { try checkJSON(SIGINT) }
    func testSIGTERMPrintsTheIncompleteJSON() throws { try checkJSON(SIGTERM) }
    func testSIGINTPrintsOneLineInText() throws { try checkText(SIGINT, name: "SIGINT") }
    func testSIGTERMPrintsOneLineInText() throws { try checkText(SIGTERM, name: "SIGTERM") }
}
