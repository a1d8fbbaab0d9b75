import Foundation
import KLPTestSupport
import XCTest

/// The built `klpcheck` executable on every model and scenario of the
/// repository (`Models/**`): exit statuses, JSON verdicts, counterexample
/// traces that replay, graphs, and `file:line:col: error:` diagnostics.
///
/// Uses `Tool` (KLPTestSupport) to find and run the executable.
final class ModelsEndToEndTests: XCTestCase {
    static let root = RepositoryModels.root
    static let models = RepositoryModels.folder

    /// Every `.klp` under Models/, recursively, sorted.
    static func allModels() -> [String] { RepositoryModels.all() }

    /// A model's `expect` line, read as text: ("pass", nil), ("fail", X) or ("finding", X).
    static func expectation(of path: String) throws -> (kind: String, name: String?) {
        var result: (String, String?) = ("pass", nil)
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = code.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.first == "expect", words.count >= 2 else { continue }
            result = (words[1], words.count >= 3 ? words[2] : nil)
        }
        return result
    }

    func checkRan(_ run: ToolRun, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(run.crashed, "\(what) crashed:\n\(run.stderr.prefix(2000))", file: file, line: line)
    }

    // MARK: verify

    /// `verify FILE --quiet --format json`: 0 for `expect pass` and `expect
    /// finding X` (X found), 1 for `expect fail X` (X among the violations).
    func testVerifyEveryModelMeetsItsExpectation() throws {
        let files = Self.allModels()
        XCTAssertGreaterThanOrEqual(files.count, 12, "models found: \(files)")
        for path in files {
            let (kind, name) = try Self.expectation(of: path)
            let run = try Tool.run(["verify", path, "--quiet", "--format", "json"])
            checkRan(run, "verify \(path)")
            let json = try run.json()
            let properties = json["properties"] as? [[String: Any]] ?? []
            let violated = (json["violations"] as? [[String: Any]] ?? []).compactMap { $0["property"] as? String }
            let status = Dictionary(
                properties.compactMap { p in (p["name"] as? String).map { ($0, p["status"] as? String ?? "") } },
                uniquingKeysWith: { a, _ in a })
            XCTAssertEqual(json["complete"] as? Bool, true, "\(path): search incomplete")
            switch kind {
            case "pass":
                XCTAssertEqual(run.status, 0, "\(path) (expect pass): violations \(violated)\n\(run.stderr.prefix(1000))")
                XCTAssertEqual(violated, [], path)
            case "finding":
                let finding = try XCTUnwrap(name, path)
                XCTAssertEqual(run.status, 0, "\(path) (expect finding \(finding)): violations \(violated)")
                XCTAssertEqual(status[finding], "found", "\(path): status of \(finding)")
                let traced = (json["findings"] as? [[String: Any]] ?? []).compactMap { $0["property"] as? String }
                XCTAssertTrue(traced.contains(finding), "\(path): no trace of \(finding) among \(traced)")
            case "fail":
                let property = try XCTUnwrap(name, path)
                XCTAssertEqual(run.status, 1, "\(path) (expect fail \(property))\n\(run.stderr.prefix(1000))")
                XCTAssertTrue(violated.contains(property), "\(path): \(property) not among violations \(violated)")
                XCTAssertEqual(status[property], "violated", "\(path): status of \(property)")
            default:
                XCTFail("\(path): unknown expectation '\(kind)'")
            }
        }
    }

    // MARK: Counterexamples replay

    /// For every variant: `verify --trace-out T` writes the first
    /// counterexample; `run FILE T` replays it on the variant's core and
    /// names the property (exit 1); on the upstream core the same steps break
    /// nothing: the replay runs (exit 0) or reaches a step the upstream core
    /// cannot take, which it names (exit 1), and never reports a violation.
    func testVariantTracesReplayOnTheirCoreAndNotOnUpstream() throws {
        let directory = try temporaryDirectory()
        let variants = Self.allModels().filter { $0.contains("/Models/variants/") }
        XCTAssertEqual(variants.count, 10, "one model per core variant: \(variants)")
        for path in variants {
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let trace = directory.appendingPathComponent(name + ".scenario").path
            let verify = try Tool.run(["verify", path, "--quiet", "--format", "json", "--trace-out", trace])
            checkRan(verify, "verify \(path)")
            XCTAssertEqual(verify.status, 1, "\(path): verify\n\(verify.stderr.prefix(1000))")
            let violations = try verify.json()["violations"] as? [[String: Any]] ?? []
            guard let first = violations.first(where: { $0["scenario"] is String }),
                let property = first["property"] as? String
            else {
                XCTFail("\(path): no violation with a scenario")
                continue
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: trace), "\(path): no trace written to \(trace)")
            XCTAssertEqual(try String(contentsOfFile: trace, encoding: .utf8), first["scenario"] as? String, "\(path): trace file")

            let replay = try Tool.run(["run", path, trace])
            checkRan(replay, "run \(path) \(trace)")
            XCTAssertEqual(replay.status, 1, "\(path): replaying the trace of \(property)\n\(replay.stdout)\n\(replay.stderr)")
            XCTAssertTrue(
                replay.stdout.contains("klpcheck: violated \(property) at \(trace):"),
                "\(path): the replay does not name \(property):\n\(replay.stdout)")

            let upstream = try Tool.run(["run", path, trace, "--core", "upstream"])
            checkRan(upstream, "run \(path) \(trace) --core upstream")
            let diverges = upstream.stdout.contains("klpcheck: step cannot happen at \(trace):")
            XCTAssertEqual(upstream.status, diverges ? 1 : 0, "\(path): upstream replay\n\(upstream.stderr)")
            XCTAssertFalse(upstream.stdout.contains("klpcheck: violated"), "\(path): the trace breaks the upstream core too:\n\(upstream.stdout)")
        }
    }

    // MARK: run

    /// Every selftest scenario runs against its world with exit 0.
    func testSelftestScenariosRun() throws {
        let scenarios = Self.models.appendingPathComponent("selftests/scenarios")
        let names = try FileManager.default.contentsOfDirectory(atPath: scenarios.path).filter { $0.hasSuffix(".scenario") }.sorted()
        XCTAssertEqual(names.count, 15)
        for name in names {
            let model = name.hasPrefix("state-") ? "test-state.klp" : "test-callbacks.klp"
            let run = try Tool.run([
                "run", Self.models.appendingPathComponent("selftests/" + model).path,
                scenarios.appendingPathComponent(name).path,
            ])
            checkRan(run, "run \(name)")
            XCTAssertEqual(run.status, 0, "\(name):\n\(run.stdout)\n\(run.stderr)")
            XCTAssertTrue(run.stdout.hasPrefix("% "), "\(name): output should start with the first command:\n\(run.stdout.prefix(300))")
            XCTAssertFalse(run.stdout.contains("klpcheck: violated"), "\(name):\n\(run.stdout)")
        }
    }

    // MARK: graph

    func testGraphOfTestStateIsDot() throws {
        let run = try Tool.run(["graph", Self.models.appendingPathComponent("selftests/test-state.klp").path, "--format", "dot"])
        checkRan(run, "graph")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("digraph"), "graph output starts with: \(run.stdout.prefix(80))")
        XCTAssertTrue(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("}"))
    }

    // MARK: Bad input

    /// Exit 2, and `FILE:LINE:COL: error:` on stderr.
    func checkBadInput(
        _ arguments: [String], at location: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let run = try Tool.run(arguments)
        checkRan(run, arguments.joined(separator: " "), file: file, line: line)
        XCTAssertEqual(run.status, 2, "stderr:\n\(run.stderr)", file: file, line: line)
        XCTAssertTrue(
            run.stderr.contains("\(location): error:"), "expected '\(location): error:' on stderr:\n\(run.stderr)",
            file: file, line: line)
        XCTAssertEqual(run.stdout, "", "nothing on stdout for bad input", file: file, line: line)
    }

    static let goodModel = """
        tasks 1
        module m
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        """

    func testModelWithAnUnknownKeywordExits2() throws {
        let directory = try temporaryDirectory()
        let model = directory.appendingPathComponent("bad.klp").path
        try (Self.goodModel + "\nfrobnicate 3\n").write(toFile: model, atomically: true, encoding: .utf8)
        try checkBadInput(["verify", model, "--quiet"], at: "\(model):5:1")
        // run reads the model first and reports it the same way.
        let scenario = directory.appendingPathComponent("ok.scenario").path
        try "insmod test_modules/P.ko\n".write(toFile: scenario, atomically: true, encoding: .utf8)
        try checkBadInput(["run", model, scenario], at: "\(model):5:1")
    }

    func testScenarioWithAnUnknownCommandExits2() throws {
        let directory = try temporaryDirectory()
        let model = directory.appendingPathComponent("ok.klp").path
        try Self.goodModel.write(toFile: model, atomically: true, encoding: .utf8)
        let scenario = directory.appendingPathComponent("bad.scenario").path
        try "insmod test_modules/P.ko\n  modprobe P\n".write(toFile: scenario, atomically: true, encoding: .utf8)
        try checkBadInput(["run", model, scenario], at: "\(scenario):2:3")
    }

    func testScenarioWithAnUnknownPatchExits2() throws {
        let directory = try temporaryDirectory()
        let model = directory.appendingPathComponent("ok.klp").path
        try Self.goodModel.write(toFile: model, atomically: true, encoding: .utf8)
        let scenario = directory.appendingPathComponent("bad.scenario").path
        try "# a patch the model does not declare\ninsmod test_modules/P.ko\necho 0 > /sys/kernel/livepatch/Q/enabled\n"
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        try checkBadInput(["run", model, scenario], at: "\(scenario):3:1")
        // The same in a replay step.
        try "replay\nstep load Q\n".write(toFile: scenario, atomically: true, encoding: .utf8)
        try checkBadInput(["run", model, scenario], at: "\(scenario):2:1")
    }

    // MARK: Replay steps that name the wrong thing (failing: see the report)

    /// Writes `lines` as a replay scenario against `goodModel` (tasks 1,
    /// module m, patch P) and expects exit 2 with an error at `line`.
    func checkBadReplay(_ lines: [String], errorAtLine line: Int, file: StaticString = #filePath, callLine: UInt = #line) throws {
        let directory = try temporaryDirectory()
        let model = directory.appendingPathComponent("ok.klp").path
        try Self.goodModel.write(toFile: model, atomically: true, encoding: .utf8)
        let scenario = directory.appendingPathComponent("bad.scenario").path
        try (["replay"] + lines).joined(separator: "\n").appending("\n").write(toFile: scenario, atomically: true, encoding: .utf8)
        let run = try Tool.run(["run", model, scenario])
        XCTAssertFalse(run.crashed, "klpcheck crashed on \(lines):\n\(run.stderr.prefix(600))", file: file, line: callLine)
        XCTAssertEqual(run.status, 2, "\(lines): stdout:\n\(run.stdout)", file: file, line: callLine)
        let pattern = "\(NSRegularExpression.escapedPattern(for: scenario)):\(line):[0-9]+: error:"
        XCTAssertNotNil(
            run.stderr.range(of: pattern, options: .regularExpression),
            "\(lines): expected '\(scenario):\(line):COL: error:' on stderr:\n\(run.stderr.prefix(600))", file: file, line: callLine)
    }

    /// A patch step naming a module (`step load m`) or a module step naming a
    /// patch (`step coming P`) must be bad input. BUG: ScenarioRunner.configure
    /// accepts any declared name for any step kind; `Execution.replay` then
    /// fires the event with index -1: `step load m` traps (index out of range
    /// in patchName(-1), exit 132), `step disable m` and `step init P` read the
    /// tables at index -1, and `step coming P` is silently dropped.
    func testReplayStepNamingAModuleForAPatchOrAPatchForAModuleExits2() throws {
        try checkBadReplay(["step load m"], errorAtLine: 2)
        try checkBadReplay(["step disable m"], errorAtLine: 2)
        try checkBadReplay(["step coming P"], errorAtLine: 2)
        try checkBadReplay(["step init P"], errorAtLine: 2)
    }

    /// `step switch task N` needs 1 <= N <= tasks. BUG: N is not checked;
    /// `Execution.replay` fires `.switchTask(N - 1)` and the machine reads and
    /// writes `taskPatched[N - 1]` past its table (task 2 of 1 "succeeds"
    /// silently; task 0 reads index -1).
    func testReplaySwitchOfATaskThatDoesNotExistExits2() throws {
        try checkBadReplay(["step load P", "step switch task 2"], errorAtLine: 3)
        try checkBadReplay(["step load P", "step switch task 0"], errorAtLine: 3)
    }

    /// `step switch task x`: BUG: parsed, and `Int("x") ?? 1` silently switches task 1.
    func testReplaySwitchWithATaskThatIsNotANumberExits2() throws {
        try checkBadReplay(["step load P", "step switch task x"], errorAtLine: 3)
    }
}
