import Foundation
import KLPEngine

/// Records every call a search makes to its visitor, behind a lock.
///
/// The one visitor type of the visitor tests: each visitor type is another
/// copy of the search for each model it is shown, in release builds too.
final class RecordingVisitor: SearchVisitor, @unchecked Sendable {
    /// One step the search fired.
    struct Step: Hashable {
        var source: UInt64
        var action: UInt32
        var target: UInt64
        var violating: PropertySet
    }

    private let lock = NSLock()
    /// Each stored state with its BFS level, in the order shown.
    private(set) var states: [(state: UInt64, level: Int)] = []
    /// Each step, in the order shown.
    private(set) var steps: [Step] = []
    /// The worker indices the calls came from.
    private(set) var workers: Set<Int> = []

    func visitState(_ state: UInt64, level: Int, worker: Int) {
        lock.withLock {
            states.append((state, level))
            workers.insert(worker)
        }
    }

    func visitTransition(from source: UInt64, action: UInt32, to target: UInt64, violating: PropertySet, worker: Int) {
        lock.withLock {
            steps.append(Step(source: source, action: action, target: target, violating: violating))
            workers.insert(worker)
        }
    }
}
