import Foundation
import KLPEngine
import XCTest

@testable import Livepatch

/// `--visited tree` on livepatch worlds: the same states, transitions,
/// depth, verdicts and traces as `hash`, with one and two threads.
final class TreeVisitedWorldTests: XCTestCase {
    struct Compare: LivepatchModelVisitor {
        let checked: PropertySet

        /// One line per disagreement between tree and hash; the width, the visited set and the states first.
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (words: Int, visited: VisitedKind, states: UInt64, problems: [String]) {
            let hash = try model.explore(options: SearchOptions(threads: 1, visited: .hash, checked: checked))
            var problems: [String] = []
            var used = VisitedKind.hash
            for threads in [1, 2] {
                let tree = try model.explore(options: SearchOptions(threads: threads, visited: .tree, checked: checked))
                used = tree.statistics.visited
                let t = tree.statistics, h = hash.statistics
                if (t.states, t.transitions, t.depth, t.complete) != (h.states, h.transitions, h.depth, h.complete) {
                    problems.append("\(threads) threads: \(t.states)/\(t.transitions)/\(t.depth) against \(h.states)/\(h.transitions)/\(h.depth)")
                }
                if tree.statuses != hash.statuses { problems.append("\(threads) threads: statuses or traces differ") }
            }
            return (State.wordCount, used, hash.statistics.states, problems)
        }
    }

    /// A world of `patches` patches, each with an object on vmlinux and on
    /// every one of `modules` modules, and one task: states of two words.
    static func wideWorld(patches: Int, modules: Int, extra: String = "") -> String {
        var lines = ["tasks 1"] + (1...modules).map { "module mod\($0)" }
        for patch in 1...patches {
            lines.append("patch fix\(patch)")
            lines.append("  object vmlinux: pre_patch post_patch pre_unpatch post_unpatch")
            lines += (1...modules).map { "  object mod\($0): pre_patch post_patch pre_unpatch post_unpatch" }
        }
        return (lines + [extra]).joined(separator: "\n") + "\n"
    }

    private func compare(_ text: String, file name: String) throws -> (words: Int, visited: VisitedKind, states: UInt64, problems: [String]) {
        let world = try ModelParser.parse(text, file: name)
        return try CompiledWorld(world, symmetry: false).withModel(Compare(checked: StateSpaceTests.checked(world)))
    }

    /// Two-word worlds: 3 patches on 3 modules (16,256 states) and the same
    /// world with a may-fail pre_patch, whose finding needs a trace.
    func testTwoWordWorldsEqualHash() throws {
        let plain = try compare(Self.wideWorld(patches: 3, modules: 3), file: "wide.klp")
        XCTAssertEqual(plain.words, 2)
        XCTAssertEqual(plain.visited, .tree)
        XCTAssertEqual(plain.states, 16_256)
        XCTAssertEqual(plain.problems, [])

        let failing = Self.wideWorld(patches: 3, modules: 3)
            .replacingOccurrences(of: "patch fix3\n  object vmlinux: pre_patch", with: "patch fix3 replace\n  object vmlinux: pre_patch(may-fail -ENOMEM)")
        let result = try compare(failing, file: "wide-replace.klp")
        XCTAssertEqual(result.words, 2)
        XCTAssertEqual(result.visited, .tree)
        XCTAssertEqual(result.problems, [])
    }

    /// The bundled samples and variants are one-word worlds: `tree` takes
    /// the hash set there, with its counts and traces.
    func testOneWordModelsTakeHash() throws {
        for relative in ["samples/mistake-replaced-abandons-brackets.klp", "samples/tcp-challenge-ack-wrong.klp", "variants/complete-before-switch.klp"] {
            let world = try ModelParser.parse(contentsOf: StateSpaceTests.models.appendingPathComponent(relative).path)
            let result = try CompiledWorld(world, symmetry: false).withModel(Compare(checked: StateSpaceTests.checked(world)))
            XCTAssertEqual(result.words, 1, relative)
            XCTAssertEqual(result.visited, .hash, relative)
            XCTAssertEqual(result.problems, [], relative)
        }
    }
}
