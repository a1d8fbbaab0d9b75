import KLPEngine

/// Two counters, each 0 to 7, either incremented modulo 8: 64 states, two
/// transitions from each, and every state at distance x + y from (0, 0).
struct TwoCounters: TransitionSystem {
    typealias State = UInt64

    let properties = [
        PropertyDescriptor(name: "never-7-7", kind: .invariant),
        PropertyDescriptor(name: "never-3-2", kind: .invariant),
        PropertyDescriptor(name: "can-return-home", kind: .possibility),
    ]
    var maxSuccessors: Int { 2 }

    func initialStates(into sink: inout SuccessorSink<UInt64>) { sink.emit(0, action: 0) }

    func successors(of state: UInt64, into sink: inout SuccessorSink<UInt64>) {
        let x = state & 7, y = state >> 3
        sink.emit((x + 1) % 8 | y << 3, action: 0)
        sink.emit(x | ((y + 1) % 8) << 3, action: 1)
    }

    func invariantViolations(of state: UInt64, checked: PropertySet) -> PropertySet {
        var broken: PropertySet = []
        if checked.contains(index: 0) && state == 7 | 7 << 3 { broken.insert(PropertySet(index: 0)) }
        if checked.contains(index: 1) && state == 3 | 2 << 3 { broken.insert(PropertySet(index: 1)) }
        return broken
    }

    func isGoal(_ state: UInt64, property: Int) -> Bool { state == 0 }
}

let report = try Explorer.explore(TwoCounters(), options: SearchOptions(threads: 2, visited: .hash))
let statistics = report.statistics
print("states \(statistics.states) transitions \(statistics.transitions) depth \(statistics.depth) complete \(statistics.complete)")
for (property, status) in zip(report.properties, report.statuses) {
    switch status {
    case .holds: print("\(property.name): holds")
    case .violated(let trace): print("\(property.name): violated in \(trace?.steps.count ?? -1) steps, actions \(trace?.steps.map(\.action) ?? [])")
    case .undecided: print("\(property.name): undecided")
    case .notChecked: print("\(property.name): not checked")
    }
}
