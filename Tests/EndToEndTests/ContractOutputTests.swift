import KLPTestSupport
import Foundation
import XCTest

/// How contract actions and violations reach the user: `[klpcheck]` lines in
/// traces and `run` output, JSON `steps[].changes`, the state in words and
/// the explanation, with the selftest comparison unaffected.
final class ContractOutputTests: XCTestCase {
    static let samples = ModelsEndToEndTests.models.appendingPathComponent("samples")

    func testJSONStepsCarryTheActionsAndTheExplanationNamesTaskCodeAndPointer() throws {
        let run = try Tool.run([
            "verify", Self.samples.appendingPathComponent("mistake-free-in-pre-unpatch.klp").path, "--quiet", "--format", "json",
        ])
        XCTAssertEqual(run.status, 1, run.stderr)
        let violations = try XCTUnwrap(try run.json()["violations"] as? [[String: Any]])
        let ready = try XCTUnwrap(violations.first { $0["property"] as? String == "data-ready" })
        XCTAssertEqual(
            ready["explanation"] as? String,
            "a task in PATCHED runs the new code of 'lookup_fix' for 'vmlinux', which uses table through lookup_fix's pointer, which points to freed allocation #1")
        let steps = try XCTUnwrap(ready["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.count, 5)
        XCTAssertEqual(
            steps[0]["changes"] as? [String],
            [
                "[klpcheck] lookup_fix pre_patch on vmlinux: alloc table: lookup_fix's pointer := new allocation #1 (was NULL)",
                "list: [lookup_fix]", "transition: 'lookup_fix' to PATCHED", "patch lookup_fix: listed",
                "lookup_fix/vmlinux: patched, post_unpatch enabled, pre_patch open",
                "lookup_fix's pointer to table: allocation #1", "allocation #1 of table: live",
            ])
        XCTAssertEqual(
            steps[4]["changes"] as? [String],
            [
                "[klpcheck] lookup_fix pre_unpatch on vmlinux: free table: allocation #1 freed (lookup_fix's pointer still points to it)",
                "transition: 'lookup_fix' to UNPATCHED", "lookup_fix/vmlinux: patched, post_unpatch enabled, pre_patch open",
                "tasks: 2 of 2 PATCHED", "lookup_fix's pointer to table: freed allocation #1", "allocation #1 of table: freed",
            ])
        XCTAssertEqual(
            steps[4]["log"] as? [String],
            [
                "livepatch: 'lookup_fix': initializing unpatching transition",
                "lookup_fix: pre_unpatch_callback: vmlinux",
                "[klpcheck] lookup_fix pre_unpatch on vmlinux: free table: allocation #1 freed (lookup_fix's pointer still points to it)",
                "livepatch: 'lookup_fix': starting unpatching transition",
            ])
    }

    /// `run` prints the state modules' data actions as klpcheck's own lines,
    /// between the kernel's, and the scenario still passes.
    func testRunPrintsActionsBetweenKernelLines() throws {
        let selftests = ModelsEndToEndTests.models.appendingPathComponent("selftests")
        let run = try Tool.run([
            "run", selftests.appendingPathComponent("test-state.klp").path,
            selftests.appendingPathComponent("scenarios/state-01-system-state-modification.scenario").path,
        ])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let callback = try XCTUnwrap(lines.firstIndex(of: "test_klp_state: post_patch_callback: vmlinux"))
        XCTAssertEqual(
            Array(lines[(callback + 1)...(callback + 2)]),
            [
                "[klpcheck] test_klp_state post_patch on vmlinux: save console_loglevel=default in loglevel (allocation #1)",
                "[klpcheck] test_klp_state post_patch on vmlinux: set console_loglevel=motormouth (was default)",
            ])
        XCTAssertTrue(lines.contains("[klpcheck] test_klp_state pre_unpatch on vmlinux: restore console_loglevel=default from loglevel (allocation #1)"))
    }

    /// The text trace shows each action once (in the log, not again among the changes).
    func testTextTraceShowsEachActionOnce() throws {
        let run = try Tool.run(["verify", Self.samples.appendingPathComponent("tcp-challenge-ack-wrong.klp").path])
        XCTAssertEqual(run.status, 1, run.stderr)
        let action = "[klpcheck] tcp_challenge_ack_fix pre_patch on vmlinux: set sysctl_tcp_challenge_ack_limit=1000 (was 100)"
        XCTAssertEqual(run.stdout.components(separatedBy: action).count - 1, 1, run.stdout)
        XCTAssertTrue(run.stdout.contains("setting sysctl_tcp_challenge_ack_limit: 1000"), run.stdout)
        XCTAssertTrue(
            run.stdout.contains(
                "violated: a task in UNPATCHED runs the original code of 'vmlinux' with sysctl_tcp_challenge_ack_limit=1000; it needs sysctl_tcp_challenge_ack_limit=100"),
            run.stdout)
    }

    /// The gate's Markdown page: the action as a note by the callbacks in the
    /// sequence diagram, and as its own line in the kernel log.
    func testMarkdownReportShowsTheActions() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-contracts-\(UUID().uuidString)")
        let models = root.appendingPathComponent("models")
        let reports = root.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.copyItem(
            at: Self.samples.appendingPathComponent("tcp-challenge-ack-wrong.klp"),
            to: models.appendingPathComponent("tcp-challenge-ack-wrong.klp"))
        let run = try Tool.run(["gate", models.path, "--report-dir", reports.path])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let pages = try XCTUnwrap(FileManager.default.enumerator(atPath: reports.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix("tcp-challenge-ack-wrong.md") }
        XCTAssertEqual(pages.count, 1, "\(pages)")
        let page = try String(contentsOf: reports.appendingPathComponent(pages[0]), encoding: .utf8)
        XCTAssertTrue(
            page.contains("    Note right of CB: tcp_challenge_ack_fix pre_patch on vmlinux: set sysctl_tcp_challenge_ack_limit=1000 (was 100)\n"),
            page)
        XCTAssertTrue(
            page.contains("\n[klpcheck] tcp_challenge_ack_fix pre_patch on vmlinux: set sysctl_tcp_challenge_ack_limit=1000 (was 100)\n"),
            page)
    }
}
