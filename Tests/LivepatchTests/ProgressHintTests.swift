import Foundation
import KLPEngine
import KLPTestSupport
import XCTest

@testable import Livepatch

/// The progress check follows `LivepatchModel.progressHint(of:property:)`
/// before it generates every successor; the check is sound only if the
/// hint is always one of the state's successors.
final class ProgressHintTests: XCTestCase {
    struct Check: LivepatchModelVisitor {
        var budget: Int
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (wrong: Int, hinted: Int, states: Int) {
            var sink = SuccessorSink<State>(capacity: model.maxSuccessors)
            defer { sink.deallocate() }
            var wrong = 0
            var hinted = 0
            let states = walkReachableStates(budget: budget) { (state: State) in
                sink.reset()
                model.successors(of: state, into: &sink)
                let successors = (0..<sink.count).map { sink.state(at: $0) }
                if let hint = model.progressHint(of: state, property: LivepatchProperty.progress.index) {
                    hinted += 1
                    if !successors.contains(hint) { wrong += 1 }
                }
                return successors
            }
            return (wrong, hinted, states)
        }
    }

    func testTheHintIsAlwaysASuccessor() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var worlds: [(String, World)] = []
        for folder in ["Models/samples", "Models/selftests", "Models/variants", "Models/scale"] {
            let url = root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() where name.hasSuffix(".klp") {
                worlds.append((name, try ModelParser.parse(contentsOf: url.appendingPathComponent(name).path)))
            }
        }
        var random = SplitMix64(state: 0x41_4E_54)
        for round in 0..<40 {
            worlds.append(("random-\(round)", try ModelParser.parse(RandomWorld.text(&random, interchangeable: true), file: "r.klp")))
        }
        var hinted = 0
        for (name, world) in worlds {
            for symmetry in [true, false] {
                for reduction in [Reduction.none, .auto] {
                    let result = try CompiledWorld(world, symmetry: symmetry, reduction: reduction).withModel(Check(budget: 1_500))
                    XCTAssertEqual(result.wrong, 0, "\(name), symmetry \(symmetry), reduction \(reduction)")
                    hinted += result.hinted
                }
            }
        }
        XCTAssertGreaterThan(hinted, 10_000)
    }
}
