import Livepatch

extension CommandFailure {
    /// A world whose state does not pack with the run's options (tasks
    /// named): the error at the declaration that crosses the limit, as a
    /// parse error would give it (exit 2).
    static func worldTooLarge(_ tooLarge: WorldTooLarge, path: String) -> CommandFailure {
        guard let diagnostic = tooLarge.diagnostic else { return CommandFailure("\(path): \(tooLarge.description)") }
        return .diagnostics(diagnostic.description + "\n" + "klpcheck: 1 error(s) in \(VisibleText.escape(path))")
    }
}
