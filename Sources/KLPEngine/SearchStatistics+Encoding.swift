extension SearchStatistics {
    private enum EncodingKeys: String, CodingKey {
        case states, transitions, depth, seconds, totalSeconds, statesPerSecond, bytesPerState, engineMemoryBytes
        case peakMemoryBytes, threads, visited, limit, omissionProbability, complete
        case progressSeconds, progressExpansions
    }

    /// Reads the statistics back; the possibility figures, added later, are
    /// 0 when absent.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: EncodingKeys.self)
        states = try container.decode(UInt64.self, forKey: .states)
        transitions = try container.decode(UInt64.self, forKey: .transitions)
        depth = try container.decode(Int.self, forKey: .depth)
        seconds = try container.decode(Double.self, forKey: .seconds)
        totalSeconds = try container.decode(Double.self, forKey: .totalSeconds)
        statesPerSecond = try container.decode(Double.self, forKey: .statesPerSecond)
        bytesPerState = try container.decode(Double.self, forKey: .bytesPerState)
        engineMemoryBytes = try container.decode(UInt64.self, forKey: .engineMemoryBytes)
        peakMemoryBytes = try container.decode(UInt64.self, forKey: .peakMemoryBytes)
        threads = try container.decode(Int.self, forKey: .threads)
        visited = try container.decode(VisitedKind.self, forKey: .visited)
        limit = try container.decodeIfPresent(SearchLimit.self, forKey: .limit)
        omissionProbability = try container.decodeIfPresent(Double.self, forKey: .omissionProbability)
        complete = try container.decode(Bool.self, forKey: .complete)
        progressSeconds = try container.decodeIfPresent(Double.self, forKey: .progressSeconds) ?? 0
        progressExpansions = try container.decodeIfPresent(UInt64.self, forKey: .progressExpansions) ?? 0
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
        try container.encode(progressSeconds, forKey: .progressSeconds)
        try container.encode(progressExpansions, forKey: .progressExpansions)
    }
}
