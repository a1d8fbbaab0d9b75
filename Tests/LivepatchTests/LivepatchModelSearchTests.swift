import Foundation
import KLPEngine
import XCTest

@testable import Livepatch

/// `LivepatchModel.explore(options:)`, the search specialised in the
/// Livepatch module for each state width, answers exactly as the engine's
/// generic entry point.
final class LivepatchModelSearchTests: XCTestCase {
    struct Visit: LivepatchModelVisitor {
        let checked: PropertySet
        var threads = 2
        var maxStates: UInt64?
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (width: Int, differences: [String]) {
            // Over the hash set: the reference, specialised here, is then
            // one copy of the search per width, not one per visited set.
            let options = SearchOptions(threads: threads, visited: .hash, maxStates: maxStates, checked: checked)
            let specialised = try model.explore(options: options)
            let generic = try Explorer.exploreOverHashSet(model, options: options, visitor: NoVisitor<State>())
            var differences: [String] = []
            let a = specialised.statistics
            let b = generic.statistics
            if (a.states, a.transitions, a.depth, a.complete, a.visited) != (b.states, b.transitions, b.depth, b.complete, b.visited) {
                differences.append("counts: \(a.states)/\(a.transitions)/\(a.depth) against \(b.states)/\(b.transitions)/\(b.depth)")
            }
            if specialised.statuses != generic.statuses { differences.append("statuses or traces differ") }
            return (State.wordCount, differences)
        }
    }

    func testEveryWidthAnswersAsTheGenericSearch() throws {
        let files = try StateSpaceTests.modelFiles(in: ["variants", "selftests"])
        var widths: Set<Int> = []
        for path in files {
            let world = try ModelParser.parse(contentsOf: path)
            for symmetry in [true, false] {
                let result = try CompiledWorld(world, symmetry: symmetry)
                    .withModel(Visit(checked: StateSpaceTests.checked(world)))
                widths.insert(result.width)
                XCTAssertEqual(result.differences, [], "\(path), symmetry \(symmetry)")
            }
        }
        XCTAssertEqual(widths, [1], "the bundled small worlds fit one word")

        // Eight patches need two words; their space is large, so both searches
        // stop at the same state limit (one thread: the same states).
        let wide = "tasks 1\n" + (1...8).map { "patch P\($0)\n  object vmlinux: pre_patch post_patch pre_unpatch post_unpatch\n" }.joined()
        let world = try ModelParser.parse(wide, file: "wide.klp")
        let result = try CompiledWorld(world, symmetry: false)
            .withModel(Visit(checked: StateSpaceTests.checked(world), threads: 1, maxStates: 5_000))
        XCTAssertEqual(result.width, 2)
        XCTAssertEqual(result.differences, [])
    }
}
