import Dispatch
import Foundation
import KLPCommandLine
import KLPTestSupport
import XCTest

/// `verify --swarm K/N` and `merge` of swarm members: members run as
/// separate processes, each a bitstate search with its own hash functions
/// and successor order; the merge fails with the shortest counterexample
/// (replayed) or is incomplete, never pass; bad combinations are exit 2.
final class SwarmVerificationTests: XCTestCase {
    /// A variant world (`complete-ignores-loaded`: completion runs the
    /// callbacks of unloaded modules) with `tasks` named tasks: with
    /// symmetry off every subset of switched tasks is a state, and the
    /// violation needs every task switched first (depth tasks + 2).
    static func variantWorld(tasks: Int) -> String {
        """
        # complete-ignores-loaded with \(tasks) named tasks (swarm test world)
        core complete-ignores-loaded
        tasks \(tasks)
        module m1
        module m2
        module m3
        module m4
        patch demo
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
          object m1: pre_patch post_patch pre_unpatch post_unpatch
          object m2: pre_patch post_patch pre_unpatch post_unpatch
          object m3: pre_patch post_patch pre_unpatch post_unpatch
          object m4: pre_patch post_patch pre_unpatch post_unpatch
        check loaded-only
        expect fail loaded-only

        """
    }

    /// A folder holding `world.klp` with `text`, removed after the test.
    func folder(with text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-swarm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        try text.write(to: url.appendingPathComponent("world.klp"), atomically: true, encoding: .utf8)
        return url
    }

    /// Runs the members 0 to N-1 of `arguments` at once, one process each,
    /// and writes each one's JSON to `member-K.json` in `directory`.
    func runSwarm(_ arguments: [String], members: Int, in directory: URL) throws -> [ToolRun] {
        let runs = UnsafeMutableBufferPointer<Result<ToolRun, Error>?>.allocate(capacity: members)
        runs.initialize(repeating: nil)
        defer { runs.deallocate() }
        nonisolated(unsafe) let slots = runs
        DispatchQueue.concurrentPerform(iterations: members) { member in
            slots[member] = Result {
                try Tool.run(arguments + ["--swarm", "\(member)/\(members)", "--format", "json"], in: directory)
            }
        }
        return try (0..<members).map { member in
            let run = try runs[member]!.get()
            XCTAssertFalse(run.crashed, run.stderr)
            try run.stdout.write(to: directory.appendingPathComponent("member-\(member).json"), atomically: true, encoding: .utf8)
            return run
        }
    }

    func memberFiles(_ members: Int) -> [String] { (0..<members).map { "member-\($0).json" } }

    static func steps(_ violation: Any?) -> Int { ((violation as? [String: Any])?["steps"] as? [Any])?.count ?? -1 }

    // MARK: - Finding a violation

