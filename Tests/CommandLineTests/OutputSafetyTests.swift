import KLPTestSupport
import Foundation
import KLPCommandLine
import XCTest

/// Every file klpcheck writes, and its standard streams: never clobber a
/// device, a FIFO or a folder, write through symlinks, report failures in
/// words with exit 2, treat `-` as standard output, and end with 70 (or as
/// SIGPIPE) when a standard stream fails, never with a backtrace.
final class OutputSafetyTests: XCTestCase {
    /// A world with a two-step counterexample: verify exits 1, gate passes it.
    static var failing: String { Self.models + "/variants/complete-before-switch.klp" }
    static var models: String { RepositoryModels.folder.path }

    /// A folder of models holding the failing world (which its `expect` line passes).
    func gateFolder() throws -> String {
        let folder = try temporaryDirectory().appendingPathComponent("models")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.failing, toPath: folder.appendingPathComponent("world.klp").path)
        return folder.path
    }

    /// What `lstat` says `path` is: "file", "symlink", "character device", ...
    static func kind(_ path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else { return "missing" }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return "file"
        case S_IFLNK: return "symlink"
        case S_IFCHR: return "character device"
        case S_IFDIR: return "folder"
        case S_IFIFO: return "FIFO"
        default: return "other"
        }
    }

    /// `checkSafely(_:exits:_:)`, and no Foundation error or Swift trap on standard error.
    func checkSafely(_ run: ToolRun, exits status: Int32, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        check(run, exits: status, what, file: file, line: line)
        XCTAssertFalse(run.stderr.contains("NSCocoaErrorDomain"), "\(what): \(run.stderr)", file: file, line: line)
        XCTAssertFalse(run.stderr.contains("Fatal error"), "\(what): \(run.stderr)", file: file, line: line)
    }

    // MARK: Devices, FIFOs, folders

    /// Run as root, `--junit /dev/full` replaced the device with an XML file
    /// and exited 0. The teardown puts the device back should that recur.
    func testDevFullIsRefusedAndStaysADevice() throws {
        addTeardownBlock {
            if Self.kind("/dev/full") != "character device" && getuid() == 0 {
                unlink("/dev/full")
                _ = mknod("/dev/full", S_IFCHR | 0o666, dev_t(1 << 8 | 7))  // makedev(1, 7)
            }
        }
        XCTAssertEqual(Self.kind("/dev/full"), "character device")
        let models = try gateFolder()
        let refusal = "klpcheck: error: cannot write /dev/full: it is a character device, not a regular file\n"
        for (arguments, what) in [
            (["gate", models, "--no-report", "--junit", "/dev/full"], "gate --junit"),
            (["gate", models, "--no-report", "--json", "/dev/full"], "gate --json"),
            (["graph", Self.failing, "--output", "/dev/full"], "graph --output"),
            (["verify", Self.failing, "--trace-out", "/dev/full"], "verify --trace-out"),
        ] {
            let run = try Tool.run(arguments)
            checkSafely(run, exits: 2, what)
            XCTAssertEqual(run.stderr, refusal, what)
            XCTAssertEqual(run.stdout, "", "\(what): refused before any work")
            XCTAssertEqual(Self.kind("/dev/full"), "character device", what)
        }
        let report = try Tool.run(["gate", models, "--report-dir", "/dev/full"])
        checkSafely(report, exits: 2, "gate --report-dir /dev/full")
        XCTAssertEqual(report.stderr, "klpcheck: error: cannot write /dev/full: it is a character device, not a folder\n")
        XCTAssertEqual(Self.kind("/dev/full"), "character device")
    }

    /// A FIFO got nothing (the file was renamed over it); now it is refused
    /// at once, without waiting for a reader.
    func testFIFOIsRefusedWithoutHanging() throws {
        let fifo = try temporaryDirectory().appendingPathComponent("pipe").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let run = try Tool.run(["gate", try gateFolder(), "--no-report", "--json", fifo], timeout: 30)
        checkSafely(run, exits: 2, "gate --json FIFO")
        XCTAssertEqual(run.stderr, "klpcheck: error: cannot write \(fifo): it is a FIFO, not a regular file\n")
        XCTAssertEqual(Self.kind(fifo), "FIFO")
    }

    func testFolderIsRefusedAndKept() throws {
        let folder = try temporaryDirectory().appendingPathComponent("out")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let run = try Tool.run(["graph", Self.failing, "--output", folder.path])
        checkSafely(run, exits: 2, "graph --output FOLDER")
        XCTAssertEqual(run.stderr, "klpcheck: error: cannot write \(folder.path): it is a folder, not a regular file\n")
        XCTAssertEqual(Self.kind(folder.path), "folder")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    /// A symlink to nothing is refused rather than creating its target.
    func testDanglingSymlinkIsRefused() throws {
        let root = try temporaryDirectory()
        let link = root.appendingPathComponent("link.json").path
        XCTAssertEqual(symlink(root.appendingPathComponent("missing.json").path, link), 0)
        let run = try Tool.run(["gate", try gateFolder(), "--no-report", "--json", link])
        checkSafely(run, exits: 2, "gate --json dangling symlink")
        XCTAssertEqual(run.stderr, "klpcheck: error: cannot write \(link): it is a symlink to a file that does not exist\n")
        XCTAssertEqual(Self.kind(link), "symlink")
        XCTAssertEqual(Self.kind(root.appendingPathComponent("missing.json").path), "missing")
    }

    // MARK: Symlinks and regular files

    /// A symlink given as the output was replaced by a file; now its target
    /// is written (atomically, keeping its permissions) and the link stays.
    func testSymlinksAreWrittenThrough() throws {
        let root = try temporaryDirectory()
        let targets = root.appendingPathComponent("targets")
        let links = root.appendingPathComponent("links")
        for folder in [targets, links] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let models = try gateFolder()
        for (name, arguments, opening) in [
            ("junit.xml", ["gate", models, "--no-report", "--junit"], "<?xml"),
            ("gate.json", ["gate", models, "--no-report", "--json"], "{"),
            ("graph.dot", ["graph", Self.failing, "--output"], "digraph klpcheck {"),
            ("trace.txt", ["verify", Self.failing, "--trace-out"], "# klpcheck counterexample"),
        ] {
            let target = targets.appendingPathComponent(name).path
            let link = links.appendingPathComponent(name).path
            try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
            XCTAssertEqual(chmod(target, 0o640), 0)
            XCTAssertEqual(symlink("../targets/" + name, link), 0)
            let run = try Tool.run(arguments + [link])
            checkSafely(run, exits: arguments[0] == "verify" ? 1 : 0, name)
            XCTAssertEqual(Self.kind(link), "symlink", name)
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "../targets/" + name)
            let text = try String(contentsOfFile: target, encoding: .utf8)
            XCTAssertTrue(text.hasPrefix(opening), "\(name): \(text.prefix(200))")
            var info = stat()
            XCTAssertEqual(stat(target, &info), 0)
            XCTAssertEqual(info.st_mode & 0o777, 0o640, "\(name) keeps its permissions")
        }
        // Nothing but the targets and links: no temporary files left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: targets.path).sorted(), ["gate.json", "graph.dot", "junit.xml", "trace.txt"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: links.path).sorted(), ["gate.json", "graph.dot", "junit.xml", "trace.txt"])
    }

    /// A regular file is replaced by a new one (a hard link to the old one
    /// keeps the old text: the write went to a new file, renamed over it).
    func testRegularFilesAreReplacedAtomically() throws {
        let root = try temporaryDirectory()
        let path = root.appendingPathComponent("graph.dot").path
        let other = root.appendingPathComponent("old-name.dot").path
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(link(path, other), 0)
        let run = try Tool.run(["graph", Self.failing, "--output", path])
        checkSafely(run, exits: 0, "graph --output FILE")
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("digraph klpcheck {"))
        XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), "old\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted(), ["graph.dot", "old-name.dot"])
    }

    // MARK: Failing writes

    /// A write that fails is one plain line with the path and the system's
    /// words, exit 2 (it was `NSCocoaErrorDomain error 512` or similar).
    func testFailingWritesArePlainErrors() throws {
        let root = try temporaryDirectory()
        let plain = root.appendingPathComponent("plain").path
        try "x\n".write(toFile: plain, atomically: false, encoding: .utf8)
        let missing = root.appendingPathComponent("no-such-folder/graph.dot").path
        let graph = try Tool.run(["graph", Self.failing, "--output", missing])
        checkSafely(graph, exits: 2, "graph --output in a missing folder")
        XCTAssertEqual(graph.stderr, "klpcheck: error: cannot write \(missing): No such file or directory\n")
        let inFile = plain + "/gate.json"
        let gate = try Tool.run(["gate", try gateFolder(), "--no-report", "--json", inFile])
        checkSafely(gate, exits: 2, "gate --json under a regular file")
        XCTAssertEqual(gate.stderr, "klpcheck: error: cannot write \(inFile): Not a directory\n")
        let report = try Tool.run(["gate", try gateFolder(), "--report-dir", plain])
        checkSafely(report, exits: 2, "gate --report-dir FILE")
        XCTAssertEqual(report.stderr, "klpcheck: error: cannot write \(plain): it is a regular file, not a folder\n")
        XCTAssertEqual(try String(contentsOfFile: plain, encoding: .utf8), "x\n")
    }

    /// Without the right to write the folder, the system's words say so.
    /// Root may write any folder: as root, klpcheck runs as `nobody`.
    func testUnwritableFolderIsAPlainError() throws {
        let asNobody = getuid() == 0
        try XCTSkipIf(asNobody && !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs setpriv as root")
        let folder = try temporaryDirectory().appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertEqual(chmod(folder.path, 0o555), 0)
        addTeardownBlock { chmod(folder.path, 0o700) }
        let path = folder.appendingPathComponent("graph.dot").path
        // `nobody` may not reach the checkout (a clone under a 0700 folder): it reads a copy.
        let model = folder.deletingLastPathComponent().appendingPathComponent("model.klp").path
        XCTAssertTrue(FileManager.default.createFile(atPath: model, contents: FileManager.default.contents(atPath: Self.failing)))
        XCTAssertEqual(chmod(model, 0o644), 0)
        let launch = asNobody ? "exec /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups \"$0\" \"$@\"" : "exec \"$0\" \"$@\""
        let run = try ShellTool.run(launch, ["graph", model, "--output", path])
        checkSafely(run, exits: 2, "graph --output in a read-only folder")
        XCTAssertEqual(run.stderr, "klpcheck: error: cannot write \(path): Permission denied\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    // MARK: Empty, one-character and `-` paths

    /// `gate --report-dir ''` wrote `index.md` at the root and exited 0.
    func testEmptyOutputPathsAreUsageErrors() throws {
        let models = try gateFolder()
        let cwd = try temporaryDirectory()
        for (arguments, option) in [
            (["gate", models, "--report-dir", ""], "--report-dir"),
            (["gate", models, "--no-report", "--json", ""], "--json"),
            (["gate", models, "--no-report", "--junit="], "--junit"),
            (["graph", Self.failing, "--output", ""], "--output"),
            (["verify", Self.failing, "--trace-out", ""], "--trace-out"),
        ] {
            let run = try ShellTool.run("exec \"$0\" \"$@\"", arguments, in: cwd)
            checkSafely(run, exits: 2, arguments.joined(separator: " "))
            XCTAssertEqual(run.stdout, "", option)
            XCTAssertTrue(
                run.stderr.hasPrefix("klpcheck: error: option '\(option)' needs a path; it was given an empty one\n"), run.stderr)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cwd.path), [])
    }

    /// `--report-dir -` is a usage error: a report is a folder.
    func testDashIsNoReportFolder() throws {
        let cwd = try temporaryDirectory()
        let run = try ShellTool.run("exec \"$0\" \"$@\"", ["gate", try gateFolder(), "--report-dir", "-"], in: cwd)
        checkSafely(run, exits: 2, "gate --report-dir -")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cwd.path), [])
        XCTAssertTrue(run.stderr.hasPrefix("klpcheck: error: option '--report-dir' needs a folder; '-' (standard output) cannot hold one\n"))
    }

    /// A one-character path crashed in `deletingLastPathComponent` (exit
    /// 132); it is a file in the current folder.
    func testOneCharacterPathsAreFilesInTheCurrentFolder() throws {
        let models = try gateFolder()
        let cwd = try temporaryDirectory()
        let gate = try ShellTool.run("exec \"$0\" \"$@\"", ["gate", models, "--no-report", "--json", "a", "--junit", "b"], in: cwd)
        checkSafely(gate, exits: 0, "gate --json a --junit b")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: cwd.appendingPathComponent("a"))) as? [String: Any]
        XCTAssertEqual(json?["command"] as? String, "gate")
        XCTAssertTrue(try String(contentsOf: cwd.appendingPathComponent("b"), encoding: .utf8).hasPrefix("<?xml"))
        let graph = try ShellTool.run("exec \"$0\" \"$@\"", ["graph", Self.failing, "--output", "c"], in: cwd)
        checkSafely(graph, exits: 0, "graph --output c")
        let verify = try ShellTool.run("exec \"$0\" \"$@\"", ["verify", Self.failing, "--trace-out", "t"], in: cwd)
        checkSafely(verify, exits: 1, "verify --trace-out t")
        XCTAssertTrue(try String(contentsOf: cwd.appendingPathComponent("c"), encoding: .utf8).hasPrefix("digraph"))
        XCTAssertTrue(try String(contentsOf: cwd.appendingPathComponent("t"), encoding: .utf8).contains("\nreplay\n"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cwd.path).sorted(), ["a", "b", "c", "t"])
    }

    /// `-` is standard output, which then holds the document alone: the
    /// command's own lines go to standard error.
    func testDashIsStandardOutput() throws {
        let models = try gateFolder()
        let cwd = try temporaryDirectory()
        let json = try ShellTool.run("exec \"$0\" \"$@\"", ["gate", models, "--no-report", "--json", "-"], in: cwd)
        checkSafely(json, exits: 0, "gate --json -")
        XCTAssertEqual(try json.json()["command"] as? String, "gate")
        XCTAssertTrue(json.stderr.contains("PASS "), json.stderr)
        XCTAssertTrue(json.stderr.contains("world.klp"), json.stderr)

        let junit = try ShellTool.run("exec \"$0\" \"$@\"", ["gate", models, "--no-report", "--junit", "-"], in: cwd)
        checkSafely(junit, exits: 0, "gate --junit -")
        XCTAssertTrue(junit.stdout.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), junit.stdout)
        XCTAssertTrue(junit.stdout.hasSuffix("</testsuites>\n"), junit.stdout)
        XCTAssertTrue(junit.stderr.contains("world.klp"), junit.stderr)

        let both = try Tool.run(["gate", models, "--no-report", "--junit", "-", "--json", "-"])
        checkSafely(both, exits: 2, "gate --junit - --json -")
        XCTAssertTrue(both.stderr.hasPrefix("klpcheck: error: --junit and --json cannot both go to standard output ('-')\n"))

        let graph = try ShellTool.run("exec \"$0\" \"$@\"", ["graph", Self.failing, "--output", "-"], in: cwd)
        checkSafely(graph, exits: 0, "graph --output -")
        XCTAssertEqual(graph.stdout, try Tool.run(["graph", Self.failing]).stdout)
        XCTAssertTrue(graph.stdout.hasPrefix("digraph klpcheck {"))

        let trace = try ShellTool.run("exec \"$0\" \"$@\"", ["verify", Self.failing, "--trace-out", "-"], in: cwd)
        checkSafely(trace, exits: 1, "verify --trace-out -")
        XCTAssertEqual(
            trace.stdout,
            """
            # klpcheck counterexample, replayed step by step: nothing happens between steps.
            # model: \(Self.failing)
            replay
            # 1. insmod test_modules/demo.ko
            step load demo
            # 2. the transition completes
            step complete

            """)
        XCTAssertTrue(trace.stderr.contains("verdict: FAIL"), trace.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cwd.path), [], "no file named '-'")
    }

    // MARK: Standard streams

    /// Standard output full ended in `try!` inside `Console.standard` with a
    /// backtrace and exit 132.
    func testFullStandardOutputExits70WithoutABacktrace() throws {
        let run = try ShellTool.run("exec \"$0\" \"$@\" >/dev/full", ["verify", Self.failing, "--format", "json"])
        checkSafely(run, exits: 70, "verify >/dev/full")
        XCTAssertEqual(run.stderr, "klpcheck: error: cannot write standard output: No space left on device\n")
    }

    func testClosedStandardOutputExits70() throws {
        let run = try ShellTool.run("exec \"$0\" \"$@\" >&-", ["verify", Self.failing])
        checkSafely(run, exits: 70, "verify >&-")
        XCTAssertEqual(run.stderr, "klpcheck: error: cannot write standard output: Bad file descriptor\n")
    }

    /// Standard error full: nothing more is printed, exit 70.
    func testFullStandardErrorExits70() throws {
        let run = try ShellTool.run("exec \"$0\" \"$@\" 2>/dev/full", ["verify", Self.failing, "--no-such-option"])
        checkSafely(run, exits: 70, "verify --no-such-option 2>/dev/full")
        XCTAssertEqual(run.stdout, "")
        let closed = try ShellTool.run("exec \"$0\" \"$@\" 2>&-", ["verify", Self.failing, "--no-such-option"])
        checkSafely(closed, exits: 70, "verify --no-such-option 2>&-")
    }

    /// A reader that goes away ends klpcheck as SIGPIPE does (141), also
    /// when SIGPIPE is ignored (it was exit 132 with a backtrace then).
    func testBrokenPipeEndsLikeSIGPIPE() throws {
        let world = Self.models + "/selftests/test-callbacks.klp"
        for ignore in ["", "trap '' PIPE; "] {
            let run = try ShellTool.run(
                ignore + "\"$0\" \"$@\" | head -c 10 >/dev/null; echo \"status ${PIPESTATUS[0]}\"",
                ["graph", world, "--max-states", "5000"], timeout: 120)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, "status 141\n", "\(ignore) \(run.stderr.prefix(2000))")
            XCTAssertEqual(run.stderr, "", ignore)
        }
    }

    // MARK: The parser

    /// Output options are declared as such, and the parser refuses empty ones.
    func testOutputOptionsAreDeclaredInTheSpecs() throws {
        let spec = CommandSpec(
            name: "demo", abstract: "A demo.",
            options: [.output("--json", "FILE", .file, help: "JSON."), .output("--dir", "DIR", .folder, help: "Pages.")])
        XCTAssertEqual(try ParsedArguments(["--json", "-", "--dir", "d"], spec: spec).value("--json"), "-")
        XCTAssertEqual(try ParsedArguments(["--json=a"], spec: spec).value("--json"), "a")
        for arguments in [["--json", ""], ["--json="], ["--dir", ""], ["--dir", "-"]] {
            XCTAssertThrowsError(try ParsedArguments(arguments, spec: spec), "\(arguments)") { error in
                XCTAssertEqual((error as? CommandFailure)?.status, .badInput)
            }
        }
    }
}
