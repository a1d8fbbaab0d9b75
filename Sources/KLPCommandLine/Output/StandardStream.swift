#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Livepatch

/// The process's standard output and error, written with write(2).
///
/// A stream that cannot take more (full, closed, a failing device) ends the
/// process at once with exit status 70 and no backtrace: whatever comes next
/// could not be shown either. A failure of standard output is told in one
/// line on standard error, if that still works. A reader that went away
/// (EPIPE) ends it as SIGPIPE does (status 141), even when SIGPIPE is ignored.
enum StandardStream {
    /// Standard output's descriptor.
    static let output: Int32 = 1
    /// Standard error's descriptor.
    static let error: Int32 = 2

    /// Writes all of `text` to `descriptor`, or ends the process.
    static func write(_ text: String, to descriptor: Int32) {
        let failure = OutputFile.writeAll(text, to: descriptor)
        guard failure != 0 else { return }
        if failure == EPIPE {
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
            _exit(128 + SIGPIPE)
        }
        if descriptor == output {
            let name = String(cString: strerror(failure))
            _ = OutputFile.writeAll("klpcheck: error: cannot write standard output: \(name)\n", to: error)
        }
        _exit(ExitStatus.internalError.rawValue)
    }

    /// Opens a placeholder on each of standard input, output and error that
    /// is closed, so that no file klpcheck opens takes its number and
    /// receives what was meant for the stream. The placeholder is open in
    /// the wrong direction: using it fails with EBADF, as the closed
    /// stream would.
    static func reserveClosedDescriptors() {
        for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let placeholder = open("/dev/null", descriptor == 0 ? O_WRONLY : O_RDONLY)
            if placeholder >= 0 && placeholder != descriptor {
                dup2(placeholder, descriptor)
                close(placeholder)
            }
        }
    }
}
