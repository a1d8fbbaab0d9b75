import KLPTestSupport
import Foundation
import XCTest

@testable import KLPCommandLine

/// What the gate takes for a model when it walks a folder, and what it does
/// when part of the folder cannot be read (the tests run as root, for whom
/// permissions never fail: a path too long to open, an injected listing
/// error and a folder removed during the walk stand in).
///
/// Uses `Tool` (BenchCommandTests.swift) and the models of GateCommandTests.
final class GateFolderTests: XCTestCase {
    func folder(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // `rm -rf`, not FileManager: it also removes trees deeper than PATH_MAX.
        addTeardownBlock { Self.shell("rm -rf \"$0\"", root.path) }
        for (relative, text) in files {
            let url = root.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root.path
    }

    @discardableResult
    static func shell(_ script: String, _ arguments: String...) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script] + arguments
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func gate(_ directory: String) throws -> ToolRun {
        try Tool.run(["gate", directory, "--no-report"], timeout: 60)
    }

    // MARK: Folders that cannot be read

    /// BUG: a folder the gate could not read was skipped and the gate said
    /// `1 passed` with exit 0. Root reads every folder it may open, but not
    /// one whose path is longer than PATH_MAX (4096 bytes): such a folder
    /// below a passing model must be exit 2, naming the path.
    func testAFolderTooDeepToOpenIsBadInput() throws {
        let directory = try folder(["a.klp": GateOutput.passing])
        let name = String(repeating: "d", count: 200)
        // Built level by level relative to the last one (mkdirat, openat): no full path is ever opened.
        var level = open(directory, O_RDONLY | O_DIRECTORY)
        for _ in 0..<22 {
            XCTAssertEqual(mkdirat(level, name, 0o755), 0, String(cString: strerror(errno)))
            let next = openat(level, name, O_RDONLY | O_DIRECTORY)
            close(level)
            level = next
        }
        let model = openat(level, "deep.klp", O_WRONLY | O_CREAT, 0o644)
        XCTAssertGreaterThanOrEqual(model, 0, "the deep model was created")
        close(model)
        close(level)
        let run = try gate(directory)
        check(run, exits: 2, "gate over a folder with a path longer than PATH_MAX")
        XCTAssertEqual(run.stdout, "", "nothing is verified when the folder cannot be read")
        // The first level whose path reaches PATH_MAX cannot be examined; its parent is listed.
        let tooLong = try XCTUnwrap((1...22).first { (directory + String(repeating: "/" + name, count: $0)).utf8.count >= 4096 })
        let deep = directory + String(repeating: "/" + name, count: tooLong - 1)
        XCTAssertTrue(
            run.stderr.hasPrefix("klpcheck: error: cannot read '\(deep)/\(name)' in the folder '\(deep)': File name too long\n"),
            String(run.stderr.prefix(300)))
    }

    /// The walk's listing error, injected: exit 2 (bad input) with the path and the reason.
    func testAListingErrorIsBadInputWithThePath() throws {
        let directory = try folder(["a.klp": GateOutput.passing, "sub/b.klp": GateOutput.passing])
        let failing = ModelFolder { path in
            path == directory + "/sub" ? .failure(ModelFolder.SystemError(code: EACCES)) : ModelFolder.systemEntries(path)
        }
        XCTAssertThrowsError(try failing.models(in: directory)) { error in
            XCTAssertEqual(
                error as? CommandFailure,
                CommandFailure("cannot read the folder '\(directory)/sub': Permission denied", status: .badInput))
        }
        // The same walk without the error finds both models.
        XCTAssertEqual(
            try ModelFolder.system.models(in: directory),
            ModelFolder.Listing(models: [directory + "/a.klp", directory + "/sub/b.klp"], warnings: []))
    }

