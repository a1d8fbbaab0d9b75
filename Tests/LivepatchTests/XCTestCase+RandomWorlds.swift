import KLPEngine
import KLPTestSupport
import XCTest

@testable import Livepatch

/// One random world searched in full and under a reduction.
struct ReducedSearch {
    /// The world's text, for failure messages.
    var context: String
    var world: World
    var options: SearchOptions
    var symmetry: Bool
    /// The world compiled under the reduction.
    var compiled: CompiledWorld
    var full: VerificationResult
    var reduced: VerificationResult
}

extension XCTestCase {
    /// Searches `rounds` random worlds from `seed` (symmetry on every other
    /// one, 1 or 2 threads, at most 4,000 states) in full and under
    /// `reduction`, and checks what every reduction keeps: the verdict,
    /// each property's status, the reduction's name, and counterexamples
    /// of the same properties, never shorter than the shortest. `body`
    /// checks the rest, for each world whose full search completed.
    ///
    /// - Returns: the number of worlds compared.
    func compareRandomWorldsWithTheFullSearch(
        rounds: Int, seed: UInt64, reduction: Reduction, file: StaticString = #filePath, line: UInt = #line,
        _ body: (ReducedSearch) throws -> Void
    ) throws -> Int {
        var random = SplitMix64(state: seed)
        var compared = 0
        for round in 0..<rounds {
            let text = RandomWorld.text(&random, interchangeable: round % 3 != 0)
            let world = try ModelParser.parse(text, file: "random-\(round).klp")
            let symmetry = round % 2 == 0
            var options = SearchOptions(threads: 1 + (round / 2) % 2, maxStates: 4_000)
            options.checked = world.propertiesToCheck()
            let full = try CompiledWorld(world, symmetry: symmetry, reduction: .none).verify(options: options, modelName: "m")
            guard full.statistics.complete else { continue }
            let compiled = CompiledWorld(world, symmetry: symmetry, reduction: reduction)
            let reduced = try compiled.verify(options: options, modelName: "m")
            compared += 1
            let context = "world \(round), symmetry \(symmetry):\n\(text)"
            XCTAssertEqual(reduced.verdict, full.verdict, context, file: file, line: line)
            XCTAssertEqual(reduced.properties.map(\.status), full.properties.map(\.status), context, file: file, line: line)
            XCTAssertEqual(reduced.reduction?.name, compiled.reductionName, context, file: file, line: line)
            let mine = reduced.violations + reduced.findings
            let shortest = full.violations + full.findings
            XCTAssertEqual(mine.map(\.property), shortest.map(\.property), context, file: file, line: line)
            for (trace, shortestTrace) in zip(mine, shortest) {
                XCTAssertGreaterThanOrEqual(trace.trace.steps.count, shortestTrace.trace.steps.count, context, file: file, line: line)
            }
            try body(
                ReducedSearch(
                    context: context, world: world, options: options, symmetry: symmetry, compiled: compiled, full: full,
                    reduced: reduced))
        }
        return compared
    }
}