    /// The demonstration: on a variant world whose violation an
    /// exact search cannot reach within 40,000 states (it needs 47,310),
    /// four members, run as four processes within the same budget each, all
    /// find it; the merge fails (exit 1) with the shortest of their
    /// counterexamples, which replays with `klpcheck run`.
    func testFourMembersFindTheViolationAnExactRunCannotReachWithinTheBudget() throws {
        let directory = try folder(with: Self.variantWorld(tasks: 8))
        // The full space (--reduction none): folding its alike modules, an exact run would reach the violation.
        let budget = ["--symmetry", "off", "--reduction", "none", "--threads", "1", "--max-states", "40000"]

        let exact = try Tool.run(["verify", "world.klp"] + budget + ["--format", "json"], in: directory)
        XCTAssertEqual(exact.status, 3, exact.stderr)
        let exactJSON = try exact.json()
        XCTAssertEqual(exactJSON["limit"] as? String, "max-states")
        XCTAssertEqual(exactJSON["states"] as? Int, 40_000)
        XCTAssertEqual((exactJSON["violations"] as? [Any])?.count, 0, "the exact search stops before the violation")
        // Without the budget, the exact search reaches it after 47,310 states.
        let whole = try Tool.run(
            ["verify", "world.klp", "--symmetry", "off", "--reduction", "none", "--threads", "1", "--format", "json"], in: directory)
        XCTAssertEqual(whole.status, 1)
        XCTAssertEqual(try whole.json()["states"] as? Int, 47_310)

        let runs = try runSwarm(["verify", "world.klp", "--bitstate-bits", "16"] + budget, members: 4, in: directory)
        let documents = try runs.map { try $0.json() }
        XCTAssertEqual(runs.map(\.status), [1, 1, 1, 1], runs.map(\.stderr).joined())
        for (member, document) in documents.enumerated() {
            let swarm = try XCTUnwrap(document["swarm"] as? [String: Any])
            XCTAssertEqual(swarm["member"] as? Int, member)
            XCTAssertEqual(swarm["members"] as? Int, 4)
            XCTAssertEqual((swarm["seed"] as? String)?.count, 16)
            XCTAssertEqual(swarm["version"] as? String, "0.2.0")
            XCTAssertEqual(document["verdict"] as? String, "fail")
            XCTAssertEqual(document["visited"] as? String, "bitstate")
            XCTAssertNil(document["limit"] as? String, "within the budget")
            XCTAssertNotNil(document["omissionProbability"] as? Double)
            let violation = try XCTUnwrap((document["violations"] as? [[String: Any]])?.first)
            XCTAssertEqual(violation["property"] as? String, "loaded-only")
            XCTAssertNotNil(violation["scenario"] as? String)
        }
        // Each member its own order and hashes: different counts and traces.
        XCTAssertEqual(documents.map { $0["states"] as? Int }, [32_596, 36_678, 32_690, 32_762])
        XCTAssertEqual(documents.map { Self.steps(($0["violations"] as? [Any])?.first) }, [10, 11, 10, 10])

        let merged = try Tool.run(["merge"] + memberFiles(4) + ["--json", "-", "--github"], in: directory)
        XCTAssertEqual(merged.status, 1, merged.stderr)
        let json = try merged.json()
        XCTAssertEqual(json["command"] as? String, "merge")
        XCTAssertEqual(json["verdict"] as? String, "fail")
        XCTAssertEqual(json["exitCode"] as? Int, 1)
        XCTAssertEqual(json["states"] as? Int, 32_596 + 36_678 + 32_690 + 32_762)
        let violations = try XCTUnwrap(json["violations"] as? [[String: Any]])
        XCTAssertEqual(violations.count, 1)
        XCTAssertEqual(violations[0]["property"] as? String, "loaded-only")
        XCTAssertEqual(violations[0]["member"] as? Int, 0, "the shortest; of equals, the lowest member")
        XCTAssertEqual(violations[0]["replayed"] as? Bool, true)
        XCTAssertEqual(Self.steps(violations[0]), 10)
        // The text goes to stderr when the JSON takes stdout.
        XCTAssertTrue(merged.stderr.contains("verdict: FAIL: 1 violated (loaded-only); the shortest counterexample of each, replayed\n"), merged.stderr)
        XCTAssertTrue(merged.stderr.contains("  found by member 0 (member-0.json); it replays\n"), merged.stderr)
        XCTAssertTrue(
            merged.stderr.contains(
                "::error file=world.klp,line=15::violated loaded-only (swarm member 0, 10 steps): post_patch of 'demo' on 'm1' ran while 'm1' is not loaded\n"),
            merged.stderr)

        // The reported counterexample replays with `klpcheck run` too.
        let scenario = try XCTUnwrap(violations[0]["scenario"] as? String)
        try scenario.write(to: directory.appendingPathComponent("trace.txt"), atomically: true, encoding: .utf8)
        let replay = try Tool.run(["run", "world.klp", "trace.txt"], in: directory)
        XCTAssertEqual(replay.status, 1, replay.stdout + replay.stderr)
        XCTAssertTrue(replay.stdout.contains("klpcheck: violated loaded-only at trace.txt:"), replay.stdout)
    }

    /// Members with different K explore in different orders under different
    /// hashes (different state counts and first counterexamples); a member
    /// run twice is the same search; plain bitstate is unchanged by swarm.
    func testMembersExploreInDifferentOrdersDeterministically() throws {
        let directory = try folder(with: Self.variantWorld(tasks: 6))
        let options = ["--symmetry", "off", "--reduction", "none", "--threads", "1", "--bitstate-bits", "13"]
        let runs = try runSwarm(["verify", "world.klp"] + options, members: 4, in: directory)
        let documents = try runs.map { try $0.json() }
        XCTAssertEqual(documents.map { $0["states"] as? Int }, [4_501, 4_459, 4_979, 4_520])
        XCTAssertEqual(documents.map { Self.steps(($0["violations"] as? [Any])?.first) }, [8, 8, 11, 8])
        XCTAssertEqual(Set(documents.map { ($0["swarm"] as? [String: Any])?["seed"] as? String }).count, 4)

        let again = try Tool.run(["verify", "world.klp", "--swarm", "1/4", "--format", "json"] + options, in: directory).json()
        XCTAssertEqual(again["states"] as? Int, 4_459)
        XCTAssertEqual(again["transitions"] as? Int, documents[1]["transitions"] as? Int)
        // Member K searches alike whatever the swarm's size.
        let ofEight = try Tool.run(["verify", "world.klp", "--swarm", "1/8", "--format", "json"] + options, in: directory).json()
        XCTAssertEqual(ofEight["states"] as? Int, 4_459)

        let plain = try Tool.run(["verify", "world.klp", "--visited", "bitstate", "--format", "json"] + options, in: directory).json()
        XCTAssertEqual(plain["states"] as? Int, 4_481)
        XCTAssertNil(plain["swarm"], "no swarm key without --swarm")
    }