    /// A folder removed while the walk runs (after its parent was listed) is
    /// an error, not a silently smaller gate.
    func testAFolderRemovedDuringTheWalkIsBadInput() throws {
        let directory = try folder(["a.klp": GateOutput.passing, "sub/b.klp": GateOutput.passing])
        let racing = ModelFolder { path in
            let listed = ModelFolder.systemEntries(path)
            if path == directory { try? FileManager.default.removeItem(atPath: directory + "/sub") }
            return listed
        }
        XCTAssertThrowsError(try racing.models(in: directory)) { error in
            XCTAssertEqual(
                error as? CommandFailure,
                CommandFailure("cannot read '\(directory)/sub' in the folder '\(directory)': No such file or directory"))
        }
    }

    // MARK: What is a model

    /// BUG: a folder named `x.klp` was recursed into and also reported as a
    /// bad model. It is a folder: only the models inside it count.
    func testAFolderNamedLikeAModelIsOnlyAFolder() throws {
        let directory = try folder(["x.klp/inner.klp": GateOutput.passing])
        let run = try gate(directory)
        check(run, exits: 0, "gate over a folder named x.klp")
        XCTAssertEqual(GateOutput.modelLines(run.stdout).count, 1, run.stdout)
        XCTAssertNotNil(GateOutput.line(for: directory + "/x.klp/inner.klp", in: run.stdout), run.stdout)
        XCTAssertEqual(GateOutput.summary(run.stdout), "1 passed, 0 failed, 0 bad, 0 incomplete")
        XCTAssertEqual(run.stderr, "")
    }

    /// BUG: a FIFO named `x.klp` hung the gate (opening it blocks until a
    /// writer comes). It is skipped with a warning; the rest is gated.
    func testAFIFONamedLikeAModelIsSkippedWithAWarning() throws {
        let directory = try folder(["a.klp": GateOutput.passing])
        XCTAssertEqual(mkfifo(directory + "/x.klp", 0o644), 0, String(cString: strerror(errno)))
        let run = try gate(directory)
        check(run, exits: 0, "gate over a FIFO named x.klp")
        XCTAssertEqual(run.stderr, "klpcheck: warning: skipping '\(directory)/x.klp': a FIFO, not a regular file\n")
        XCTAssertEqual(GateOutput.summary(run.stdout), "1 passed, 0 failed, 0 bad, 0 incomplete")
    }

    /// A link to a regular file is a model; a dangling link named `*.klp` is
    /// skipped with a warning; a link to a folder is not followed.
    func testSymbolicLinks() throws {
        let directory = try folder(["real/a.klp": GateOutput.passing, "elsewhere/b.klp": GateOutput.passing])
        let manager = FileManager.default
        try manager.createSymbolicLink(atPath: directory + "/real/link.klp", withDestinationPath: "a.klp")
        try manager.createSymbolicLink(atPath: directory + "/real/dangling.klp", withDestinationPath: "nowhere.klp")
        try manager.createSymbolicLink(atPath: directory + "/real/folder", withDestinationPath: "../elsewhere")
        let listing = try ModelFolder.system.models(in: directory + "/real")
        XCTAssertEqual(listing.models, [directory + "/real/a.klp", directory + "/real/link.klp"])
        XCTAssertEqual(
            listing.warnings,
            ["klpcheck: warning: skipping '\(directory)/real/dangling.klp': a symbolic link to nothing, not a regular file"])
        let run = try gate(directory + "/real")
        check(run, exits: 0, "gate over links")
        XCTAssertEqual(GateOutput.summary(run.stdout), "2 passed, 0 failed, 0 bad, 0 incomplete")
        XCTAssertEqual(run.stderr, listing.warnings.map { $0 + "\n" }.joined())
    }

    /// `/dev` holds devices and no models; a device named `*.klp` is skipped.
    func testADeviceNamedLikeAModelIsSkipped() throws {
        let directory = try folder(["a.klp": GateOutput.passing])
        try FileManager.default.createSymbolicLink(atPath: directory + "/null.klp", withDestinationPath: "/dev/null")
        let listing = try ModelFolder.system.models(in: directory)
        XCTAssertEqual(listing.models, [directory + "/a.klp"])
        XCTAssertEqual(
            listing.warnings, ["klpcheck: warning: skipping '\(directory)/null.klp': a symbolic link to a device, not a regular file"])
    }
}
