import Foundation
import XCTest

@testable import Livepatch

/// The kernel's own selftests, replayed: every `Models/selftests/scenarios/*.scenario`
/// must print, line for line and in order, the livepatch core's lines, the
/// callback lines and insmod's errors that the kernel prints in the matching
/// `.expected` file (the kernel's text, copied from test-callbacks.sh and
/// test-state.sh), and must break no property on the way
/// (Livepatch.docc, Scenarios).
///
/// The modules' own lines (`test_klp_callbacks_mod_init`, `busymod_work_func`,
/// the state modules' allocate/fix/restore/free lines) and the `% ` command
/// lines are not compared: the filter keeps only the lines the core and the
/// callbacks print.
final class SelftestConformanceTests: XCTestCase {
    /// `Models/selftests`, from this file's place in the repository.
    static let selftests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/selftests")
    static var scenarios: URL { selftests.appendingPathComponent("scenarios") }

    /// The lines compared: `livepatch: ...`, `<patch>: (pre|post)_(un)patch_callback: ...`, `insmod: ERROR...`.
    static let filter = try! NSRegularExpression(
        pattern: #"^(livepatch: |[a-z0-9_]+: (pre|post)_(un)?patch_callback: |insmod: ERROR)"#)

    static func compared(_ lines: [String]) -> [String] {
        lines.filter { line in
            filter.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
        }
    }

    /// The world a scenario runs against: test-callbacks.klp for callbacks-*, test-state.klp for state-*.
    static func modelPath(for scenario: String) -> String? {
        if scenario.hasPrefix("callbacks-") { return selftests.appendingPathComponent("test-callbacks.klp").path }
        if scenario.hasPrefix("state-") { return selftests.appendingPathComponent("test-state.klp").path }
        return nil
    }

    /// Runs one scenario (name without extension) and compares it with its
    /// `.expected`; returns the number of compared lines.
    @discardableResult
    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let scenarioPath = Self.scenarios.appendingPathComponent(name + ".scenario").path
        let expectedPath = Self.scenarios.appendingPathComponent(name + ".expected").path
        guard let modelPath = Self.modelPath(for: name) else {
            XCTFail("\(name): neither a callbacks-* nor a state-* scenario", file: file, line: line)
            return 0
        }
        let scenarioText = try String(contentsOfFile: scenarioPath, encoding: .utf8)
        let expectedText = try String(contentsOfFile: expectedPath, encoding: .utf8)
        let world: World
        let outcome: ScenarioOutcome
        do {
            world = try ModelParser.parse(contentsOf: modelPath)
            let scenario = try Scenario.parse(scenarioText, file: scenarioPath)
            XCTAssertFalse(scenario.isReplay, "\(name): a selftest scenario is not a replay", file: file, line: line)
            outcome = try ScenarioRunner.run(scenario, file: scenarioPath, world: world)
        } catch {
            XCTFail("\(name): \(error)", file: file, line: line)
            return 0
        }
        let expected = Self.compared(expectedText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        let actual = Self.compared(outcome.output)
        XCTAssertFalse(expected.isEmpty, "\(name): the filter keeps no line of the .expected file", file: file, line: line)
        let common = min(expected.count, actual.count)
        let firstDifference = (0..<common).first { expected[$0] != actual[$0] }
            ?? (expected.count != actual.count ? common : nil)
        if let index = firstDifference {
            let want = index < expected.count ? expected[index] : "<end of expected output>"
            let got = index < actual.count ? actual[index] : "<end of klpcheck output>"
            XCTFail(
                """
                \(name): compared line \(index + 1) differs
                  kernel:   \(want)
                  klpcheck: \(got)
                klpcheck's full output:
                \(outcome.output.joined(separator: "\n"))
                """, file: file, line: line)
        }
        XCTAssertEqual(actual, expected, "\(name): compared lines", file: file, line: line)
        XCTAssertEqual(
            outcome.violations.map { "\($0.property.rawValue) at line \($0.location.line): \($0.reason)" }, [],
            "\(name): properties violated", file: file, line: line)
        return expected.count
    }

    /// Every scenario file: none may be skipped, and together they compare more than 250 lines.
    func testEveryScenarioConformsAndTheFilterKeepsEnoughLines() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.scenarios.path)
            .filter { $0.hasSuffix(".scenario") }.map { String($0.dropLast(".scenario".count)) }.sorted()
        XCTAssertEqual(names.filter { $0.hasPrefix("callbacks-") }.count, 11, "test-callbacks.sh has 11 cases")
        XCTAssertEqual(names.filter { $0.hasPrefix("state-") }.count, 4, "test-state.sh has 4 cases")
        var total = 0
        for name in names {
            XCTAssertTrue(
                FileManager.default.fileExists(atPath: Self.scenarios.appendingPathComponent(name + ".expected").path),
                "\(name).scenario has no .expected")
            total += try check(name)
        }
        XCTAssertGreaterThan(total, 250, "the filter compared only \(total) lines over \(names.count) scenarios")
    }

    /// The filter itself: it keeps the core's and the callbacks' lines and drops the modules' own.
    func testFilter() {
        let lines = [
            "% insmod test_modules/test_klp_callbacks_demo.ko",
            "livepatch: enabling patch 'test_klp_callbacks_demo'",
            "test_klp_callbacks_demo: pre_patch_callback: vmlinux",
            "test_klp_callbacks_demo: post_unpatch_callback: test_klp_callbacks_mod -> [MODULE_STATE_GOING] Going away",
            "test_klp_callbacks_mod: test_klp_callbacks_mod_init",
            "test_klp_callbacks_busy: busymod_work_func enter",
            "test_klp_state2: allocate_loglevel_state: allocating space to store console_loglevel",
            "insmod: ERROR: could not insert module test_modules/test_klp_state.ko: Invalid parameters",
        ]
        XCTAssertEqual(Self.compared(lines), [lines[1], lines[2], lines[3], lines[7]])
    }

    // MARK: One test per selftest case

    func testCallbacks01TargetModuleBeforeLivepatch() throws { try check("callbacks-01-target-module-before-livepatch") }
    func testCallbacks02ModuleComingNotifier() throws { try check("callbacks-02-module-coming-notifier") }
    func testCallbacks03ModuleGoingNotifier() throws { try check("callbacks-03-module-going-notifier") }
    func testCallbacks04ModuleComingAndModuleGoingNotifiers() throws {
        try check("callbacks-04-module-coming-and-module-going-notifiers")
    }
    func testCallbacks05TargetModuleNotPresent() throws { try check("callbacks-05-target-module-not-present") }
    func testCallbacks06PrePatchCallbackENODEV() throws { try check("callbacks-06-pre-patch-callback-enodev") }
    func testCallbacks07ModuleComingPrePatchCallbackENODEV() throws {
        try check("callbacks-07-module-coming-pre-patch-callback-enodev")
    }
    func testCallbacks08MultipleTargetModules() throws { try check("callbacks-08-multiple-target-modules") }
    func testCallbacks09BusyTargetModule() throws { try check("callbacks-09-busy-target-module") }
    func testCallbacks10MultipleLivepatches() throws { try check("callbacks-10-multiple-livepatches") }
    func testCallbacks11AtomicReplace() throws { try check("callbacks-11-atomic-replace") }
    func testState01SystemStateModification() throws { try check("state-01-system-state-modification") }
    func testState02TakingOverSystemStateModification() throws {
        try check("state-02-taking-over-system-state-modification")
    }
    func testState03CompatibleCumulativeLivepatches() throws { try check("state-03-compatible-cumulative-livepatches") }
    func testState04IncompatibleCumulativeLivepatches() throws {
        try check("state-04-incompatible-cumulative-livepatches")
    }
}
