import KLPTestSupport
import Foundation
import XCTest

/// Runs the built `klpcheck` from a bash script, so that a test can give it
/// a full, closed or piped stream, a current folder, or a signal.
///
/// In `script`, `"$0" "$@"` is the klpcheck command line; standard output
/// and error go to files the run returns, unless the script redirects them.
enum ShellTool {
    /// Runs `script` with klpcheck and `arguments`, in `directory`, for at
    /// most `timeout` seconds; `signal` is sent to the process once its
    /// standard error contains `signalWhen` (then `status` is the signal
    /// number and `crashed` is true if it died by it).
    static func run(
        _ script: String, _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 60,
        signal: Int32? = nil, signalWhen: String = "", file: StaticString = #filePath, line: UInt = #line
    ) throws -> ToolRun {
        let executable = try Tool.executable(file: file, line: line)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script, executable.path] + arguments
        if let directory { process.currentDirectoryURL = directory }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("klpcheck-shell-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
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
            if !signalled, let signal,
                let text = try? String(contentsOf: errURL, encoding: .utf8), text.contains(signalWhen)
            {
                kill(process.processIdentifier, signal)
                signalled = true
            }
            usleep(5_000)
        }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            XCTFail("klpcheck \(arguments.joined(separator: " ")) ran longer than \(timeout) s", file: file, line: line)
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return ToolRun(
            status: process.terminationStatus, crashed: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
            seconds: Date().timeIntervalSince(start),
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
