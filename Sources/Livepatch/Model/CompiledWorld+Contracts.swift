import KLPEngine

extension CompiledWorld {
    /// The contract part of a state in words: each listed patch's pointers,
    /// the allocations (live or freed) and static storage with their saved
    /// values, and every setting's value.
    func contractFacts<State: PackedState>(of state: State) -> [StateFact] {
        let machine = Machine(world: self, state: state, log: SilentLog(), oracle: EnumeratingOracle(failAt: 0))
        let c = self.contracts
        var facts: [StateFact] = []
        func saved(_ value: Int, _ d: Int) -> String {
            (0..<c.settingCount).compactMap { s -> String? in
                let v = state[machine.savedField(value, data: d, setting: s)]
                return v > 0 ? "\(machine.settingName(s))=\(machine.settingValue(s, v - 1)) saved" : nil
            }.joined(separator: ", ")
        }
        for p in 0..<self.patchCount where machine.isListed(p) {
            for d in 0..<c.dataCount {
                let value = machine.dataPointer(p, d)
                facts.append(StateFact(subject: "\(patchName(p))'s pointer to \(machine.dataName(d))", value: machine.pointerText(value, data: d, reaches: false)))
            }
        }
        for d in 0..<c.dataCount {
            if c.isStatic[d] {
                for q in 0..<self.patchCount where isInserted(q, in: state) {
                    let text = saved(1 + q, d)
                    if !text.isEmpty { facts.append(StateFact(subject: "static \(machine.dataName(d)) of \(patchName(q))", value: text)) }
                }
                continue
            }
            for k in 0..<c.patchCount {
                let status = state[c.slotState[d * c.patchCount + k]]
                guard status != 0 else { continue }
                var value = status == 1 ? "live" : "freed"
                let text = status == 1 ? saved(2 + c.patchCount + k, d) : ""
                if !text.isEmpty { value += ", " + text }
                facts.append(StateFact(subject: "allocation #\(k + 1) of \(machine.dataName(d))", value: value))
            }
        }
        for s in 0..<c.settingCount {
            facts.append(StateFact(subject: "setting \(machine.settingName(s))", value: machine.settingValue(s, state[c.setting[s]])))
        }
        return facts
    }
}
