import Foundation
import XCTest

extension XCTestCase {
    /// A fresh folder `klpcheck-NAME-UUID` in the system's temporary
    /// folder, removed after the test.
    public func temporaryDirectory(_ name: String = "test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Asserts that `run` ended by itself, did not crash, and exited with
    /// `status`; `what` names the run in the failures, which show the start
    /// of its output.
    public func check(_ run: ToolRun, exits status: Int32, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(run.crashed, "\(what) crashed:\n\(run.stderr.prefix(2000))", file: file, line: line)
        XCTAssertFalse(run.timedOut, "\(what) did not end", file: file, line: line)
        XCTAssertEqual(
            run.status, status, "\(what): exit status\nstdout:\n\(run.stdout.prefix(3000))\nstderr:\n\(run.stderr.prefix(2000))",
            file: file, line: line)
    }
}
