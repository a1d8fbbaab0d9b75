extension SearchStatistics {
    private enum EncodingKeys: String, CodingKey {
        case states, transitions, depth, seconds, totalSeconds, statesPerSecond, bytesPerState, engineMemoryBytes
        case peakMemoryBytes, threads, visited, limit, omissionProbability, complete
    }

    /// Every field, always: an absent limit or omission probability is
    /// `null` (the synthesised encoder would leave the key out), so that a
    /// report embedding the statistics keeps one shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: EncodingKeys.self)
        try container.encode(states, forKey: .states)
        try container.encode(transitions, forKey: .transitions)
        try container.encode(depth, forKey: .depth)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(totalSeconds, forKey: .totalSeconds)
        try container.encode(statesPerSecond, forKey: .statesPerSecond)
        try container.encode(bytesPerState, forKey: .bytesPerState)
        try container.encode(engineMemoryBytes, forKey: .engineMemoryBytes)
        try container.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
        try container.encode(threads, forKey: .threads)
        try container.encode(visited, forKey: .visited)
        try container.encode(limit, forKey: .limit)
        try container.encode(omissionProbability, forKey: .omissionProbability)
        try container.encode(complete, forKey: .complete)
    }
}
