import KLPEngine
import XCTest

@testable import Livepatch

/// The cumulative series of issue 16 (three versions of one livepatch, each
/// `replace`, klp_state 1 at versions 1, 2 and 3): the gate's world on two
/// modules (Models/scale/cumulative-series.klp) and the benchmark's on ten
/// (Models/scale/cumulative-series-m10.klp.in).
final class CumulativeSeriesTests: XCTestCase {
    static let gateWorld = StateSpaceTests.models.appendingPathComponent("scale/cumulative-series.klp").path
    static let tenModules = StateSpaceTests.models.appendingPathComponent("scale/cumulative-series-m10.klp.in").path

    struct FullSearch: LivepatchModelVisitor {
        let checked: PropertySet
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (SearchStatistics, [String], width: Int) {
            let report = try model.explore(options: SearchOptions(threads: 2, checked: checked))
            return (report.statistics, report.statuses.map(StateSpaceTests.verdict), State.wordCount)
        }
    }

    /// 2,848 states and 14,624 transitions with tasks counted or named (one
    /// task); only the finding of replacing a version with open brackets.
    func testGateSeriesExploresCompletely() throws {
        let world = try ModelParser.parse(contentsOf: Self.gateWorld)
        XCTAssertEqual(world.patches.map(\.replace), [true, true, true])
        XCTAssertEqual(world.patches.map { $0.states.map(\.version) }, [[1], [2], [3]])
        XCTAssertEqual(world.patches.reduce(0) { $0 + $1.objects.count }, 9)
        for symmetry in [true, false] {
            let compiled = CompiledWorld(world, symmetry: symmetry)
            // 3 patches: 2 + 3 × (2 position + 1 retired); 2 modules × 2; 9 objects × 4; 1 task bit; 2 worker bits; 1 target.
            XCTAssertEqual(compiled.bitCount, 2 + 9 + 4 + 36 + 1 + 2 + 1)
            XCTAssertEqual(compiled.wordCount, 1)
            let (statistics, verdicts, width) = try compiled.withModel(FullSearch(checked: StateSpaceTests.checked(world)))
            XCTAssertEqual(width, 1)
            XCTAssertTrue(statistics.complete)
            XCTAssertEqual(statistics.states, 2_848, "symmetry \(symmetry)")
            XCTAssertEqual(statistics.transitions, 14_624, "symmetry \(symmetry)")
            let violated = LivepatchProperty.allCases.indices.filter { verdicts[$0] == "violated" }.map { LivepatchProperty.allCases[$0] }
            XCTAssertEqual(violated, [.replacedAbandonsBrackets])
            XCTAssertTrue(LivepatchProperty.replacedAbandonsBrackets.isFinding)
        }
    }

    /// The ten-module series (33 objects) parses and packs into 168 bits,
    /// 3 words, run as 4; a bounded search stops at exactly its limit.
    func testTenModuleSeriesRunsInFourWords() throws {
        let world = try ModelParser.parse(contentsOf: Self.tenModules)
        XCTAssertEqual(world.modules.count, 10)
        XCTAssertEqual(world.patches.map { $0.states.map(\.version) }, [[1], [2], [3]])
        XCTAssertEqual(world.patches.reduce(0) { $0 + $1.objects.count }, 33)
        let compiled = CompiledWorld(world, symmetry: true)
        // 3 patches: 2 + 3 × 3; 10 modules × 2; 33 objects × 4; 2 task-count bits; 2 worker bits; 1 target.
        XCTAssertEqual(compiled.bitCount, 2 + 9 + 20 + 132 + 2 + 2 + 1)
        XCTAssertEqual(compiled.wordCount, 3)
        let (statistics, width) = try compiled.withModel(
            WorldLimitsTests.BoundedSearch(checked: StateSpaceTests.checked(world), maxStates: 2_000))
        XCTAssertEqual(width, 4)
        XCTAssertEqual(statistics.states, 2_000)
        XCTAssertFalse(statistics.complete)
        XCTAssertEqual(statistics.limit, .states)
    }
}