    // MARK: - Never pass

    /// On a world where every property holds, each member is incomplete
    /// (exit 3) and so is the merge, with the states of all members and the
    /// coverage estimate 1 - Π omission.
    func testPassingWorldMergesToIncompleteNeverPass() throws {
        let model = RepositoryModels.root.appendingPathComponent("Models/selftests/test-callbacks.klp").path
        let directory = try folder(with: try String(contentsOfFile: model, encoding: .utf8))
        let runs = try runSwarm(["verify", "world.klp", "--threads", "1", "--bitstate-bits", "12"], members: 3, in: directory)
        XCTAssertEqual(runs.map(\.status), [3, 3, 3])
        let documents = try runs.map { try $0.json() }
        XCTAssertEqual(documents.map { $0["verdict"] as? String }, ["incomplete", "incomplete", "incomplete"])
        let omissions = try documents.map { try XCTUnwrap($0["omissionProbability"] as? Double) }
        let states = documents.compactMap { $0["states"] as? Int }

        let merged = try Tool.run(["merge"] + memberFiles(3) + ["--json", "merged.json", "--github"], in: directory)
        XCTAssertEqual(merged.status, 3, merged.stderr)
        XCTAssertEqual(merged.stderr, "")
        XCTAssertTrue(
            merged.stdout.contains("verdict: INCOMPLETE: no member found a violation; a swarm of bitstate searches never proves a property\n"),
            merged.stdout)
        let json = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("merged.json"))) as? [String: Any])
        XCTAssertEqual(json["verdict"] as? String, "incomplete")
        XCTAssertEqual(json["exitCode"] as? Int, 3)
        XCTAssertEqual(json["states"] as? Int, states.reduce(0, +))
        let coverage = try XCTUnwrap(json["coverageEstimate"] as? Double)
        XCTAssertEqual(coverage, 1 - omissions.reduce(1, *), accuracy: 1e-12)
        XCTAssertTrue(coverage > 0 && coverage < 1)
        XCTAssertEqual((json["members"] as? [[String: Any]])?.map { $0["member"] as? Int }, [0, 1, 2])
        XCTAssertEqual((json["violations"] as? [Any])?.count, 0)
        XCTAssertTrue(merged.stdout.contains("::warning file=world.klp,line="), merged.stdout)
    }

    // MARK: - Bad input

    /// Every bad combination is exit 2 with the file named.
    func testMergeRejectsEveryBadCombination() throws {
        let model = RepositoryModels.root.appendingPathComponent("Models/selftests/test-callbacks.klp").path
        let directory = try folder(with: try String(contentsOfFile: model, encoding: .utf8))
        let options = ["verify", "world.klp", "--threads", "1", "--bitstate-bits", "10"]
        _ = try runSwarm(options, members: 2, in: directory)
        func write(_ text: String, _ name: String) throws {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        func refused(_ files: [String], _ message: String, extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
            let run = try Tool.run(["merge"] + files + extra + ["--no-report"], in: directory)
            XCTAssertEqual(run.status, 2, run.stdout + run.stderr, file: file, line: line)
            XCTAssertEqual(run.stdout, "", file: file, line: line)
            XCTAssertEqual(run.stderr, "klpcheck: error: \(message)\n", file: file, line: line)
        }
        let first = try String(contentsOf: directory.appendingPathComponent("member-0.json"), encoding: .utf8)

        try refused(["member-0.json"], "missing member 1/2 of the members given (member-0.json)")
        try write(first, "copy-0.json")
        try refused(
            ["member-0.json", "copy-0.json", "member-1.json"], "copy-0.json: member 0/2 again (already in member-0.json)")
        let ofThree = try Tool.run(options + ["--swarm", "2/3", "--format", "json"], in: directory)
        try write(ofThree.stdout, "three.json")
        try refused(
            ["member-0.json", "member-1.json", "three.json"], "three.json: member 2/3, but member-0.json is of 2 members")
        try write(first.replacingOccurrences(of: "\"version\" : \"0.2.0\"", with: "\"version\" : \"0.1.0\""), "old.json")
        try refused(["old.json", "member-1.json"], "old.json: written by klpcheck 0.1.0, not by this klpcheck 0.2.0")

        // Another model: the same file name, other contents.
        let other = RepositoryModels.root.appendingPathComponent("Models/selftests/test-state.klp").path
        let elsewhere = directory.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: other, toPath: elsewhere.appendingPathComponent("world.klp").path)
        let foreign = try Tool.run(options + ["--swarm", "1/2", "--format", "json"], in: elsewhere)
        try write(foreign.stdout, "foreign.json")
        let fingerprint = try XCTUnwrap(((try foreign.json())["swarm"] as? [String: Any])?["modelFingerprint"] as? String)
        try refused(
            ["member-0.json", "foreign.json"],
            "foreign.json: a member over another model than member-0.json ('world.klp', fingerprint \(fingerprint))")

        // Gate shards and swarm members do not mix, in either order.
        let shard = try Tool.run(["gate", "shards", "--shard", "0/1", "--json", "shard.json", "--no-report"], in: try {
            let url = directory.appendingPathComponent("g")
            try FileManager.default.createDirectory(
                at: url.appendingPathComponent("shards"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: model, toPath: url.appendingPathComponent("shards/a.klp").path)
            return url
        }())
        XCTAssertEqual(shard.status, 0, shard.stderr)
        try FileManager.default.copyItem(
            at: directory.appendingPathComponent("g/shard.json"), to: directory.appendingPathComponent("shard.json"))
        try refused(
            ["member-0.json", "shard.json", "member-1.json"],
            "shard.json: a gate shard, but member-0.json is a swarm member: merge the shards of one gate or the members of one swarm")
        try refused(
            ["shard.json", "member-0.json"],
            "member-0.json: a swarm member, but shard.json is a gate shard: merge the shards of one gate or the members of one swarm")

        // A verify document without --swarm is no member.
        let single = try Tool.run(options + ["--visited", "bitstate", "--format", "json"], in: directory)
        try write(single.stdout, "single.json")
        try refused(["member-0.json", "single.json"], "single.json: not a swarm member (verify without --swarm)")

        // The gate's own reports have no swarm form.
        let junit = try Tool.run(["merge", "member-0.json", "member-1.json", "--junit", "x.xml"], in: directory)
        XCTAssertEqual(junit.status, 2)
        XCTAssertTrue(
            junit.stderr.hasPrefix(
                "klpcheck: error: --junit is for gate shards; the members of a swarm merge into text, --json and --github\n"),
            junit.stderr)
    }

    /// A counterexample that does not replay is an internal error (exit 70),
    /// never reported; and a model changed since the members ran is exit 2.
    func testCounterexampleThatDoesNotReplayIsAnInternalError() throws {
        let model = RepositoryModels.root.appendingPathComponent("Models/variants/complete-before-switch.klp").path
        let directory = try folder(with: try String(contentsOfFile: model, encoding: .utf8))
        let runs = try runSwarm(["verify", "world.klp", "--threads", "1", "--bitstate-bits", "16"], members: 2, in: directory)
        XCTAssertEqual(runs.map(\.status), [1, 1])
        let good = try Tool.run(["merge", "member-0.json", "member-1.json"], in: directory)
        XCTAssertEqual(good.status, 1, good.stderr)

        // Both members' traces without their last step (the completion): no violation on the way.
        for file in memberFiles(2) {
            let url = directory.appendingPathComponent(file)
            let text = try String(contentsOf: url, encoding: .utf8)
            try text.replacingOccurrences(of: "step complete\\n", with: "").write(to: url, atomically: true, encoding: .utf8)
        }
        let broken = try Tool.run(["merge", "member-0.json", "member-1.json"], in: directory)
        XCTAssertEqual(broken.status, 70, broken.stdout + broken.stderr)
        XCTAssertEqual(broken.stdout, "")
        XCTAssertEqual(
            broken.stderr,
            "klpcheck: error: the counterexample of post-patch-all-tasks from member-0.json does not replay: "
                + "post-patch-all-tasks is not violated on the way\n")

        try ("# changed\n" + String(contentsOfFile: model, encoding: .utf8))
            .write(to: directory.appendingPathComponent("world.klp"), atomically: true, encoding: .utf8)
        let changed = try Tool.run(["merge", "member-0.json", "member-1.json"], in: directory)
        XCTAssertEqual(changed.status, 2)
        XCTAssertTrue(
            changed.stderr.hasPrefix("klpcheck: error: member-0.json: the model 'world.klp' has changed since the members ran"),
            changed.stderr)
    }

    /// The two rule forms `--swarm` needs: a restriction that allows the
    /// other option's absence, and a rule another option lifts.
    func testRestrictingAndLiftedRules() throws {
        let spec = CommandSpec(
            name: "demo", abstract: "A demo.",
            options: [.value("--swarm", "K", help: "Swarm."), .value("--visited", "V", help: "Set."), .value("--bits", "B", help: "Bits.")]
        ).conflicting([
            .restricts("--swarm", "--visited", toOneOf: ["bitstate"], because: "swarm is bitstate"),
            OptionConflict.requires("--bits", "--visited", oneOf: ["bitstate"], because: "bits size bitstate").lifted(by: "--swarm"),
        ])
        XCTAssertNoThrow(try ParsedArguments(["--swarm", "1"], spec: spec))
        XCTAssertNoThrow(try ParsedArguments(["--swarm", "1", "--visited", "bitstate"], spec: spec))
        XCTAssertNoThrow(try ParsedArguments(["--swarm", "1", "--bits", "12"], spec: spec))
        XCTAssertThrowsError(try ParsedArguments(["--swarm", "1", "--visited", "hash"], spec: spec)) { error in
            XCTAssertEqual(error as? CommandFailure, CommandFailure("--swarm needs --visited bitstate, not --visited hash: swarm is bitstate"))
        }
        XCTAssertThrowsError(try ParsedArguments(["--bits", "12"], spec: spec)) { error in
            XCTAssertEqual(error as? CommandFailure, CommandFailure("--bits needs --visited bitstate: bits size bitstate"))
        }
    }

    /// `--swarm` is declared in verify's spec: bad values and contradictions
    /// are exit 2; `auto` reads the job engine's index; completions and the
    /// manual page know it.
    func testSwarmOptionIsCheckedAndDocumented() throws {
        let model = RepositoryModels.root.appendingPathComponent("Models/variants/complete-before-switch.klp").path
        let directory = try folder(with: try String(contentsOfFile: model, encoding: .utf8))
        func refused(_ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let run = try Tool.run(["verify", "world.klp"] + arguments, in: directory)
            XCTAssertEqual(run.status, 2, run.stderr, file: file, line: line)
            XCTAssertTrue(run.stderr.hasPrefix("klpcheck: error: \(message)\n"), run.stderr, file: file, line: line)
        }
        try refused(["--swarm", "4/4"], "--swarm: member '4' is not a whole number from 0 to 3")
        try refused(["--swarm", "1"], "--swarm: '1' is not K/N with N a whole number from 1 to 10000")
        try refused(["--swarm", "auto/4"], "--swarm auto/4: none of JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID is set")
        try refused(
            ["--swarm", "1/4", "--visited", "hash"],
            "--swarm needs --visited bitstate, not --visited hash: a swarm member searches with a bitstate set of its own hash functions")
        try refused(
            ["--bitstate-bits", "12"],
            "--bitstate-bits needs --visited bitstate: it sizes the bitstate array, which no other visited set has")

        let auto = try Tool.run(
            ["verify", "world.klp", "--swarm", "auto/4", "--bitstate-bits", "12", "--visited", "bitstate", "--format", "json"],
            in: directory, environment: ["SLURM_ARRAY_TASK_ID": "3"])
        XCTAssertEqual(auto.status, 1, auto.stderr)
        XCTAssertEqual(((try auto.json())["swarm"] as? [String: Any])?["member"] as? Int, 3)
        let text = try Tool.run(["verify", "world.klp", "--swarm", "0/2", "--bitstate-bits", "12"], in: directory)
        XCTAssertEqual(text.status, 1)
        XCTAssertTrue(text.stdout.contains("\nswarm: member 0 of 2, seed "), text.stdout)

        let bash = try Tool.run(["completions", "bash"], in: directory)
        XCTAssertTrue(bash.stdout.contains("--swarm"))
        let man = try Tool.run(["help", "--man"], in: directory)
        XCTAssertTrue(man.stdout.contains("swarm"))
    }
}
