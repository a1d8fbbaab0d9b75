#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Livepatch

extension KLPCheck {
    /// Runs the program as this process, with its own streams and signals,
    /// and exits: with the command's status, or by the signal that
    /// interrupted a search (after printing its partial result).
    public static func runAsProcess(_ arguments: [String]) -> Never {
        StandardStream.reserveClosedDescriptors()
        if let (index, shown) = firstArgumentNotUTF8() {
            // Swift reads such an argument with U+FFFD in place of its bad
            // bytes: a path would name another file (or none).
            Console.standard.err(
                "klpcheck: error: argument \(index) (\(VisibleText.quoted(shown, limit: 200))) is not UTF-8 text; klpcheck reads paths and names as UTF-8\n")
            exit(ExitStatus.badInput.rawValue)
        }
        Interruption.isEnabled = true
        let status = main(arguments, console: .standard)
        Interruption.endIfInterrupted()
        exit(status)
    }

    /// The 1-based position and lossy text of the first command-line
    /// argument that is not valid UTF-8, or nil.
    static func firstArgumentNotUTF8() -> (Int, String)? {
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index], String(validatingCString: raw) == nil else { continue }
            return (index, String(cString: raw))
        }
        return nil
    }
}
