import KLPEngine
import XCTest

@testable import Livepatch

/// The language's limits (issue 16): 16 patches, 64 modules, 256 objects and
/// 64 tasks, with states of 1, 2, 4, 8, 16 or 32 words, the smallest that
/// fits; a world beyond a count limit is refused at the crossing line, and
/// one whose state does not fit 32 words at the declaration that makes it
/// too large, with the bits it needs (WideWorldTests).
///
/// BUG: a cumulative series of 3 versions on vmlinux and 10 modules (33
/// objects) was refused ("too many objects: at most 32").
final class WorldLimitsTests: XCTestCase {
    /// Stores at most `maxStates` states of `world`, tasks counted; also
    /// gives the words of the state type the model runs with.
    struct BoundedSearch: LivepatchModelVisitor {
        let checked: PropertySet
        let maxStates: UInt64
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (SearchStatistics, width: Int) {
            (try model.explore(options: SearchOptions(threads: 1, maxStates: maxStates, checked: checked)).statistics, State.wordCount)
        }
    }

    /// `count` modules m1..., the first busy.
    static func modules(_ count: Int) -> String {
        (1...count).map { "module m\($0)\($0 == 1 ? " busy" : "")\n" }.joined()
    }

    /// Patch `name` on vmlinux and modules m1...m`modules`, each object with every callback.
    static func patch(_ name: String, modules: Int, header: String = "") -> String {
        "patch \(name)\(header)\n object vmlinux: pre_patch(may-fail -ENODEV) post_patch pre_unpatch post_unpatch\n"
            + (0..<modules).map { " object m\($0 + 1): pre_patch post_patch pre_unpatch post_unpatch\n" }.joined()
    }

