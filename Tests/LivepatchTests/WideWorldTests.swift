import KLPEngine
import XCTest

@testable import Livepatch

/// Worlds at the language's limits (issue 16): 256 objects take 1,024 bits
/// on their own, more than 8 words hold, so states go up to 32 words
/// (2,046 bits); a world beyond even that is refused at the declaration that
/// crosses, with the bits it needs and by how much it is over.
final class WideWorldTests: XCTestCase {
    typealias BoundedSearch = WorldLimitsTests.BoundedSearch

    /// `patches` patches on 64 modules (m1 busy), `tasks` tasks: each patch
    /// has a vmlinux object and 15 module objects (patch p on modules
    /// 15p+1 ... 15p+15, wrapping), every callback; the last `replaces` are `replace`.
    static func limitsWorld(tasks: Int = 64, patches: Int = 16, replaces: Int = 0, busy: Int = 1) -> String {
        var text = "tasks \(tasks)\n" + (1...64).map { "module m\($0)\($0 <= busy ? " busy" : "")\n" }.joined()
        for p in 0..<patches {
            text += "patch p\(p + 1)\(p >= patches - replaces ? " replace" : "")\n"
            text += " object vmlinux: pre_patch post_patch pre_unpatch post_unpatch\n"
            for i in 0..<15 { text += " object m\((p * 15 + i) % 64 + 1): pre_patch post_patch pre_unpatch post_unpatch\n" }
        }
        return text + "check all\n"
    }

    /// 16 patches, 64 modules, 256 objects and 64 tasks: every limit at
    /// once. Parses, packs into 20 words (21 with the tasks named), runs as
    /// 32, and a bounded search stops at exactly its limit.
    func testWorldAtEveryLimitExploresInThirtyTwoWords() throws {
        let world = try ModelParser.parse(Self.limitsWorld(), file: "limits.klp")
        XCTAssertEqual(world.patches.count, World.Limits.patches)
        XCTAssertEqual(world.modules.count, World.Limits.modules)
        XCTAssertEqual(world.patches.reduce(0) { $0 + $1.objects.count }, World.Limits.objects)
        XCTAssertEqual(world.tasks, World.Limits.tasks.upperBound)
        let counted = CompiledWorld(world, symmetry: true)
        // transition patch 5 + target 1; 16 × (position 5 + retired 1); 64 modules × 2;
        // 256 objects × 4; the count of 64 tasks 7; one worker × 2.
        XCTAssertEqual(counted.bitCount, 5 + 1 + 16 * 6 + 64 * 2 + 256 * 4 + 7 + 2)
        XCTAssertEqual(counted.wordCount, 20)
        let named = CompiledWorld(world, symmetry: false)
        XCTAssertEqual(named.bitCount, 5 + 1 + 16 * 6 + 64 * 2 + 256 * 4 + 64 + 2)
        XCTAssertEqual(named.wordCount, 21)
        for compiled in [counted, named] {
            let (statistics, width) = try compiled.withModel(BoundedSearch(checked: StateSpaceTests.checked(world), maxStates: 300))
            XCTAssertEqual(width, 32)
            XCTAssertEqual(statistics.states, 300)
            XCTAssertFalse(statistics.complete)
            XCTAssertEqual(statistics.limit, .states)
        }
    }

