import Foundation
import KLPEngine
import XCTest

@testable import Livepatch

/// `--max-states N` on livepatch worlds of exactly N states, with every
/// visited set the world can take, tasks counted or named, one and two
/// threads: N completes with the unlimited search's verdicts, N - 1 stops
/// with N - 1 stored.
///
/// BUG: complete-before-switch.klp (9 states) with a limit of 9 stopped
/// after 1 state, test-callbacks.klp (1,704) with 1,704 at 1,680.
final class MaxStatesWorldTests: XCTestCase {
    struct Visit: LivepatchModelVisitor {
        let checked: PropertySet
        let symmetry: Bool

        /// One line per disagreement with the unlimited search; the state count first.
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (states: UInt64, problems: [String]) {
            var kinds: [VisitedKind] = [.hash]
            if model.denseStateCount.map({ Explorer.bitmapBytes($0) <= 64 << 20 }) ?? false { kinds.append(.bitmap) }
            if model.pageField != nil { kinds.append(.paged) }
            let full = try model.explore(options: SearchOptions(threads: 1, visited: .hash, checked: checked))
            let count = full.statistics.states
            var problems: [String] = []
            for visited in kinds {
                for threads in [1, 2] {
                    let what = "symmetry \(symmetry), \(visited), \(threads) threads"
                    var options = SearchOptions(threads: threads, visited: visited, maxStates: count, checked: checked)
                    let exact = try model.explore(options: options)
                    let s = exact.statistics
                    if s.states != count || !s.complete || s.limit != nil || exact.statuses.map(verdict) != full.statuses.map(verdict) {
                        problems.append("\(what): limit \(count): \(s.states) states, complete \(s.complete), limit \(String(describing: s.limit))")
                    }
                    options.maxStates = count - 1
                    let below = try model.explore(options: options)
                    let b = below.statistics
                    if b.states != count - 1 || b.complete || b.limit != .states {
                        problems.append("\(what): limit \(count - 1): \(b.states) states, complete \(b.complete), limit \(String(describing: b.limit))")
                    }
                }
            }
            return (count, problems)
        }

        func verdict<S>(_ status: PropertyStatus<S>) -> String { StateSpaceTests.verdict(status) }
    }

    func check(
        _ relative: String, states expected: UInt64, symmetries: [Bool], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let world = try ModelParser.parse(contentsOf: StateSpaceTests.models.appendingPathComponent(relative).path)
        for symmetry in symmetries {
            let result = try CompiledWorld(world, symmetry: symmetry)
                .withModel(Visit(checked: StateSpaceTests.checked(world), symmetry: symmetry))
            if symmetry { XCTAssertEqual(result.states, expected, relative, file: file, line: line) }
            XCTAssertEqual(result.problems, [], relative, file: file, line: line)
        }
    }

    func testCompleteBeforeSwitch() throws {
        try check("variants/complete-before-switch.klp", states: 9, symmetries: [true, false])
    }

    /// Tasks counted only: with tasks named it is slow in debug builds, and
    /// the paged set is covered by the world above.
    func testTestCallbacks() throws {
        try check("selftests/test-callbacks.klp", states: 1_704, symmetries: [true])
    }
}
