import Foundation
import Livepatch

/// A document `klpcheck merge` reads: a gate shard's JSON or a swarm member's.
enum MergeInput {
    /// `gate --shard K/N --json FILE`.
    case gate(GateDocument)
    /// `verify --swarm K/N --format json`.
    case swarm(SearchDocument)

    /// Reads `path`: a verify document must carry its `swarm` object; any
    /// other document is read as a gate's (exit 2 naming the file otherwise).
    static func read(_ path: String) throws -> MergeInput {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MergeCommand.failure("\(VisibleText.escape(path)): cannot read the file")
        }
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        guard let object, object["command"] as? String == "verify" || object["swarm"] != nil else {
            return .gate(try GateShard.read(path))
        }
        let document: SearchDocument
        do {
            document = try JSONDecoder().decode(SearchDocument.self, from: data)
        } catch {
            throw MergeCommand.failure("\(VisibleText.escape(path)): not a verify JSON document: \(error)")
        }
        guard document.swarm != nil else {
            throw MergeCommand.failure("\(VisibleText.escape(path)): not a swarm member (verify without --swarm)")
        }
        return .swarm(document)
    }
}
