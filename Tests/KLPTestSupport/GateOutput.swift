import Foundation

/// What the test targets read in `klpcheck gate`'s text output, and the
/// two small models they gate: one that passes, one that fails.
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

    /// `expect pass` on a core that completes before the task switched:
    /// post-patch-all-tasks (and, on the way back, post-unpatch-no-task) is
    /// violated. The `expect` line is line 7.
    public static let violating = """
        # a core variant with a bug
        # that the checker catches
        core complete-before-switch
        tasks 1
        patch demo
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        expect pass
        check all

        """
    /// The line of `violating`'s `expect`.
    public static let violatingExpectLine = 7

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
