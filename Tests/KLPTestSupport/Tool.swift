import Foundation
import XCTest

/// What a run of the built `klpcheck` executable printed and returned.
public struct ToolRun: Sendable {
    public var status: Int32
    public var crashed: Bool
    /// Whether it ran past its timeout and was killed.
    public var timedOut: Bool
    /// Wall-clock seconds until it ended or was killed.
    public var seconds: Double
    public var stdout: String
    public var stderr: String

    /// A run's outcome, as a launcher other than `Tool` observed it.
    public init(status: Int32, crashed: Bool, timedOut: Bool, seconds: Double, stdout: String, stderr: String) {
        self.status = status
        self.crashed = crashed
        self.timedOut = timedOut
        self.seconds = seconds
        self.stdout = stdout
        self.stderr = stderr
    }

    /// stdout parsed as one JSON object.
    public func json(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        return try XCTUnwrap(object as? [String: Any], "stdout is not a JSON object:\n\(stdout)", file: file, line: line)
    }
}

/// Finds and runs the `klpcheck` executable that the build put next to the tests.
public enum Tool {
    /// Where the executable may be, most specific first.
    public static var candidates: [URL] {
        var urls: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["KLPCHECK_EXECUTABLE"] {
            urls.append(URL(fileURLWithPath: explicit))
        }
        // Linux: the test runner is an executable in the products directory.
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        urls.append(runner.deletingLastPathComponent().appendingPathComponent("klpcheck"))
        // Darwin: the .xctest bundle sits in the products directory.
        for bundle in [Bundle.main] + Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            urls.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("klpcheck"))
        }
        urls.append(Bundle.main.bundleURL.appendingPathComponent("klpcheck"))
        // Last resort: this package's own scratch directories.
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for scratch in [".build-tests", ".build"] {
            urls.append(package.appendingPathComponent(scratch).appendingPathComponent("debug/klpcheck"))
        }
        return urls
    }

    /// The executable, or a test failure naming every place looked at.
    public static func executable(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let places = candidates
        if let found = places.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        XCTFail(
            "the klpcheck executable was not built; looked at:\n"
                + places.map { "  " + $0.path }.joined(separator: "\n")
                + "\nbuild it (swift build) or set KLPCHECK_EXECUTABLE", file: file, line: line)
        throw CocoaError(.fileNoSuchFile)
    }

    /// Runs `klpcheck arguments` to completion (at most `timeout` seconds,
    /// else a test failure); its output must be UTF-8.
    public static func run(
        _ arguments: [String], timeout: TimeInterval = 60, file: StaticString = #filePath, line: UInt = #line
    ) throws -> ToolRun {
        let run = try launch(executable(file: file, line: line), arguments, timeout: timeout, lossy: false)
        if run.timedOut {
            XCTFail("klpcheck \(arguments.joined(separator: " ")) ran longer than \(timeout) s", file: file, line: line)
        }
        return run
    }

    /// The variables a job engine sets to tell one task of an array its
    /// index (Kubernetes indexed Jobs, Slurm job arrays), which `klpcheck`
    /// reads for `--shard auto/N` and `--swarm auto/N`.
    public static let jobIndexVariables = ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"]

    /// Runs `klpcheck arguments` in `directory` as a job engine runs one
    /// task: with this process's environment less `jobIndexVariables` (so
    /// that the test runner's own never leak in), plus `environment`. At
    /// most `timeout` seconds, else a test failure; its output must be UTF-8.
    public static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], timeout: TimeInterval = 1800,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> ToolRun {
        var variables = ProcessInfo.processInfo.environment
        for name in jobIndexVariables { variables[name] = nil }
        variables.merge(environment) { $1 }
        let run = try launch(
            executable(file: file, line: line), arguments, timeout: timeout, lossy: false, in: directory, environment: variables)
        if run.timedOut {
            XCTFail("klpcheck \(arguments.joined(separator: " ")) ran longer than \(timeout) s", file: file, line: line)
        }
        return run
    }

    /// Runs `executable` with `arguments`, killing it after `timeout` seconds
    /// (terminate, then SIGKILL after a grace period). With `lossy`, output
    /// that is not UTF-8 is decoded with replacement characters; without, it
    /// throws. It runs in `directory` when one is given, with `environment`
    /// when one is given (else this process's); `signal` is sent once its
    /// standard error contains `signalWhen`. Its output goes to temporary
    /// files, not pipes: a child that fills both pipes would block forever.
    public static func launch(
        _ executable: URL, _ arguments: [String], timeout: TimeInterval, lossy: Bool,
        in workingDirectory: URL? = nil, environment: [String: String]? = nil, signal: Int32? = nil, signalWhen: String = ""
    ) throws -> ToolRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        if let environment { process.environment = environment }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("klpcheck-e2e-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        let deadline = start.addingTimeInterval(timeout)
        var signalled = signal == nil
        while process.isRunning && Date() < deadline {
            if !signalled, let signal, let text = try? String(contentsOf: errURL, encoding: .utf8), text.contains(signalWhen) {
                kill(process.processIdentifier, signal)
                signalled = true
            }
            usleep(2_000)
        }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            process.terminate()
            let grace = Date().addingTimeInterval(2)
            while process.isRunning && Date() < grace { usleep(2_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        try out.close()
        try err.close()
        func text(_ url: URL) throws -> String {
            lossy ? String(decoding: try Data(contentsOf: url), as: UTF8.self) : try String(contentsOf: url, encoding: .utf8)
        }
        return ToolRun(
            status: process.terminationStatus, crashed: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
            seconds: seconds, stdout: try text(outURL), stderr: try text(errURL))
    }
}