    /// The same world with every patch `replace`: the nop slots (2 bits per
    /// patch and target it lacks) take it to 2,831 bits. Refused at
    /// `patch p12`, the first line whose prefix does not pack into 32 words
    /// (a replace patch adds a nop for every target the others patch).
    func testWorldBeyondThirtyTwoWordsIsRefusedAtTheCrossingLine() throws {
        let text = Self.limitsWorld(replaces: 16)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[252], "patch p12 replace", "line 253")
        let world = try ModelParser.parse(SourceText(text, file: "t.klp"), checkingStateSize: false)
        let bits = CompiledWorld(world, symmetry: true).bitCount
        // The limits world's 1,263 bits and 16 patches × 49 nop slots × 2.
        XCTAssertEqual(bits, 1263 + 16 * 49 * 2)
        XCTAssertLessThanOrEqual(CompiledWorld(world.prefix(through: 252), symmetry: true).wordCount, 32, "the line before still fits")
        XCTAssertGreaterThan(CompiledWorld(world.prefix(through: 253), symmetry: true).wordCount, 32)
        do {
            _ = try ModelParser.parse(text, file: "t.klp")
            XCTFail("parsed")
        } catch {
            XCTAssertEqual(
                error.diagnostics.map(\.description),
                ["t.klp:253:7: error: world too large: its state needs 2831 bits, 785 over the limit of 2046 bits (32 words); declare fewer patches, objects, modules or tasks"])
        }
    }

    /// A world that fits 32 words only with its tasks counted: run with them
    /// named, it is refused with the bits it needs and how many are too many.
    func testNamedTasksBeyondThirtyTwoWordsAreRefusedWhenRun() throws {
        let world = try ModelParser.parse(Self.limitsWorld(replaces: 7, busy: 32), file: "t.klp")
        let counted = CompiledWorld(world, symmetry: true)
        // 7 replace patches × 49 nop slots × 2; 31 more workers × 2.
        XCTAssertEqual(counted.bitCount, 1263 + 7 * 49 * 2 + 31 * 2)
        XCTAssertEqual(counted.wordCount, 32)
        let (statistics, width) = try counted.withModel(BoundedSearch(checked: [], maxStates: 50))
        XCTAssertEqual(width, 32)
        XCTAssertEqual(statistics.states, 50)
        let named = CompiledWorld(world, symmetry: false)
        XCTAssertEqual(named.bitCount, counted.bitCount - 7 + 64)
        XCTAssertThrowsError(try named.withModel(BoundedSearch(checked: [], maxStates: 1))) { error in
            XCTAssertEqual(
                (error as? WorldTooLarge)?.description,
                "world too large: its state needs 2068 bits, 22 over the limit of 2046 bits (32 words); declare fewer patches, objects, modules or tasks (or turn task symmetry on)")
            // At the first declaration whose prefix does not pack with the tasks named: an object of p16 (lines 322-337).
            let crossing = (error as? WorldTooLarge)?.location
            XCTAssertEqual(crossing.map { "\($0.file):\($0.line):\($0.column)" }, "t.klp:327:9")
            XCTAssertLessThanOrEqual(CompiledWorld(world.prefix(through: 326), symmetry: false).wordCount, 32)
            XCTAssertGreaterThan(CompiledWorld(world.prefix(through: 327), symmetry: false).wordCount, 32)
        }
    }

    /// 16 patches whose vmlinux pre_patch always fails, on 5 busy modules,
    /// 64 named tasks, 4 data and a 16-value setting: 1,022 bits, the most
    /// 16 words hold; one more setting bit takes it to 17 words, run as 32.
    /// No patch ever loads, so both spaces are the modules' 4^5 loader
    /// states, searched whole (the progress check included).
    func testSixteenWordBoundarySearchesWhole() throws {
        func world(extraSetting: Bool) -> String {
            "tasks 64\n" + (1...4).map { "data shadow\($0)\n" }.joined()
                + "setting level " + (0..<16).map { "v\($0)" }.joined(separator: " ") + "\n"
                + (extraSetting ? "setting mode on off\n" : "") + (1...5).map { "module mod\($0) busy\n" }.joined()
                + (1...16).map { p in
                    "patch fix\(p)\n  object vmlinux: pre_patch(fails -ENODEV) post_patch pre_unpatch post_unpatch\n"
                        + (1...5).map { "  object mod\($0): pre_patch post_patch pre_unpatch post_unpatch\n" }.joined()
                }.joined() + "check all\n"
        }
        // transition 5 + target 1; 16 × (position 5 + retired 1); 5 modules × 2; 96 objects × 4;
        // 64 tasks; 5 workers × 2; 16 patches × 4 data × (pointer 5 + slot 2); the setting 4.
        let bits = 5 + 1 + 16 * 6 + 5 * 2 + 96 * 4 + 64 + 5 * 2 + 16 * 4 * 7 + 4
        XCTAssertEqual(bits, PackedStateLayout.payloadBits(words: 16))
        for (extra, words, width) in [(false, 16, 16), (true, 17, 32)] {
            let parsed = try ModelParser.parse(world(extraSetting: extra), file: "t.klp")
            let compiled = CompiledWorld(parsed, symmetry: false)
            XCTAssertEqual(compiled.bitCount, bits + (extra ? 1 : 0))
            XCTAssertEqual(compiled.wordCount, words)
            let (statistics, verdicts, stateWidth) = try compiled.withModel(
                CumulativeSeriesTests.FullSearch(checked: StateSpaceTests.checked(parsed)))
            XCTAssertEqual(stateWidth, width)
            XCTAssertTrue(statistics.complete)
            XCTAssertEqual(statistics.states, 1024)
            XCTAssertEqual(Set(verdicts), ["holds"], "\(width) words")
        }
    }

    /// The search specialised for 16 and 32 words answers as the engine's
    /// generic one (one thread, the same state limit: the same states).
    func testWideWidthsAnswerAsTheGenericSearch() throws {
        let sixteen = "tasks 64\n" + WorldLimitsTests.modules(5) + (1...16).map { WorldLimitsTests.patch("p\($0)", modules: 5) }.joined()
        for (text, width) in [(sixteen, 16), (Self.limitsWorld(), 32)] {
            let world = try ModelParser.parse(text, file: "t.klp")
            let result = try CompiledWorld(world, symmetry: false)
                .withModel(LivepatchModelSearchTests.Visit(checked: StateSpaceTests.checked(world), threads: 1, maxStates: 2_000))
            XCTAssertEqual(result.width, width)
            XCTAssertEqual(result.differences, [], "\(width) words")
        }
    }

    /// The outcome of `steps` in `world`: its violations and findings, by name.
    func outcome(_ world: World, _ steps: String) throws -> [String] {
        let scenario = try Scenario.parse("replay\n" + steps, file: "s.txt")
        let outcome = try ScenarioRunner.run(scenario, file: "s.txt", world: world)
        XCTAssertEqual(outcome.impossibleSteps, [])
        return (outcome.violations + outcome.findings).map(\.property.rawValue)
    }

    /// BUG: the object whose pre_patch (or patching) failed in a step was
    /// kept as a bit of a 64-bit mask, so from the 65th object on the bit
    /// fell off: a callback after a failed pre_patch went unreported. Now
    /// the object at index 64 fails exactly as the one at index 0 does.
    func testSixtyFifthObjectFailsAsTheFirstDoes() throws {
        let padding = (1...4).map { p in
            "patch pad\(p)\n object vmlinux:\n" + (1...15).map { " object m\($0):\n" }.joined()
        }.joined()
        let modules = (1...15).map { "module m\($0)\n" }.joined()
        let failing = "patch p\n object vmlinux: pre_patch(may-fail -ENODEV) post_patch pre_unpatch post_unpatch patching(may-fail)\ncheck all\n"
        for core in ["ungated-post-unpatch", "upstream"] {
            let first = try ModelParser.parse("core \(core)\ntasks 1\n" + modules + failing, file: "first.klp")
            let last = try ModelParser.parse("core \(core)\ntasks 1\n" + modules + padding + failing, file: "last.klp")
            XCTAssertEqual(CompiledWorld(last, symmetry: true).objectCount, 65, "p's object is the 65th")
            for step in ["step load p fail pre_patch p vmlinux\n", "step load p fail patching p vmlinux\n"] {
                let expected = try outcome(first, step)
                XCTAssertEqual(try outcome(last, step), expected, "\(core): \(step)")
                if core == "ungated-post-unpatch" && step.contains("pre_patch") {
                    XCTAssertEqual(expected, ["post-unpatch-paired", "failed-pre-patch-silent"])
                }
                if core == "upstream" && step.contains("patching") {
                    XCTAssertEqual(expected, ["post-unpatch-after-patch-failure"])
                }
            }
        }
    }
}
