import Foundation
import KLPTestSupport
import XCTest

/// Deterministic mutation fuzzing of `klpcheck verify` over every shipped
/// model (Models/scale/ aside, to keep it fast): truncations, byte flips,
/// insertions and deletions, duplicated and swapped lines. Whatever the
/// mutant, the tool must answer with an exit status of the table (0, 1, 2
/// or 3) within the time limit: never a crash, a signal, exit 70 or a hang.
///
/// Set `KLPCHECK_FUZZ_SEED` to replay another seed, `KLPCHECK_FUZZ_COUNT`
/// for the mutations per file, `KLPCHECK_FUZZ_BUDGET` for the seconds after
/// which no new mutant is started (default 45; the mutants run round-robin
/// over the files, so a budget cut keeps every file equally covered, and the
/// first three rounds always run). Mutants that fail are kept under
/// `$TMPDIR/klpcheck-fuzz-failures/`.
///
/// Uses `Tool` (KLPTestSupport) to find the built executable.
final class VerifyFuzzTests: XCTestCase {
    /// FNV-1a, to give every file its own stream from the one seed.
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h
    }

    static let defaultSeed: UInt64 = 0x6B6C_7063_6865_636B  // "klpcheck"

    static var seed: UInt64 {
        guard let text = ProcessInfo.processInfo.environment["KLPCHECK_FUZZ_SEED"] else { return defaultSeed }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) ?? defaultSeed }
        return UInt64(text) ?? defaultSeed
    }

    static var mutationsPerFile: Int {
        ProcessInfo.processInfo.environment["KLPCHECK_FUZZ_COUNT"].flatMap { Int($0) }.map { max(1, $0) } ?? 40
    }

    static var budget: TimeInterval {
        ProcessInfo.processInfo.environment["KLPCHECK_FUZZ_BUDGET"].flatMap { TimeInterval($0) } ?? 45
    }

    /// Rounds (one mutant of every file) that run whatever the budget.
    static let guaranteedRounds = 3

    // MARK: Mutations

    /// Bytes that make interesting mutants: structure, digits, signs, and non-ASCII.
    static let interestingBytes: [UInt8] = Array("\n\t #:()-0123456789,".utf8) + [0x00, 0x7F, 0xC3, 0xFF]

    static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    }

    static func joined(_ lines: [[UInt8]]) -> [UInt8] {
        Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }

    /// One random mutation of `bytes`, and what it did in words.
    static func mutate(_ bytes: [UInt8], _ random: inout SplitMix64) -> (bytes: [UInt8], what: String) {
        var out = bytes
        let count = max(1, bytes.count)
        switch random.below(7) {
        case 0:
            let at = random.below(count)
            out = Array(bytes.prefix(at))
            return (out, "truncate at byte \(at)")
        case 1:
            guard !bytes.isEmpty else { return (out, "nothing") }
            let at = random.below(bytes.count)
            let bit = UInt8(1) << UInt8(random.below(8))
            out[at] ^= bit
            return (out, "flip bit \(bit) of byte \(at)")
        case 2:
            guard !bytes.isEmpty else { return (out, "nothing") }
            let at = random.below(bytes.count)
            let value = random.below(2) == 0 ? interestingBytes[random.below(interestingBytes.count)] : UInt8(random.below(256))
            out[at] = value
            return (out, "set byte \(at) to 0x\(String(value, radix: 16))")
        case 3:
            let at = random.below(bytes.count + 1)
            let value = random.below(2) == 0 ? interestingBytes[random.below(interestingBytes.count)] : UInt8(random.below(256))
            out.insert(value, at: at)
            return (out, "insert 0x\(String(value, radix: 16)) at byte \(at)")
        case 4:
            guard !bytes.isEmpty else { return (out, "nothing") }
            let at = random.below(bytes.count)
            out.remove(at: at)
            return (out, "delete byte \(at)")
        case 5:
            var lines = lines(bytes)
            let at = random.below(lines.count)
            lines.insert(lines[at], at: at + random.below(lines.count - at + 1))
            return (joined(lines), "duplicate line \(at + 1)")
        default:
            var lines = lines(bytes)
            let a = random.below(lines.count)
            let b = random.below(lines.count)
            lines.swapAt(a, b)
            return (joined(lines), "swap lines \(a + 1) and \(b + 1)")
        }
    }

    // MARK: Running

    /// One run of a mutant: `Tool.launch`'s result.
    typealias Outcome = ToolRun

    /// What is wrong with an outcome, or nil when it keeps the contract.
    static func problem(with outcome: Outcome) -> String? {
        if outcome.timedOut { return "ran longer than the per-process timeout (\(Int(outcome.seconds)) s)" }
        if outcome.crashed { return "killed by signal \(outcome.status)" }
        switch outcome.status {
        case 2:
            if !outcome.stderr.contains("error:") { return "exit 2 without 'error:' on stderr" }
            return nil
        case 0, 1, 3:
            guard let object = try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any] else {
                return "exit \(outcome.status) but stdout is not a JSON object"
            }
            if object["schema"] as? String != "klpcheck/1" { return "JSON schema is \(object["schema"] ?? "missing")" }
            if (object["exitCode"] as? NSNumber)?.int32Value != outcome.status {
                return "JSON exitCode \(object["exitCode"] ?? "missing") differs from the exit status \(outcome.status)"
            }
            return nil
        default:
            return "exit status \(outcome.status) is not one of 0, 1, 2, 3"
        }
    }

    // MARK: The test

    struct Job: Sendable {
        var model: String
        var number: Int
        var what: String
        var bytes: [UInt8]
    }

    final class Results: @unchecked Sendable {
        let lock = NSLock()
        var outcomes: [Int: Outcome] = [:]
        var errors: [Int: String] = [:]
        var cursor = 0

        func take() -> Int {
            lock.lock()
            defer { lock.unlock() }
            cursor += 1
            return cursor - 1
        }

        func record(_ index: Int, _ outcome: Result<Outcome, Error>) {
            lock.lock()
            defer { lock.unlock() }
            switch outcome {
            case .success(let value): outcomes[index] = value
            case .failure(let error): errors[index] = "\(error)"
            }
        }
    }

    func testMutatedModelsNeverCrashVerify() throws {
        let executable = try Tool.executable()
        let root = RepositoryModels.folder
        let models = RepositoryModels.all().filter { !$0.hasPrefix(root.path + "/scale/") }
        XCTAssertGreaterThanOrEqual(models.count, 12, "shipped models: \(models)")
        let seed = Self.seed
        let perFile = Self.mutationsPerFile
        print("VerifyFuzzTests: seed 0x\(String(seed, radix: 16)) (KLPCHECK_FUZZ_SEED), \(perFile) mutations per file, \(models.count) files")

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        // Each file has its own stream; the jobs go round-robin over the files.
        var perModel: [[Job]] = []
        for model in models {
            let relative = String(model.dropFirst(root.path.count + 1))
            var random = SplitMix64(state: seed ^ Self.hash(relative))
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: model)))
            var mutants: [Job] = []
            for number in 0..<perFile {
                var (bytes, what) = Self.mutate(original, &random)
                // One in four mutants gets a second mutation on top.
                if random.below(4) == 0 {
                    let (again, more) = Self.mutate(bytes, &random)
                    bytes = again
                    what += ", then " + more
                }
                mutants.append(Job(model: relative, number: number, what: what, bytes: bytes))
            }
            perModel.append(mutants)
        }
        let jobs = (0..<perFile).flatMap { number in perModel.map { $0[number] } }
        let guaranteed = Self.guaranteedRounds * models.count
        let budget = Self.budget

        let results = Results()
        let started = Date()
        let jobList = jobs
        // Two at a time: the mutants are small, and most of the time is process start-up.
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            while true {
                let index = results.take()
                guard index < jobList.count else { return }
                guard index < guaranteed || Date().timeIntervalSince(started) < budget else { return }
                let job = jobList[index]
                let name = job.model.replacingOccurrences(of: "/", with: "__").replacingOccurrences(of: ".klp", with: "")
                let path = scratch.appendingPathComponent("\(name)-m\(job.number).klp").path
                results.record(
                    index,
                    Result {
                        try Data(job.bytes).write(to: URL(fileURLWithPath: path))
                        return try Tool.launch(
                            executable,
                            ["verify", path, "--quiet", "--max-states", "20000", "--time-limit", "5", "--format", "json"],
                            timeout: 20, lossy: true)
                    })
            }
        }
        let elapsed = Date().timeIntervalSince(started)

        var histogram: [Int32: Int] = [:]
        var failures = 0
        let keep = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-fuzz-failures")
        var skipped = 0
        for (index, job) in jobs.enumerated() {
            if results.outcomes[index] == nil && results.errors[index] == nil && index >= guaranteed {
                skipped += 1
                continue
            }
            if let error = results.errors[index] {
                XCTFail("\(job.model) mutant \(job.number) (\(job.what)): could not run: \(error)")
                failures += 1
                continue
            }
            guard let outcome = results.outcomes[index] else {
                XCTFail("\(job.model) mutant \(job.number): no outcome")
                continue
            }
            histogram[outcome.timedOut ? -1 : (outcome.crashed ? -outcome.status - 100 : outcome.status), default: 0] += 1
            guard let problem = Self.problem(with: outcome) else { continue }
            failures += 1
            try? FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
            let kept = keep.appendingPathComponent(
                job.model.replacingOccurrences(of: "/", with: "__").replacingOccurrences(of: ".klp", with: "")
                    + "-seed\(String(seed, radix: 16))-m\(job.number).klp")
            try? Data(job.bytes).write(to: kept)
            XCTFail(
                """
                \(job.model) mutant \(job.number) (\(job.what)), seed 0x\(String(seed, radix: 16)): \(problem)
                  kept as \(kept.path)
                  stdout: \(outcome.stdout.prefix(400))
                  stderr: \(outcome.stderr.prefix(800))
                """)
        }
        let summary = histogram.sorted { $0.key < $1.key }.map { key, count in
            (key == -1 ? "timeout" : key < -1 ? "signal \(-(key + 100))" : "exit \(key)") + ": \(count)"
        }.joined(separator: ", ")
        print(
            "VerifyFuzzTests: \(jobs.count - skipped) of \(jobs.count) mutants in \(String(format: "%.1f", elapsed)) s"
                + (skipped > 0 ? " (\(skipped) not started: \(Int(budget)) s budget)" : "") + "; \(summary); \(failures) failing")
        // The corpus must exercise both the parser's errors and the search.
        XCTAssertGreaterThan(histogram[2] ?? 0, 0, "no mutant was rejected: \(summary)")
        XCTAssertGreaterThan((histogram[0] ?? 0) + (histogram[1] ?? 0), 0, "no mutant was searched: \(summary)")
    }

    /// Found while budgeting the fuzz run: mutants of livepatch-callbacks-demo.klp
    /// (24 state bits, so `--visited auto` picks the bitmap) took 4.5 s each in
    /// debug for 272 states, with 153 MB peak RSS against 2 MB of accounted
    /// engine memory. BUG: `BitmapVisitedSet.forEach(slots:reversed:)`
    /// (Sources/KLPEngine/BitmapVisitedSet.swift) builds `Array(indices)` (or
    /// `Array(indices.reversed())`) of every slot of the universe -- 8 bytes per
    /// possible state, per worker, per progress walk and sweep -- outside the
    /// memory ledger, so `--max-memory` does not bound it (test-state.klp with
    /// `--visited bitmap --max-memory 64M` peaks at 537 MB RSS in release; a
    /// 32-bit world would need 32 GB) and every sweep tests each slot bit by bit.
    func testBitmapProgressCheckStaysWithinTheMemoryBudget() throws {
        let model = RepositoryModels.folder.appendingPathComponent("samples/livepatch-callbacks-demo.klp").path
        let run = try Tool.run([
            "verify", model, "--property", "progress", "--visited", "bitmap", "--max-memory", "16M", "--format", "json",
            "--quiet",
        ])
        XCTAssertFalse(run.crashed, run.stderr)
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try run.json()
        XCTAssertEqual(json["visited"] as? String, "bitmap")
        XCTAssertEqual(json["verdict"] as? String, "pass")
        let peak = (json["peakMemoryBytes"] as? NSNumber)?.intValue ?? 0
        XCTAssertLessThan(peak, 64 << 20, "peak RSS \(peak >> 20) MiB with --max-memory 16M on a 272-state world")
    }

    /// The generator itself is deterministic: the same seed gives the same mutants.
    func testMutationsAreDeterministic() {
        let text = Array("tasks 1\npatch P\n  object vmlinux: pre_patch\n".utf8)
        var a = SplitMix64(state: 42)
        var b = SplitMix64(state: 42)
        for _ in 0..<100 {
            let x = Self.mutate(text, &a)
            let y = Self.mutate(text, &b)
            XCTAssertEqual(x.bytes, y.bytes)
            XCTAssertEqual(x.what, y.what)
        }
        // A known first value of SplitMix64 from seed 0.
        var zero = SplitMix64(state: 0)
        XCTAssertEqual(zero.next(), 0xE220_A839_7B1D_CDAF)
    }
}
