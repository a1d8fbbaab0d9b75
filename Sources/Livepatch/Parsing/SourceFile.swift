#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the texts klpcheck parses (model files, scenarios, standard
/// input), never more than `maximumSize` bytes: `/dev/zero` or an endless
/// pipe is refused instead of filling memory. `SourceText` then checks the
/// bytes are UTF-8 and cuts them into lines, for models and scenarios alike.
public enum SourceFile {
    /// The largest text read.
    public static let maximumSize = 16 << 20

    /// Why a text could not be read, as a sentence naming what it is.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        /// E.g. `cannot read model file: No such file or directory`.
        public var message: String
        /// The message.
        public var description: String { message }
    }

    /// Reads the file at `path`; `what` names it in messages (`model file`).
    public static func bytes(atPath path: String, what: String) -> Result<[UInt8], Problem> {
        let descriptor = open(path, O_RDONLY)
        if descriptor < 0 {
            return .failure(Problem(message: "cannot read \(what): \(String(cString: strerror(errno)))"))
        }
        defer { close(descriptor) }
        return bytes(from: descriptor, what: what)
    }

    /// Reads standard input to its end.
    public static func bytesOfStandardInput(what: String) -> Result<[UInt8], Problem> {
        bytes(from: STDIN_FILENO, what: what)
    }

    /// Reads an open descriptor to its end, stopping as soon as more than
    /// `maximumSize` bytes came.
    static func bytes(from descriptor: Int32, what: String) -> Result<[UInt8], Problem> {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Problem(message: "cannot read \(what): \(String(cString: strerror(errno)))"))
            }
            if count == 0 { break }
            out.append(contentsOf: buffer[0..<count])
            if out.count > maximumSize {
                return .failure(Problem(message: "\(what) is larger than \(maximumSize >> 20) MiB"))
            }
        }
        return .success(out)
    }
}
