import Dispatch
import Foundation
import KLPEngine
import Livepatch

/// Verifies every model of a folder and compares each with its `expect` line.
enum GateRunner {
    /// Verifies one model.
    static func check(_ path: String, reduction: Reduction = .auto, options: SearchOptionGroup) -> GateModelResult {
        let world: World
        do {
            world = try ModelParser.parse(contentsOf: path)
        } catch {
            return GateModelResult(
                path: path, expected: "?", got: "bad model file", status: .bad,
                reason: "\(error.diagnostics.count) error(s)", expectLine: error.diagnostics.first?.location.line ?? 1,
                diagnostics: error.lines, result: nil)
        }
        let expected = world.expectation.description
        let silent = Console(out: { _ in }, err: { _ in }, stderrIsTerminal: false)
        let document: SearchDocument
        do {
            document = try VerifyCommand.verify(
                world, path: path, symmetry: true, reduction: reduction, checked: world.propertiesToCheck(),
                options: options, console: silent)
        } catch {
            return GateModelResult(
                path: path, expected: expected, got: "error", status: .bad, reason: "\(error)",
                expectLine: world.expectationLocation?.line ?? 0,
                diagnostics: [VisibleText.escape("\(path): error: \(error)")], result: nil)
        }
        let check = world.expectation.check(document.result)
        return GateModelResult(
            path: path, expected: expected, got: document.result.summary, status: GateStatus(check.outcome),
            reason: check.reason,
            expectLine: world.expectationLocation?.line ?? 0, diagnostics: [], result: document)
    }

    /// Verifies every model, `jobs` at a time; results come back in path order.
    static func run(_ paths: [String], jobs: Int, reduction: Reduction = .auto, options: SearchOptionGroup) -> [GateModelResult] {
        let results = UnsafeMutableBufferPointer<GateModelResult?>.allocate(capacity: paths.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        let next = NSLock()
        nonisolated(unsafe) var cursor = 0
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, paths.count))) { _ in
            while true {
                next.lock()
                let index = cursor
                cursor += 1
                next.unlock()
                guard index < paths.count else { return }
                slots[index] = check(paths[index], reduction: reduction, options: options)
            }
        }
        return results.map { $0! }
    }

    /// The gate's exit status: a bad file first (2), then a mismatch (1),
    /// then an incomplete search (3). Bad input outranks a mismatch because
    /// the gate could not check what it was given: its verdict on the rest
    /// is partial, and that must be fixed before any verdict counts. A
    /// mismatch outranks an incomplete search, which decides nothing.
    static func exitStatus(_ results: [GateModelResult]) -> ExitStatus {
        if results.contains(where: { $0.status == .bad }) { return .badInput }
        if results.contains(where: { $0.status == .fail }) { return .violated }
        if results.contains(where: { $0.status == .incomplete }) { return .incomplete }
        return .holds
    }

    /// The summary line: each model counted once.
    static func summary(_ gate: GateDocument) -> String {
        "\(gate.passed) passed, \(gate.failed) failed, \(gate.bad) bad, \(gate.incomplete) incomplete"
    }

    static func document(directory: String, results: [GateModelResult]) -> GateDocument {
        GateDocument(
            directory: directory, exitCode: exitStatus(results).rawValue,
            passed: results.filter { $0.status == .pass }.count,
            failed: results.filter { $0.status == .fail }.count,
            incomplete: results.filter { $0.status == .incomplete }.count,
            bad: results.filter { $0.status == .bad }.count, models: results)
    }
}
