import Foundation
import XCTest

/// Runs the built `klpcheck` from a bash script, so that a test can give it
/// a full, closed or piped stream, a current folder, or a signal.
///
/// In `script`, `"$0" "$@"` is the klpcheck command line; standard output
/// and error go to files the run returns, unless the script redirects them.
public enum ShellTool {
    /// Runs `script` with klpcheck and `arguments`, in `directory`, for at
    /// most `timeout` seconds; `signal` is sent to the process once its
    /// standard error contains `signalWhen` (then `status` is the signal
    /// number and `crashed` is true if it died by it).
    public static func run(
        _ script: String, _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 60,
        signal: Int32? = nil, signalWhen: String = "", file: StaticString = #filePath, line: UInt = #line
    ) throws -> ToolRun {
        let executable = try Tool.executable(file: file, line: line)
        let run = try Tool.launch(
            URL(fileURLWithPath: "/bin/bash"), ["-c", script, executable.path] + arguments, timeout: timeout, lossy: true,
            in: directory, signal: signal, signalWhen: signalWhen)
        if run.timedOut {
            XCTFail("klpcheck \(arguments.joined(separator: " ")) ran longer than \(timeout) s", file: file, line: line)
        }
        return run
    }
}
