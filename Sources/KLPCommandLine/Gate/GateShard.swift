import Foundation
import Livepatch

/// Which shard of a gate a document holds: shard `index` (0-based) of `count`.
public struct GateShardIndex: Codable, Sendable, Equatable {
    /// The shard, from 0 to `count - 1`.
    public var index: Int
    /// The number of shards.
    public var count: Int
}

/// Splitting a gate into shards that independent jobs run (`gate --shard K/N`).
///
/// The split is deterministic and balanced: longest processing time first,
/// each model (costliest first, ties by path) goes to the shard with the least
/// cost so far (ties: the lowest index). Every model lands in exactly one shard.
enum GateShard {
    /// The environment variables `--shard auto/N` reads, in order: a
    /// Kubernetes Indexed Job's index, then a Slurm array task's.
    static let environmentVariables = ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"]

    /// Parses `K/N` (K from 0 to N-1, N from 1 to 10000); K may be `auto`,
    /// read from the first of `environmentVariables` that is set. `option`
    /// and `what` name the option and its K in errors (`verify --swarm`
    /// reads its member the same way).
    static func parse(
        _ text: String, environment: [String: String], option: String = "--shard", what: String = "shard"
    ) throws -> GateShardIndex {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let count = Int(parts[1]), (1...10000).contains(count) else {
            throw CommandFailure("\(option): '\(text)' is not K/N with N a whole number from 1 to 10000")
        }
        var indexText = parts[0]
        if indexText == "auto" {
            guard let name = environmentVariables.first(where: { environment[$0] != nil }), let value = environment[name] else {
                throw CommandFailure(
                    "\(option) auto/\(count): none of \(environmentVariables.joined(separator: ", ")) is set")
            }
            indexText = value
        }
        guard let index = Int(indexText), (0..<count).contains(index) else {
            throw CommandFailure("\(option): \(what) '\(indexText)' is not a whole number from 0 to \(count - 1)")
        }
        return GateShardIndex(index: index, count: count)
    }

    /// The models of shard `shard`, in path order.
    static func select(_ paths: [String], costs: [String: Double], shard: GateShardIndex) -> [String] {
        let order = paths.sorted { (costs[$0] ?? 0, $1) > (costs[$1] ?? 0, $0) }
        var loads = [Double](repeating: 0, count: shard.count)
        var mine: [String] = []
        for path in order {
            var lightest = 0
            for candidate in loads.indices where loads[candidate] < loads[lightest] { lightest = candidate }
            loads[lightest] += costs[path] ?? 0
            if lightest == shard.index { mine.append(path) }
        }
        return mine.sorted()
    }

    /// Each model's estimated cost: the states a previous gate stored for
    /// it (`balance`), else 2^(its state bits), else 0 for a file that does
    /// not compile. Only the order of the costs matters.
    static func costs(_ paths: [String], balance: GateDocument?) -> [String: Double] {
        var recorded: [String: Double] = [:]
        for model in balance?.models ?? [] {
            if let states = model.result?.result.statistics.states { recorded[model.path] = Double(states) }
        }
        var costs: [String: Double] = [:]
        for path in paths {
            if let states = recorded[path] {
                costs[path] = states
            } else if let world = try? ModelParser.parse(contentsOf: path) {
                costs[path] = Double(sign: .plus, exponent: min(CompiledWorld(world, symmetry: true).bitCount, 1000), significand: 1)
            } else {
                costs[path] = 0
            }
        }
        return costs
    }

    /// A fingerprint of the models: FNV-1a (64 bits) over each path and
    /// its contents in path order, as 16 hex digits. Shards of one gate on
    /// the same files share it.
    static func fingerprint(_ paths: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        for path in paths.sorted() {
            add(Array(path.utf8) + [0])
            add((FileManager.default.contents(atPath: path) ?? Data()) + [0])
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Reads a gate document (a shard's, or a previous gate's for `--balance`).
    static func read(_ path: String) throws -> GateDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MergeCommand.failure("\(VisibleText.escape(path)): cannot read the file")
        }
        do {
            let document = try JSONDecoder().decode(GateDocument.self, from: data)
            guard document.command == "gate" else {
                throw MergeCommand.failure("\(VisibleText.escape(path)): not a gate document (command '\(document.command)')")
            }
            return document
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw MergeCommand.failure("\(VisibleText.escape(path)): not a gate JSON document: \(error)")
        }
    }
}
