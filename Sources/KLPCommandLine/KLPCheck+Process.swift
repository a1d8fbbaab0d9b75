#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension KLPCheck {
    /// Runs the program as this process, with its own streams and signals,
    /// and exits: with the command's status, or by the signal that
    /// interrupted a search (after printing its partial result).
    public static func runAsProcess(_ arguments: [String]) -> Never {
        StandardStream.reserveClosedDescriptors()
        Interruption.isEnabled = true
        let status = main(arguments, console: .standard)
        Interruption.endIfInterrupted()
        exit(status)
    }
}
