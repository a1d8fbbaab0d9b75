import Foundation
import KLPTestSupport
import XCTest

/// `klpcheck` on worlds wider than 8 words (issue 16): a complete search in
/// 16 words, a bounded one at every limit (32 words), and the errors, at the
/// crossing line, of worlds beyond the limits or beyond 32 words.
final class WideWorldEndToEndTests: XCTestCase {
    /// `text` written to a fresh `NAME` in a folder removed after the test.
    func modelFile(_ name: String, _ text: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-wide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// 64 tasks, 64 modules (the first `busy` busy), 16 patches of a vmlinux
    /// object and 15 module objects each (256 objects), the last `replaces` `replace`.
    static func limitsWorld(replaces: Int = 0, busy: Int = 1) -> String {
        var text = "tasks 64\n" + (1...64).map { "module m\($0)\($0 <= busy ? " busy" : "")\n" }.joined()
        for p in 0..<16 {
            text += "patch p\(p + 1)\(p >= 16 - replaces ? " replace" : "")\n"
            text += " object vmlinux: pre_patch post_patch pre_unpatch post_unpatch\n"
            for i in 0..<15 { text += " object m\((p * 15 + i) % 64 + 1): pre_patch post_patch pre_unpatch post_unpatch\n" }
        }
        return text + "check all\n"
    }

    /// 16 patches whose vmlinux pre_patch always fails, each with objects on
    /// 6 modules: 563 bits, 9 words, so the 16-word state; no patch ever
    /// loads, so the space is the modules' 4^6 loader states, searched whole
    /// with `--reduction none`; with `--reduction exact` (and by default)
    /// each module's insmod and rmmod are one step each, leaving 2^6 states
    /// that stand for the 4^6.
    func testVerifyCompletesInSixteenWords() throws {
        let text = "tasks 1\n" + (1...6).map { "module mod\($0)\n" }.joined()
            + (1...16).map { p in
                "patch fix\(p)\n  object vmlinux: pre_patch(fails -ENODEV) post_patch pre_unpatch post_unpatch\n"
                    + (1...6).map { "  object mod\($0): pre_patch post_patch pre_unpatch post_unpatch\n" }.joined()
            }.joined() + "check all\nexpect pass\n"
        let path = try modelFile("refused-series.klp", text)
        let run = try Tool.run(["verify", path, "--reduction", "none", "--quiet", "--format", "json"], timeout: 300)
        check(run, exits: 0, "verify")
        let json = try run.json()
        XCTAssertEqual(json["states"] as? Int, 4096)
        XCTAssertEqual(json["complete"] as? Bool, true)
        XCTAssertEqual(json["verdict"] as? String, "pass")
        let merged = try Tool.run(["verify", path, "--reduction", "exact", "--quiet", "--format", "json"], timeout: 300)
        check(merged, exits: 0, "verify")
        let reduced = try merged.json()
        XCTAssertEqual(reduced["states"] as? Int, 64)
        XCTAssertEqual((reduced["reduction"] as? [String: Any])?["fullStates"] as? Int, 4096)
        XCTAssertEqual(reduced["verdict"] as? String, "pass")
        // The default also removes retired patches (none retires here), and counts no full space.
        let byDefault = try Tool.run(["verify", path, "--quiet", "--format", "json"], timeout: 300)
        check(byDefault, exits: 0, "verify")
        let defaultJSON = try byDefault.json()
        XCTAssertEqual(defaultJSON["states"] as? Int, 64)
        XCTAssertEqual((defaultJSON["reduction"] as? [String: Any])?["name"] as? String, "merged-loader-steps+merged-retirement")
        XCTAssertTrue((defaultJSON["reduction"] as? [String: Any])?["fullStates"] is NSNull)
        let summary = try Tool.run(["verify", path, "--max-states", "1"])
        check(summary, exits: 3, "verify --max-states 1")
        XCTAssertTrue(
            summary.stdout.contains(
                "; symmetry: on; state: 563 bits in 9 words; insmod and rmmod as one step each: mod1, mod2, mod3, mod4, mod5, mod6"
                    + "; a retired patch's module is removed as it retires\n"),
            summary.stdout)
    }

    /// Every limit at once (1,263 bits, 20 words, run as 32): a bounded
    /// search stops at exactly its limit, incomplete (exit 3).
    func testVerifyAtEveryLimitStopsAtMaxStates() throws {
        let path = try modelFile("limits.klp", Self.limitsWorld())
        let run = try Tool.run(["verify", path, "--max-states", "300", "--quiet", "--format", "json"], timeout: 300)
        check(run, exits: 3, "verify --max-states 300")
        let json = try run.json()
        XCTAssertEqual(json["states"] as? Int, 300)
        XCTAssertEqual(json["complete"] as? Bool, false)
        XCTAssertEqual(json["limit"] as? String, "max-states")
        XCTAssertEqual(json["verdict"] as? String, "incomplete")
    }

    /// Every patch `replace`: 2,831 bits, refused at `patch p12` (line 253),
    /// with the bits, the limit and the excess.
    func testWorldBeyondThirtyTwoWordsIsRefusedAtItsLine() throws {
        let path = try modelFile("too-large.klp", Self.limitsWorld(replaces: 16))
        for command in ["verify", "graph"] {
            let run = try Tool.run([command, path])
            check(run, exits: 2, command)
            XCTAssertEqual(run.stdout, "")
            XCTAssertEqual(
                run.stderr,
                "\(path):253:7: error: world too large: its state needs 2831 bits, 785 over the limit of 2046 bits (32 words); declare fewer patches, objects, modules or tasks\nklpcheck: 1 error(s) in \(path)\n")
        }
    }

    /// A world that fits 32 words only with its tasks counted: with them
    /// named it is refused at the object that crosses (line 327, an object
    /// of p16).
    ///
    /// BUG: `graph --symmetry off` exited 70 (internal error) on it, and
    /// `verify --symmetry off` named no line.
    func testNamedTasksBeyondThirtyTwoWordsAreRefusedAtTheirLine() throws {
        let text = Self.limitsWorld(replaces: 7, busy: 32)
        XCTAssertEqual(text.split(separator: "\n")[320], "patch p16 replace", "p16 on line 321, its objects on 322-337")
        let path = try modelFile("named.klp", text)
        for command in ["verify", "graph"] {
            let run = try Tool.run([command, path, "--symmetry", "off"])
            check(run, exits: 2, "\(command) --symmetry off")
            XCTAssertEqual(run.stdout, "")
            XCTAssertEqual(
                run.stderr,
                "\(path):327:9: error: world too large: its state needs 2068 bits, 22 over the limit of 2046 bits (32 words); declare fewer patches, objects, modules or tasks (or turn task symmetry on)\nklpcheck: 1 error(s) in \(path)\n")
        }
        let counted = try Tool.run(["verify", path, "--max-states", "20", "--quiet", "--format", "json"], timeout: 300)
        check(counted, exits: 3, "verify with tasks counted")
        XCTAssertEqual(try counted.json()["states"] as? Int, 20)
    }

    /// The 17th patch and the 65th module, refused by `verify` at their lines.
    func testCountLimitsAreRefusedAtTheCrossingLine() throws {
        let patches = try modelFile("patches.klp", (1...17).map { "patch p\($0)\n object vmlinux:\n" }.joined())
        let modules = try modelFile("modules.klp", (1...65).map { "module m\($0)\n" }.joined() + "patch p\n object vmlinux:\n")
        for (path, error) in [
            (patches, "33:7: error: too many patches: at most 16 may be declared"),
            (modules, "65:8: error: too many modules: at most 64 may be declared"),
        ] {
            let run = try Tool.run(["verify", path])
            check(run, exits: 2, path)
            XCTAssertEqual(run.stderr, "\(path):\(error)\nklpcheck: 1 error(s) in \(path)\n")
        }
    }
}
