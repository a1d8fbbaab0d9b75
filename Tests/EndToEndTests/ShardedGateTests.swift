import Foundation
import KLPTestSupport
import XCTest

/// `gate --shard K/N` and `merge`: sharded and merged gates print and write
/// what one unsharded gate does (timings and memory masked), on the bundled
/// models and on a folder with every gate status; each job engine's way of
/// running the shards is simulated; merge refuses every bad combination.
final class ShardedGateTests: XCTestCase {
    /// The package's root, where `Models` is.
    static let packageRoot = RepositoryModels.root

    /// Runs klpcheck as a job engine would: in `directory`, with `environment` added.
    func klpcheck(_ arguments: [String], in directory: URL = packageRoot, environment: [String: String] = [:]) throws -> ToolRun {
        try Tool.run(arguments, in: directory, environment: environment)
    }

    /// Everything a gate or merge printed and wrote, timings and memory masked.
    struct Outputs: Equatable {
        var status: Int32
        var text: String
        var json: String
        var junit: String
        var sarif: String
        var pages: [String: String]
    }

    static let output = ["--json", "out/gate.json", "--junit", "out/gate.xml", "--sarif", "out/gate.sarif", "--report-dir", "out/report"]

    /// Reads what a run wrote under `folder/out`.
    func outputs(of run: ToolRun, in folder: URL) throws -> Outputs {
        XCTAssertFalse(run.crashed, run.stderr)
        let out = folder.appendingPathComponent("out")
        var pages: [String: String] = [:]
        let report = out.appendingPathComponent("report")
        for case let relative as String in FileManager.default.enumerator(atPath: report.path) ?? .init() where relative.hasSuffix(".md") {
            pages[relative] = Self.maskMarkdown(try String(contentsOf: report.appendingPathComponent(relative), encoding: .utf8))
        }
        return Outputs(
            status: run.status,
            text: Self.replace(#"[0-9]+\.[0-9]{3} s$"#, in: run.stdout, with: "T s"),
            json: try Self.maskJSON(try String(contentsOf: out.appendingPathComponent("gate.json"), encoding: .utf8)),
            junit: Self.replace(#"time="[0-9.]+""#, in: try String(contentsOf: out.appendingPathComponent("gate.xml"), encoding: .utf8), with: #"time="T""#),
            sarif: try String(contentsOf: out.appendingPathComponent("gate.sarif"), encoding: .utf8), pages: pages)
    }

    static func replace(_ pattern: String, in text: String, with replacement: String) -> String {
        let expression = try! NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        return expression.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: replacement)
    }

    static func maskMarkdown(_ text: String) -> String {
        replace(#"[0-9]+\.[0-9]{3} \|$"#, in: text, with: "T |")
    }

    /// The JSON with every timing and memory figure replaced by 0.
    static func maskJSON(_ text: String) throws -> String {
        let masked = [
            "seconds", "totalSeconds", "progressSeconds", "progressExpansions", "statesPerSecond", "bytesPerState",
            "engineMemoryBytes", "peakMemoryBytes",
        ]
        func mask(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return Dictionary(uniqueKeysWithValues: object.map { key, value in (key, masked.contains(key) ? 0 : mask(value)) })
            }
            if let array = value as? [Any] { return array.map(mask) }
            return value
        }
        let object = mask(try JSONSerialization.jsonObject(with: Data(text.utf8)))
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The unsharded gate over `models` (a path relative to the package root or absolute).
    func unsharded(_ models: String) throws -> Outputs {
        let folder = try temporaryDirectory()
        let run = try klpcheck(["gate", models] + Self.output.map { $0.hasPrefix("out/") ? folder.path + "/" + $0 : $0 })
        return try outputs(of: run, in: folder)
    }

    /// The shards run with `shard(k)` and `environment(k)`, each writing its JSON to the shared folder; then merged.
    func sharded(
        _ models: String, count: Int, shard: ((Int) -> String)? = nil,
        environment: (Int) -> [String: String] = { _ in [:] }, in directory: URL = packageRoot
    ) throws -> Outputs {
        let shared = try temporaryDirectory()
        var files: [String] = []
        for k in 0..<count {
            let file = shared.appendingPathComponent("shard-\(k).json").path
            let run = try klpcheck(
                ["gate", models, "--shard", shard?(k) ?? "\(k)/\(count)", "--json", file, "--no-report"], in: directory, environment: environment(k))
            XCTAssertFalse(run.crashed, run.stderr)
            XCTAssertTrue([0, 1, 2, 3].contains(run.status), "shard \(k)/\(count): \(run.status) \(run.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any]
            let index = try XCTUnwrap(json?["shard"] as? [String: Any])
            XCTAssertEqual(index["index"] as? Int, k)
            XCTAssertEqual(index["count"] as? Int, count)
            files.append(file)
        }
        let run = try klpcheck(["merge"] + files.reversed() + Self.output.map { $0.hasPrefix("out/") ? shared.path + "/" + $0 : $0 })
        return try outputs(of: run, in: shared)
    }

    /// A folder with a model of every gate status: pass, fail (two ways), finding, bad.
    func mixedFolder() throws -> String {
        let folder = try temporaryDirectory()
        let files = [
            "a/passing.klp": GateOutput.passing, "a/violating.klp": GateOutput.violating,
            "b/wrong.klp": GateCommandTests.wronglyExpectsFailure, "b/replacing.klp": GateCommandTests.replacing,
            "c/doubly.klp": GateCommandTests.doublyViolating, "c/bad.klp": GateCommandTests.bad,
        ]
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return folder.path
    }

    // MARK: Sharded equals unsharded

    /// Each output compared on its own, so that a failure names the one that differs.
    func assertSame(_ merged: Outputs, _ whole: Outputs, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(merged.status, whole.status, "\(what): exit status", file: file, line: line)
        XCTAssertEqual(merged.text, whole.text, "\(what): text", file: file, line: line)
        XCTAssertEqual(merged.json, whole.json, "\(what): JSON", file: file, line: line)
        XCTAssertEqual(merged.junit, whole.junit, "\(what): JUnit", file: file, line: line)
        XCTAssertEqual(merged.sarif, whole.sarif, "\(what): SARIF", file: file, line: line)
        XCTAssertEqual(merged.pages.keys.sorted(), whole.pages.keys.sorted(), "\(what): Markdown pages", file: file, line: line)
        for (page, text) in whole.pages {
            XCTAssertEqual(merged.pages[page], text, "\(what): Markdown page \(page)", file: file, line: line)
        }
    }

    func testShardedAndMergedGatesEqualTheUnshardedGate() throws {
        for models in ["Models/samples", "Models/variants", "Models/selftests", try mixedFolder()] {
            let whole = try unsharded(models)
            XCTAssertFalse(whole.pages.isEmpty)
            for count in [1, 2, 3, 7] {
                assertSame(try sharded(models, count: count), whole, "\(models) in \(count) shards")
            }
        }
    }

    /// The mixed folder's merged gate has its exact summary and exit status 2 (a bad file).
    func testMergedGateKeepsTheGatesExitRules() throws {
        let merged = try sharded(try mixedFolder(), count: 3)
        XCTAssertEqual(merged.status, 2)
        XCTAssertTrue(merged.text.hasSuffix("\n2 passed, 3 failed, 1 bad, 0 incomplete\n"), merged.text)
    }

    /// Seven shards of the three selftest models: four shards are empty, valid and exit 0.
    func testEmptyShardsWriteAValidDocumentAndExitZero() throws {
        let shared = try temporaryDirectory()
        var empty = 0
        var models = 0
        for k in 0..<7 {
            let file = shared.appendingPathComponent("s\(k).json").path
            let run = try klpcheck(["gate", "Models/selftests", "--shard", "\(k)/7", "--json", file, "--no-report"])
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            let count = (json["models"] as? [Any])?.count ?? -1
            models += count
            if count == 0 {
                empty += 1
                XCTAssertEqual(run.status, 0, run.stderr)
                XCTAssertEqual(run.stdout, "0 passed, 0 failed, 0 bad, 0 incomplete\n")
            }
        }
        XCTAssertEqual(models, 3)
        XCTAssertEqual(empty, 4)
    }

    // MARK: Job engines, simulated

    /// GitHub Actions matrix: `--shard ${{ matrix.shard }}/3` in the checkout.
    func testGitHubMatrix() throws {
        let whole = try unsharded("Models/variants")
        assertSame(try sharded("Models/variants", count: 3), whole, "GitHub matrix")
    }

    /// Kubernetes Indexed Job: `--shard auto/3` with JOB_COMPLETION_INDEX, in the image's working directory.
    func testKubernetesIndexedJob() throws {
        let whole = try unsharded("Models/variants")
        let merged = try sharded(
            "Models/variants", count: 3, shard: { _ in "auto/3" }, environment: { ["JOB_COMPLETION_INDEX": "\($0)"] })
        assertSame(merged, whole, "Kubernetes Indexed Job")
    }

    /// Slurm job array: `--shard auto/3` with SLURM_ARRAY_TASK_ID, started in the submit directory.
    func testSlurmJobArray() throws {
        let whole = try unsharded("Models/samples")
        let merged = try sharded(
            "Models/samples", count: 3, shard: { _ in "auto/3" }, environment: { ["SLURM_ARRAY_TASK_ID": "\($0)"] })
        assertSame(merged, whole, "Slurm job array")
    }

    // MARK: Bad shards and bad K/N

    func testBadShardSpecificationsAreExitTwo() throws {
        for shard in ["3/3", "-1/3", "x/2", "0/0", "1", "0/3/4", "auto/2"] {
            let run = try klpcheck(["gate", "Models/selftests", "--shard", shard, "--no-report"])
            XCTAssertEqual(run.status, 2, "--shard \(shard): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("--shard"), run.stderr)
        }
        let outOfRange = try klpcheck(
            ["gate", "Models/selftests", "--shard", "auto/2", "--no-report"], environment: ["JOB_COMPLETION_INDEX": "2"])
        XCTAssertEqual(outOfRange.status, 2)
        XCTAssertEqual(
            outOfRange.stderr.split(separator: "\n").first, "klpcheck: error: --shard: shard '2' is not a whole number from 0 to 1")
        let balance = try klpcheck(["gate", "Models/selftests", "--balance", "x.json", "--no-report"])
        XCTAssertEqual(balance.status, 2)
    }

    func shardFiles(_ models: String, count: Int, in shared: URL, prefix: String) throws -> [String] {
        try (0..<count).map { k in
            let file = shared.appendingPathComponent("\(prefix)-\(k).json").path
            _ = try klpcheck(["gate", models, "--shard", "\(k)/\(count)", "--json", file, "--no-report"])
            return file
        }
    }

    func merge(_ files: [String]) throws -> ToolRun {
        try klpcheck(["merge"] + files + ["--no-report"])
    }

    func testMergeRejectsEveryBadCombination() throws {
        let shared = try temporaryDirectory()
        let samples = try shardFiles("Models/samples", count: 3, in: shared, prefix: "samples")
        let variants = try shardFiles("Models/variants", count: 3, in: shared, prefix: "variants")
        XCTAssertEqual(try merge(samples).status, 0)

        let missing = try merge([samples[0], samples[2]])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(
            missing.stderr, "klpcheck: error: missing shard 1/3 of the shards given (\(samples[0]), \(samples[2]))\n")

        let duplicate = try merge(samples + [samples[1]])
        XCTAssertEqual(duplicate.status, 2)
        XCTAssertEqual(duplicate.stderr, "klpcheck: error: \(samples[1]): shard 1/3 again (already in \(samples[1]))\n")

        let otherSet = try merge([samples[0], variants[1], samples[2]])
        XCTAssertEqual(otherSet.status, 2)
        XCTAssertTrue(otherSet.stderr.hasPrefix("klpcheck: error: \(variants[1]): a shard of another model set than \(samples[0])"), otherSet.stderr)

        // The same folder with one model changed is another model set.
        let copy = shared.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: Self.packageRoot.appendingPathComponent("Models/selftests"), to: copy)
        let before = try shardFiles(copy.path, count: 2, in: shared, prefix: "before")
        let first = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: copy.path).sorted().first { $0.hasSuffix(".klp") })
        let handle = try FileHandle(forWritingTo: copy.appendingPathComponent(first))
        handle.seekToEndOfFile()
        handle.write(Data("\n".utf8))
        try handle.close()
        let after = try shardFiles(copy.path, count: 2, in: shared, prefix: "after")
        let changed = try merge([before[0], after[1]])
        XCTAssertEqual(changed.status, 2)
        XCTAssertTrue(changed.stderr.hasPrefix("klpcheck: error: \(after[1]): a shard of another model set"), changed.stderr)

        // Another klpcheck version: the version field edited.
        let edited = shared.appendingPathComponent("edited.json").path
        let text = try String(contentsOfFile: samples[1], encoding: .utf8)
        XCTAssertTrue(text.contains("\"version\" : \"0.2.0\""))
        try text.replacingOccurrences(of: "\"version\" : \"0.2.0\"", with: "\"version\" : \"9.9.9\"")
            .write(toFile: edited, atomically: true, encoding: .utf8)
        let version = try merge([samples[0], edited, samples[2]])
        XCTAssertEqual(version.status, 2)
        XCTAssertEqual(version.stderr, "klpcheck: error: \(edited): written by klpcheck 9.9.9, not by this klpcheck 0.2.0\n")

        // Different shard counts.
        let two = try shardFiles("Models/samples", count: 2, in: shared, prefix: "two")
        let counts = try merge([samples[0], two[1]])
        XCTAssertEqual(counts.status, 2)
        XCTAssertTrue(counts.stderr.hasPrefix("klpcheck: error: \(two[1]): shard 1/2, but"), counts.stderr)

        // An unsharded gate's JSON, and a file that is not JSON.
        let whole = shared.appendingPathComponent("whole.json").path
        _ = try klpcheck(["gate", "Models/samples", "--json", whole, "--no-report"])
        let unsharded = try merge([whole])
        XCTAssertEqual(unsharded.status, 2)
        XCTAssertEqual(unsharded.stderr, "klpcheck: error: \(whole): not a shard (written without --shard)\n")
        let garbage = shared.appendingPathComponent("garbage.json").path
        try "nope".write(toFile: garbage, atomically: true, encoding: .utf8)
        let notJSON = try merge([garbage])
        XCTAssertEqual(notJSON.status, 2)
        XCTAssertTrue(notJSON.stderr.hasPrefix("klpcheck: error: \(garbage): not a gate JSON document"), notJSON.stderr)
    }

    // MARK: Balance

    /// The split is balanced by cost: with the costs of a previous gate the
    /// costliest model is alone in its shard when it outweighs the rest.
    func testBalanceFileDrivesTheSplit() throws {
        let shared = try temporaryDirectory()
        let previous = shared.appendingPathComponent("previous.json").path
        _ = try klpcheck(["gate", "Models/samples", "--json", previous, "--no-report"])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: previous))) as? [String: Any])
        let models = try XCTUnwrap(json["models"] as? [[String: Any]])
        let states = models.map { (($0["path"] as? String) ?? "", (($0["result"] as? [String: Any])?["states"] as? Int) ?? 0) }
        // Longest processing time first, ties by path: the expected shard 0 of 2.
        let order = states.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
        var loads = [0, 0]
        var expected: [String] = []
        for (path, cost) in order {
            let lightest = loads[1] < loads[0] ? 1 : 0
            loads[lightest] += cost
            if lightest == 0 { expected.append(path) }
        }
        let file = shared.appendingPathComponent("s0.json").path
        _ = try klpcheck(["gate", "Models/samples", "--shard", "0/2", "--balance", previous, "--json", file, "--no-report"])
        let shard = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        let paths = (shard["models"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
        XCTAssertEqual(paths, expected.sorted())
        XCTAssertNotEqual(paths?.count, 0)
    }
}
