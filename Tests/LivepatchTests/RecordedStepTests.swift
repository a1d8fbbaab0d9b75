import KLPEngine
import XCTest

@testable import Livepatch

/// Recorded steps (`CompiledWorld.replay(action:from:)` for a printed
/// trace, `CompiledWorld.run(_:from:oracle:)` for a scenario) run on one
/// wide state type whatever the world's width (`RecordingState`). On worlds
/// of every width the model takes, each step the search fires from the
/// first reachable states replays to the very state the search stored, and
/// a scripted run of the same event that fails nothing prints the same log
/// as the replay of its first outcome.
final class RecordedStepTests: XCTestCase {
    /// Walks up to `budget` reachable states and compares every step.
    struct Check: LivepatchModelVisitor {
        let budget: Int
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (width: Int, steps: Int, mismatches: [String]) {
            var sink = SuccessorSink<State>(capacity: model.maxSuccessors)
            defer { sink.deallocate() }
            var steps = 0
            var mismatches: [String] = []
            _ = walkReachableStates(budget: budget, while: { mismatches.count < 5 }) { (state: State) -> [State] in
                sink.reset()
                model.successors(of: state, into: &sink)
                return (0..<sink.count).map { index in
                    let action = sink.action(at: index)
                    let next = sink.state(at: index)
                    steps += 1
                    let replayed = model.world.replay(action: action, from: state)
                    if replayed?.state != next { mismatches.append("replay of \(action) from \(state)") }
                    if let (event, failAt) = LivepatchEvent.decode(action), failAt == 0 {
                        let scripted = model.world.run(event, from: state, oracle: ScriptedOracle())
                        if scripted.state != next || scripted.log != replayed?.log {
                            mismatches.append("scripted \(event) from \(state)")
                        }
                    }
                    return next
                }
            }
            return (State.wordCount, steps, mismatches)
        }
    }

    func testRecordedStepsMatchTheSearchAtEveryWidth() throws {
        // Patches on vmlinux (a may-fail pre_patch each) and on modules: one
        // word with one patch, then wider with more patches, modules and
        // named tasks, up to the limits world's 20 words, run as 32.
        func patches(_ count: Int, modules: Int) -> String {
            WorldLimitsTests.modules(modules) + (1...count).map { WorldLimitsTests.patch("p\($0)", modules: modules) }.joined()
        }
        let worlds: [(text: String, symmetry: Bool, width: Int)] = [
            ("tasks 2\n" + patches(1, modules: 1), true, 1),
            ("tasks 3\n" + patches(3, modules: 3), true, 2),
            ("tasks 3\n" + patches(6, modules: 5), true, 4),
            ("tasks 3\n" + patches(12, modules: 5), true, 8),
            ("tasks 64\n" + patches(16, modules: 5), false, 16),
            (WideWorldTests.limitsWorld(), true, 32),
        ]
        for (text, symmetry, width) in worlds {
            let world = try ModelParser.parse(text + "check all\n", file: "t.klp")
            let result = try CompiledWorld(world, symmetry: symmetry).withModel(Check(budget: 400))
            XCTAssertEqual(result.width, width, "the world's state type")
            XCTAssertGreaterThan(result.steps, 200, "\(width) words: steps compared")
            XCTAssertEqual(result.mismatches, [], "\(width) words")
        }
    }
}
