import Foundation

/// What the test targets read in `klpcheck gate`'s text output, and the
/// smallest model it passes.
public enum GateOutput {
    /// One vmlinux object with all four callbacks: every property holds.
    public static let passing = """
        # a plain patch on the upstream core
        tasks 1
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        check all
        expect pass

        """

    /// The output lines of a gate run that start with a status mark, in order.
    public static func modelLines(_ stdout: String) -> [String] {
        stdout.split(separator: "\n").map(String.init).filter { line in
            ["PASS ", "FAIL ", "INCOMPLETE ", "BAD "].contains { line.hasPrefix($0) }
        }
    }

    /// The line of `stdout` that reports `path`.
    public static func line(for path: String, in stdout: String) -> String? {
        modelLines(stdout).first { $0.contains(path + " ") }
    }

    /// The summary line's shape.
    public static let summaryPattern = #"^[0-9]+ passed, [0-9]+ failed, [0-9]+ bad, [0-9]+ incomplete$"#

    /// The summary line of a gate run.
    public static func summary(_ stdout: String) -> String? {
        stdout.split(separator: "\n").map(String.init).first { $0.range(of: summaryPattern, options: .regularExpression) != nil }
    }
}
