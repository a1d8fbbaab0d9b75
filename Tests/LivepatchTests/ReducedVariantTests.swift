import Foundation
import KLPEngine
import XCTest

@testable import Livepatch

/// Every core variant caught in a world of the scale family's 5×4 size is
/// caught with module symmetry too, with a counterexample as short, and
/// with every reduction (`auto`), with a counterexample that replays.
final class ReducedVariantTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testVariantsAreCaughtInTheFiveByFourWorldWithReduction() throws {
        let family = try String(
            contentsOf: Self.repository.appendingPathComponent("Models/scale/family/p5-m4.klp.in"), encoding: .utf8)
        let body = family.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("check") && !$0.hasPrefix("expect") }.joined(separator: "\n")
        let folder = Self.repository.appendingPathComponent("Models/variants")
        var caught: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".klp") {
            let variant = try ModelParser.parse(contentsOf: folder.appendingPathComponent(name).path)
            guard case .fail(let property) = variant.expectation, property.kind != .possibility
            else { continue }
            let world = try ModelParser.parse("core \(variant.core.rawValue)\n" + body + "check \(property.rawValue)\n", file: name)
            var options = SearchOptions(threads: 2, maxStates: 150_000)
            options.checked = world.propertiesToCheck()
            let full = try CompiledWorld(world, symmetry: true, reduction: .none).verify(options: options, modelName: name)
            let reduced = try CompiledWorld(world, symmetry: true, reduction: .moduleSymmetry).verify(options: options, modelName: name)
            let merged = try CompiledWorld(world, symmetry: true, reduction: .auto).verify(options: options, modelName: name)
            XCTAssertEqual(reduced.reduction?.classes, [["mod2", "mod4"]])
            XCTAssertEqual(merged.reduction?.classes, [["mod2", "mod4"]])
            XCTAssertEqual(merged.reduction?.mergedModules, ["mod2", "mod3", "mod4"])
            XCTAssertEqual(reduced.isViolated(property.index), full.isViolated(property.index), name)
            XCTAssertEqual(merged.isViolated(property.index), full.isViolated(property.index), name)
            guard full.isViolated(property.index) else { continue }
            caught.append(variant.core.rawValue)
            XCTAssertEqual(
                reduced.violations.first?.trace.steps.count, full.violations.first?.trace.steps.count, "\(name): trace length")
            XCTAssertLessThanOrEqual(reduced.statistics.states, full.statistics.states, name)
            XCTAssertLessThanOrEqual(merged.statistics.states, reduced.statistics.states, name)
            let scenario = try XCTUnwrap(merged.violations.first?.trace.scenario, name)
            let run = try ScenarioRunner.run(try Scenario.parse(scenario, file: "trace.scn"), file: "trace.scn", world: world)
            XCTAssertTrue(run.impossibleSteps.isEmpty, "\(name):\n\(scenario)")
            XCTAssertTrue(run.violations.map(\.property).contains(property), "\(name): the trace does not replay to \(property):\n\(scenario)")
        }
        // cancel-skips-post-unpatch needs an object whose pre_patch succeeds
        // before another's fails: here vmlinux, the only one that may fail, comes first.
        XCTAssertEqual(
            caught,
            [
                "coming-post-patch-in-transition", "complete-before-switch",
                "complete-ignores-loaded", "enable-during-transition", "going-pre-unpatch-in-transition",
                "replace-runs-old-callbacks", "reverse-calls-pre-unpatch", "ungated-post-unpatch",
            ])
    }
}
