import XCTest

@testable import KLPCommandLine

/// `MergeParts`, the one numbering check of `merge` for gate shards and
/// swarm members: the same errors with either noun, exit 2, no `--help` pointer.
final class MergePartsTests: XCTestCase {
    /// The failure `body` throws, or a test failure.
    func failure(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> CommandFailure? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
        } catch let failure as CommandFailure {
            XCTAssertEqual(failure.status, .badInput, file: file, line: line)
            XCTAssertFalse(failure.pointsToHelp, file: file, line: line)
            return failure
        } catch {
            XCTFail("not a CommandFailure: \(error)", file: file, line: line)
        }
        return nil
    }

    func testEveryPartOnceIsComplete() throws {
        for noun in ["shard", "member"] {
            var parts = MergeParts(noun: noun, count: 3, firstFile: "a.json")
            for (index, file) in [(2, "c.json"), (0, "a.json"), (1, "b.json")] {
                try parts.record(index: index, count: 3, file: file)
            }
            try parts.checkComplete(files: ["c.json", "a.json", "b.json"])
        }
    }

    func testAnotherCountIsRefusedNamingTheFirstFile() {
        for noun in ["shard", "member"] {
            var parts = MergeParts(noun: noun, count: 2, firstFile: "a.json")
            XCTAssertEqual(
                failure { try parts.record(index: 0, count: 2, file: "a.json"); try parts.record(index: 1, count: 4, file: "b.json") }?
                    .message,
                "b.json: \(noun) 1/4, but a.json is of 2 \(noun)s")
        }
    }

    func testAPartGivenTwiceIsRefusedNamingBothFiles() {
        for noun in ["shard", "member"] {
            var parts = MergeParts(noun: noun, count: 2, firstFile: "a.json")
            XCTAssertEqual(
                failure { try parts.record(index: 1, count: 2, file: "a.json"); try parts.record(index: 1, count: 2, file: "b.json") }?
                    .message,
                "b.json: \(noun) 1/2 again (already in a.json)")
        }
    }

    func testMissingPartsAreListedInOrderWithTheFilesGiven() {
        for noun in ["shard", "member"] {
            var parts = MergeParts(noun: noun, count: 4, firstFile: "a.json")
            XCTAssertNoThrow(try parts.record(index: 2, count: 4, file: "a.json"))
            XCTAssertEqual(
                failure { try parts.checkComplete(files: ["a.json"]) }?.message,
                "missing \(noun)s 0/4, 1/4, 3/4 of the \(noun)s given (a.json)")
            XCTAssertNoThrow(try parts.record(index: 0, count: 4, file: "b.json"))
            XCTAssertNoThrow(try parts.record(index: 1, count: 4, file: "c.json"))
            XCTAssertEqual(
                failure { try parts.checkComplete(files: ["a.json", "b.json", "c.json"]) }?.message,
                "missing \(noun) 3/4 of the \(noun)s given (a.json, b.json, c.json)")
        }
    }
}