    /// Parses `text`, expecting exactly `errors`.
    func assertRefused(_ text: String, _ errors: [String], file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try ModelParser.parse(text, file: "t.klp")
            XCTFail("parsed", file: file, line: line)
        } catch {
            XCTAssertEqual(error.diagnostics.map(\.description), errors, file: file, line: line)
        }
    }

    /// Compiles `world` with tasks counted and searches at most `maxStates` states.
    func boundedSearch(_ world: World, maxStates: UInt64) throws -> (CompiledWorld, SearchStatistics, width: Int) {
        let compiled = CompiledWorld(world, symmetry: true)
        let (statistics, width) = try compiled.withModel(BoundedSearch(checked: StateSpaceTests.checked(world), maxStates: maxStates))
        return (compiled, statistics, width)
    }

    func testCumulativeSeriesOnTenModulesExploresInFourWords() throws {
        let text = "tasks 3\n" + Self.modules(10)
            + (1...3).map { v in Self.patch("fix_v\(v)", modules: 10, header: " replace\n state 1 version \(v)") }.joined()
            + "check all\n"
        let world = try ModelParser.parse(text, file: "series.klp")
        XCTAssertEqual(world.patches.reduce(0) { $0 + $1.objects.count }, 33)
        let (compiled, statistics, width) = try boundedSearch(world, maxStates: 200_000)
        // 3 patches: 2 + 3 × (2 position + 1 retired); 10 modules × 2; 33 objects × 4; 2 task-count bits; 2 worker bits; 1 target.
        XCTAssertEqual(compiled.bitCount, 2 + 9 + 20 + 132 + 2 + 2 + 1)
        XCTAssertEqual(compiled.wordCount, 3)
        XCTAssertEqual(width, 4, "3 words run as 4")
        XCTAssertEqual(statistics.states, 200_000)
        XCTAssertFalse(statistics.complete)
        XCTAssertEqual(statistics.limit, .states)
    }

    func testSeventeenthPatchIsRefusedAtItsLine() {
        let text = (1...17).map { "patch p\($0)\n object vmlinux:\n" }.joined()
        assertRefused(text, ["t.klp:33:7: error: too many patches: at most 16 may be declared"])
    }

    func testSixtyFifthModuleIsRefusedAtItsLine() {
        let text = (1...65).map { "module m\($0)\n" }.joined() + "patch p\n object vmlinux:\n"
        assertRefused(text, ["t.klp:65:8: error: too many modules: at most 64 may be declared"])
    }

    func testSixteenPatchesExplore() throws {
        let text = "tasks 2\nmodule m1 busy\n" + (1...16).map { Self.patch("p\($0)", modules: 1) }.joined()
        let (compiled, statistics, width) = try boundedSearch(try ModelParser.parse(text, file: "t.klp"), maxStates: 10_000)
        XCTAssertEqual(compiled.patchCount, 16)
        XCTAssertEqual(compiled.wordCount, 4)
        XCTAssertEqual(width, 4)
        XCTAssertEqual(statistics.states, 10_000)
        XCTAssertEqual(statistics.limit, .states)
    }

    func testSixtyFourModulesExplore() throws {
        let text = "tasks 2\n" + Self.modules(64) + "patch p\n object m64: pre_patch post_patch\n"
        let (compiled, statistics, width) = try boundedSearch(try ModelParser.parse(text, file: "t.klp"), maxStates: 10_000)
        XCTAssertEqual(compiled.moduleCount, 64)
        XCTAssertEqual(compiled.wordCount, 3)
        XCTAssertEqual(width, 4)
        XCTAssertEqual(statistics.states, 10_000)
        XCTAssertEqual(statistics.limit, .states)
    }

    /// 16 patches on vmlinux and 5 modules: 96 objects, the most of that
    /// shape that fit 8 words; with 64 named tasks the same world takes 9, run as 16.
    func testNinetySixObjectsExploreInEightWords() throws {
        let text = "tasks 2\n" + Self.modules(5) + (1...16).map { Self.patch("p\($0)", modules: 5) }.joined()
        let world = try ModelParser.parse(text, file: "t.klp")
        let (compiled, statistics, width) = try boundedSearch(world, maxStates: 10_000)
        XCTAssertEqual(compiled.objectCount, 96)
        XCTAssertEqual(compiled.wordCount, 8)
        XCTAssertEqual(width, 8)
        XCTAssertEqual(statistics.states, 10_000)
        XCTAssertEqual(statistics.limit, .states)
        // The same world with 64 named tasks: 64 task bits instead of a 2-bit count.
        var named = world
        named.tasks = 64
        let wide = CompiledWorld(named, symmetry: false)
        XCTAssertEqual(wide.bitCount, compiled.bitCount - 2 + 64)
        XCTAssertEqual(wide.wordCount, 9)
        let (wideStatistics, wideWidth) = try wide.withModel(BoundedSearch(checked: [], maxStates: 100))
        XCTAssertEqual(wideWidth, 16)
        XCTAssertEqual(wideStatistics.states, 100)
        XCTAssertEqual(wideStatistics.limit, .states)
    }

    /// 256 objects (4 patches on vmlinux and 63 modules) need 1,172 bits,
    /// more than 8 words: they pack into 19 words and run as 32.
    func testTwoHundredFiftySixObjectsExploreInThirtyTwoWords() throws {
        let plain = "patch p%d\n object vmlinux:\n" + (1...63).map { " object m\($0):\n" }.joined()
        let text = "tasks 2\n" + (1...63).map { "module m\($0)\n" }.joined()
            + (1...4).map { plain.replacingOccurrences(of: "%d", with: "\($0)") }.joined()
        let world = try ModelParser.parse(text, file: "t.klp")
        XCTAssertEqual(world.patches.reduce(0) { $0 + $1.objects.count }, 256)
        let (compiled, statistics, width) = try boundedSearch(world, maxStates: 1_000)
        // 4 patches: 3 + 4 × (3 + 1); 63 modules × 2; 256 objects × 4; 2 task-count bits; 1 target.
        XCTAssertEqual(compiled.bitCount, 3 + 16 + 126 + 1024 + 2 + 1)
        XCTAssertEqual(compiled.wordCount, 19)
        XCTAssertEqual(width, 32)
        XCTAssertEqual(statistics.states, 1_000)
        XCTAssertEqual(statistics.limit, .states)
    }

    /// BUG: with 16 patches, the 16th live allocation of one data was
    /// renumbered to index 16, which its 4-bit entry could not hold, and
    /// was reported as leaked.
    func testSixteenLiveAllocationsAreNotLeaks() throws {
        let patches = (1...16).map { "patch p\($0)\n object vmlinux: pre_patch post_unpatch\n  on pre_patch: alloc table\n  on post_unpatch: free table\n" }
        let world = try ModelParser.parse("tasks 1\ndata table\n" + patches.joined() + "check all\n", file: "w.klp")
        let steps = (1...16).map { "step load p\($0)\nstep switch task\nstep complete\n" }.joined()
        let scenario = try Scenario.parse("replay\n" + steps, file: "s.txt")
        let outcome = try ScenarioRunner.run(scenario, file: "s.txt", world: world)
        XCTAssertEqual(outcome.impossibleSteps, [])
        XCTAssertEqual(outcome.violations.map(\.property), [])
        XCTAssertTrue(outcome.output.contains("livepatch: 'p16': patching complete"), "\(outcome.output.suffix(5))")
    }
}
