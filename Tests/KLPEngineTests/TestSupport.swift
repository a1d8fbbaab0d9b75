import Foundation
import XCTest

/// Runs a test body in a child copy of the test runner, so that a crash in
/// the code under test fails that one test instead of aborting the suite.
///
/// The parent re-runs the test runner with the test's own name as filter and
/// `KLP_ISOLATED_TEST` set; in the child, `body` runs directly. The test
/// fails when the child does not exit 0 (a crash shows as a signal), or,
/// with `expectingCrash`, when the child does not die of a signal.
func runIsolated(
    _ testCase: XCTestCase, expectingCrash: Bool = false, file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> Void
) rethrows {
    let name = isolatedTestName(testCase)
    if ProcessInfo.processInfo.environment["KLP_ISOLATED_TEST"] == name {
        try body()
        return
    }
    let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    guard FileManager.default.isExecutableFile(atPath: runner.path) else {
        XCTFail("cannot re-run the test runner at \(runner.path) for an isolated test", file: file, line: line)
        return
    }
    let process = Process()
    process.executableURL = runner
    process.arguments = [name]
    var environment = ProcessInfo.processInfo.environment
    environment["KLP_ISOLATED_TEST"] = name
    process.environment = environment
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("klp-isolated-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: output) }
    do {
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("isolated test \(name) did not finish within 60 s", file: file, line: line)
            return
        }
    } catch {
        XCTFail("cannot run isolated test \(name): \(error)", file: file, line: line)
        return
    }
    let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    let crashed = process.terminationReason == .uncaughtSignal
    if expectingCrash {
        XCTAssertTrue(crashed, "isolated test \(name) should have trapped; it exited with \(process.terminationStatus):\n\(log)",
            file: file, line: line)
        return
    }
    XCTAssertTrue(
        process.terminationStatus == 0 && !crashed,
        "isolated test \(name) \(crashed ? "crashed with signal" : "exited with status") \(process.terminationStatus):\n"
            + log.split(separator: "\n").filter { !$0.hasPrefix("Test Suite") }.prefix(8).joined(separator: "\n"),
        file: file, line: line)
    if !crashed && process.terminationStatus == 0 {
        XCTAssertTrue(log.contains("Executed 1 test"), "isolated test \(name) did not run exactly one test:\n\(log)",
            file: file, line: line)
    }
}

/// `Module.Class/testMethod` of the running test.
private func isolatedTestName(_ testCase: XCTestCase) -> String {
    // XCTest names a test "-[Class method]" on Darwin and "Class.method" on Linux.
    let raw = testCase.name
    let trimmed = raw.trimmingCharacters(in: CharacterSet(charactersIn: "-[]"))
    let parts = trimmed.split(whereSeparator: { $0 == " " || $0 == "." }).map(String.init)
    let className = parts.count >= 2 ? parts[parts.count - 2] : String(describing: type(of: testCase))
    let method = parts.last ?? raw
    return "KLPEngineTests.\(className)/\(method)"
}

/// Thread-safe per-thread counters for `concurrentPerform` bodies.
final class PerThread<Value>: @unchecked Sendable {
    let storage: UnsafeMutablePointer<Value>
    let count: Int
    init(count: Int, initial: Value) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: initial, count: count)
    }
    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }
    subscript(index: Int) -> Value {
        get { storage[index] }
        set { storage[index] = newValue }
    }
    var all: [Value] { (0..<count).map { storage[$0] } }
}

/// Runs `body(0..<count)` on `count` threads of its own that start together
/// (a barrier), and returns when all are done. Unlike `concurrentPerform`,
/// every body really runs on its own thread, even with more bodies than cores.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let gate = StartGate(count: count)
    let done = DispatchGroup()
    for index in 0..<count {
        done.enter()
        let thread = Thread {
            gate.arriveAndWait()
            body(index)
            done.leave()
        }
        thread.start()
    }
    done.wait()
}

private final class StartGate: @unchecked Sendable {
    let condition = NSCondition()
    let count: Int
    var arrived = 0
    init(count: Int) { self.count = count }
    func arriveAndWait() {
        condition.lock()
        arrived += 1
        if arrived == count { condition.broadcast() }
        while arrived < count { condition.wait() }
        condition.unlock()
    }
}
