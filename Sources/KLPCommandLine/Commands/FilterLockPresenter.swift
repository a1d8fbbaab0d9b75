import FilterLock
import KLPEngine
import Livepatch

/// Words for the filter-lock benchmark's states and traces.
struct FilterLockPresenter: ModelPresenter {
    let model: FilterLockModel

    var modelName: String { "filter-lock" }

    var worldSummary: String {
        "Peterson's filter lock, N = \(model.processes)\(model.bug ? ", with the skip bug" : ""); "
            + "\(model.stateBits) bits per state"
    }

    private func describe(_ state: UInt64) -> [String] {
        let fields = model.decode(state)
        return [
            "pc=\(fields.pc)", "level=\(fields.level)", "j=\(fields.j)", "k=\(fields.k)",
            "last=\(Array(fields.last.dropFirst()))",
        ]
    }

    func presentation(property index: Int, trace: Trace<UInt64>) -> TracePresentation {
        TracePresentation(initial: describe(trace.initial), steps: steps(of: trace), explanation: explanation(of: trace))
    }

    private func steps(of trace: Trace<UInt64>) -> [PresentedStep] {
        var before = model.decode(trace.initial)
        return trace.steps.enumerated().map { offset, step in
            let after = model.decode(step.state)
            defer { before = after }
            return PresentedStep(
                number: offset + 1, action: model.actionName(step.action), changes: changes(from: before, to: after))
        }
    }

    private func changes(from before: FilterLockModel.Fields, to after: FilterLockModel.Fields) -> [String] {
        var result: [String] = []
        let arrays: [(String, KeyPath<FilterLockModel.Fields, [Int]>)] = [
            ("pc", \.pc), ("level", \.level), ("j", \.j), ("k", \.k), ("last", \.last),
        ]
        for (name, path) in arrays {
            for index in before[keyPath: path].indices where before[keyPath: path][index] != after[keyPath: path][index] {
                result.append("\(name)[\(index)] := \(after[keyPath: path][index])")
            }
        }
        return result
    }

    private func explanation(of trace: Trace<UInt64>) -> String {
        let critical = model.decode(trace.last).pc.enumerated().filter { $0.element == 3 }.map { "P\($0.offset)" }
        return "\(critical.joined(separator: " and ")) are in the critical section (pc = 3) at once"
    }
}
