import KLPEngine
import XCTest

@testable import Livepatch

/// The successor generator fires each module's one open loader step,
/// event `4 * m + state`, without reading the four guards. That holds only
/// while the events begin with every module's four steps and each kind's
/// raw value is the module state its guard asks for; if either changed, the
/// fast path would turn itself off (and the search would slow down), or
/// fire the wrong step. SuccessorEquivalenceTests compares the successors
/// themselves; this test checks the assumption directly.
final class LoaderStepFastPathTests: XCTestCase {
    struct Visit: LivepatchModelVisitor {
        /// Whether the fast path is on, and for each module and each of its
        /// four states, that module's events whose guard is open.
        func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (lead: Bool, open: [[Int]]) {
            var open: [[Int]] = []
            for m in 0..<model.world.moduleCount {
                for value in 0..<4 {
                    var state = State.zero
                    state[model.world.moduleState[m]] = value
                    let machine = Machine(world: model.world, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: 0))
                    open.append(
                        model.events.indices.filter {
                            let event = model.events[$0]
                            return event.kind.operand == .module && event.operand == m && machine.gate(event) == .open
                        })
                }
            }
            return (model.loaderStepsLead, open)
        }
    }

    func testEachModuleStateOpensTheStepItSelects() throws {
        let path = StateSpaceTests.models.appendingPathComponent("scale/three-patches.klp").path
        let world = try ModelParser.parse(contentsOf: path)
        XCTAssertEqual(world.modules.count, 3)
        for symmetry in [true, false] {
            let result = try CompiledWorld(world, symmetry: symmetry).withModel(Visit())
            XCTAssertTrue(result.lead, "symmetry \(symmetry): the fast path is on")
            XCTAssertEqual(result.open, (0..<3).flatMap { m in (0..<4).map { [4 * m + $0] } }, "symmetry \(symmetry)")
        }
    }

    func testWorldWithoutModules() throws {
        let world = try ModelParser.parse(StateSpaceTests.onePatchOneTask, file: "one.klp")
        let result = try CompiledWorld(world, symmetry: false).withModel(Visit())
        XCTAssertTrue(result.lead, "no module: nothing to find, trivially on")
        XCTAssertEqual(result.open, [])
    }

    /// Each patch's steps follow the loader steps, patch by patch, in
    /// `EventKind` order (load, disable, enable, unload, force), so the
    /// generator reads their guards by kind (`patchStepsFollow`), with
    /// `force` explored or not; SuccessorEquivalenceTests compares the
    /// successors it fires with the plain generator's.
    func testPatchStepsFollowTheLoaderSteps() throws {
        struct Follows: LivepatchModelVisitor {
            func visit<State: PackedState>(_ model: LivepatchModel<State>) throws -> (follows: Bool, kinds: [String]) {
                let first = 4 * model.world.moduleCount
                let kinds = model.events[first..<(first + 2 * (model.world.force ? 5 : 4))].map { "\($0.kind)\($0.operand)" }
                return (model.patchStepsFollow, kinds)
            }
        }
        for force in [false, true] {
            let text = "tasks 2\nmodule m\nforce \(force ? "on" : "off")\npatch P\n  object vmlinux: pre_patch\npatch Q replace\n  object m: post_patch\n"
            let world = try ModelParser.parse(text, file: "force-\(force).klp")
            let steps = ["loadPatch", "disablePatch", "enablePatch", "unloadPatch"] + (force ? ["forcePatch"] : [])
            for symmetry in [true, false] {
                let result = try CompiledWorld(world, symmetry: symmetry).withModel(Follows())
                XCTAssertTrue(result.follows, "force \(force), symmetry \(symmetry)")
                XCTAssertEqual(result.kinds, [0, 1].flatMap { p in steps.map { "\($0)\(p)" } }, "force \(force)")
            }
        }
    }
}
