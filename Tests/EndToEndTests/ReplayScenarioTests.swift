import KLPTestSupport
import Foundation
import XCTest

/// `klpcheck run` on replay scenarios: a step that cannot happen is exit 1
/// with its place; `step` and `replay` lines in the wrong place are exit 2.
///
/// Uses `Tool` (BenchCommandTests.swift).
final class ReplayScenarioTests: XCTestCase {
    static let model = ModelsEndToEndTests.models.appendingPathComponent("variants/complete-before-switch.klp").path

    func scenario(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-replay-\(UUID().uuidString).txt")
        try text.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    /// BUG: a replay step that cannot happen printed "skipped" and exited 0.
    func testAnImpossibleStepIsExit1WithFileAndLine() throws {
        // On the upstream core the transition cannot complete before the tasks switched.
        let path = try scenario("replay\nstep load demo\nstep complete\n")
        let run = try Tool.run(["run", Self.model, path, "--core", "upstream"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertEqual(
            run.stdout.split(separator: "\n").last.map(String.init),
            "klpcheck: step cannot happen at \(path):3: step complete (its guard does not hold)")
        XCTAssertFalse(run.stdout.contains("klpcheck: violated"), run.stdout)
        // On its own core the same replay happens (and breaks post-patch-all-tasks).
        let own = try Tool.run(["run", Self.model, path])
        XCTAssertEqual(own.status, 1)
        XCTAssertFalse(own.stdout.contains("cannot happen"), own.stdout)
        XCTAssertTrue(own.stdout.contains("klpcheck: violated post-patch-all-tasks at \(path):3:"), own.stdout)
    }

    func testMisplacedStepAndReplayLinesAreExit2() throws {
        let cases: [(text: String, error: String)] = [
            ("step load demo\n", "1:1: error: a 'step' line runs only in a replay file: begin the file with a 'replay' line"),
            ("insmod test_modules/demo.ko\nreplay\n", "2:1: error: 'replay' must come before every command; line 1 has one"),
            ("replay\nstep load demo\n\treplay\n", "3:2: error: a second 'replay' line; the first is on line 1"),
        ]
        for item in cases {
            let path = try scenario(item.text)
            let run = try Tool.run(["run", Self.model, path])
            XCTAssertEqual(run.status, 2, "\(item.text)\n\(run.stderr)")
            XCTAssertEqual(run.stdout, "")
            XCTAssertEqual(run.stderr, "\(path):\(item.error)\n")
        }
    }
}
