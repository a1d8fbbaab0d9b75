import Foundation
import Livepatch

/// The numbering of the parts `klpcheck merge` combines (a gate's shards,
/// a swarm's members): every part says it is part K of N; all must say the
/// same N, and each of 0 to N-1 must come exactly once. One check for both
/// kinds, so that their errors read alike.
struct MergeParts {
    /// What a part is called in errors: `shard` or `member`.
    let noun: String
    /// N, as the first part says.
    let count: Int
    /// The first part's file, named when another part's N differs.
    let firstFile: String
    /// The file of each part seen so far, by index.
    private var seen: [Int: String] = [:]

    /// Parts called `noun`, of `count` parts as the one in `firstFile` says.
    init(noun: String, count: Int, firstFile: String) {
        self.noun = noun
        self.count = count
        self.firstFile = firstFile
    }

    /// Records that `file` holds part `index` of `count`; exit 2 when its
    /// count is not the first part's or the part was already given.
    mutating func record(index: Int, count: Int, file: String) throws {
        let name = VisibleText.escape(file)
        guard count == self.count else {
            throw MergeCommand.failure(
                "\(name): \(noun) \(index)/\(count), but \(VisibleText.escape(firstFile)) is of \(self.count) \(noun)s")
        }
        if let other = seen[index] {
            throw MergeCommand.failure("\(name): \(noun) \(index)/\(count) again (already in \(VisibleText.escape(other)))")
        }
        seen[index] = file
    }

    /// Exit 2 naming every part of 0 to N-1 that was not recorded, and the
    /// `files` given.
    func checkComplete(files: [String]) throws {
        let missing = (0..<count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw MergeCommand.failure(
                "missing \(noun)\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) "
                    + "of the \(noun)s given (\(files.map { VisibleText.escape($0) }.joined(separator: ", ")))")
        }
    }
}
