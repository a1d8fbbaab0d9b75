#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Livepatch

/// Why a file klpcheck was asked to write was not written.
enum OutputFileError: Error, Equatable, CustomStringConvertible {
    /// The path exists and is not a regular file (nor a symlink to one):
    /// a device, a FIFO, a socket or a folder, never written over.
    case notARegularFile(path: String, kind: String)
    /// The path is a symlink whose target does not exist.
    case danglingSymlink(path: String)
    /// A folder to fill exists and is not a folder.
    case notAFolder(path: String, kind: String)
    /// A system call failed with `errno`.
    case system(path: String, errno: Int32)

    /// One line: `cannot write PATH: why`.
    var description: String {
        switch self {
        case .notARegularFile(let path, let kind):
            return "cannot write \(path): it is \(kind), not a regular file"
        case .notAFolder(let path, let kind):
            return "cannot write \(path): it is \(kind), not a folder"
        case .danglingSymlink(let path):
            return "cannot write \(path): it is a symlink to a file that does not exist"
        case .system(let path, let code):
            return "cannot write \(path): \(String(cString: strerror(code)))"
        }
    }
}

/// Writes every file klpcheck produces (`--junit`, `--json`, report pages,
/// `graph --output`, `verify --trace-out`) so that it never clobbers what it
/// should not.
///
/// - A regular file, or a path that does not exist yet, is replaced
///   atomically: a temporary file in the same folder, written, synced and
///   renamed over it, keeping an existing file's permissions.
/// - A symlink to a regular file is written through: the symlink stays and
///   its target is replaced atomically in the target's folder.
/// - Anything else that exists (a device such as `/dev/full`, a FIFO, a
///   socket, a folder, a dangling symlink) is refused: it is never replaced,
///   opened or waited on.
///
/// POSIX calls throughout, so that every failure is an `errno` reported in
/// words with the path the user gave.
enum OutputFile {
    /// The path that means standard output for file options.
    static let standardOutput = "-"

    /// Writes `text` to `path` as described above; with `createFolders`, the
    /// missing folders above it are created first.
    static func write(_ text: String, to path: String, createFolders: Bool = false) throws(OutputFileError) {
        let target = try destination(of: path)
        let folder = parent(of: target)
        if createFolders { try createFolder(folder, reportedAs: path) }
        try replace(target, with: text, folder: folder, reportedAs: path)
    }

    /// Writes `text` to standard output through `console` when `path` is `-`,
    /// else to the file.
    static func write(_ text: String, to path: String, console: Console, createFolders: Bool = false) throws(OutputFileError) {
        if path == standardOutput {
            console.out(text)
        } else {
            try write(text, to: path, createFolders: createFolders)
        }
    }

    /// Refuses, before any work, a file path that `write` would refuse
    /// as it stands (`-` is fine): a device, a FIFO, a folder, a dangling
    /// symlink. `write` checks again when it writes.
    static func check(file path: String) throws(OutputFileError) {
        if path != standardOutput { _ = try destination(of: path) }
    }

    /// Refuses, before any work, a folder path that exists and is not a
    /// folder (nor a symlink to one).
    static func check(folder path: String) throws(OutputFileError) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT != S_IFDIR { throw .notAFolder(path: path, kind: describe(info.st_mode)) }
    }

    /// Creates `path` and the folders above it, as `mkdir -p`; an existing
    /// folder (or symlink to one) is fine, anything else is an error.
    static func createFolder(_ path: String, reportedAs shown: String? = nil) throws(OutputFileError) {
        let shown = shown ?? path
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                if shown == path { throw .notAFolder(path: path, kind: describe(info.st_mode)) }
                throw .system(path: shown, errno: ENOTDIR)
            }
            return
        }
        guard errno == ENOENT else { throw .system(path: shown, errno: errno) }
        let above = parent(of: path)
        if above != path { try createFolder(above, reportedAs: shown) }
        if mkdir(path, 0o777) != 0 && errno != EEXIST { throw .system(path: shown, errno: errno) }
    }

    /// The file to replace: `path` itself, or the target of a symlink to a
    /// regular file.
    static func destination(of path: String) throws(OutputFileError) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return path }
            throw .system(path: path, errno: errno)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return path
        case S_IFLNK:
            var target = stat()
            guard stat(path, &target) == 0 else {
                if errno == ENOENT { throw .danglingSymlink(path: path) }
                throw .system(path: path, errno: errno)
            }
            guard target.st_mode & S_IFMT == S_IFREG else {
                throw .notARegularFile(path: path, kind: "a symlink to " + describe(target.st_mode))
            }
            guard let resolved = realpath(path, nil) else { throw .system(path: path, errno: errno) }
            defer { free(resolved) }
            return String(cString: resolved)
        default:
            throw .notARegularFile(path: path, kind: describe(info.st_mode))
        }
    }

    /// Whether `a` and `b` name one file: the same file (device and inode,
    /// symlinks followed) when either exists, else one name in one folder
    /// (folders resolved). Standard output (`-`) is no file.
    static func isSameFile(_ a: String, _ b: String) -> Bool {
        guard a != standardOutput && b != standardOutput else { return false }
        var first = stat()
        var second = stat()
        let firstExists = stat(a, &first) == 0
        let secondExists = stat(b, &second) == 0
        if firstExists || secondExists {
            return firstExists && secondExists && first.st_dev == second.st_dev && first.st_ino == second.st_ino
        }
        func resolved(_ path: String) -> String? {
            guard let folder = realpath(parent(of: path), nil) else { return nil }
            defer { free(folder) }
            return String(cString: folder) + "/" + (path.split(separator: "/").last.map(String.init) ?? path)
        }
        return (resolved(a) ?? a) == (resolved(b) ?? b)
    }

    /// Refuses outputs that name one file between them, or an input: one
    /// would silently replace the other. `outputs` and `inputs` pair an
    /// option (or `the model`) with its path.
    static func checkDistinct(outputs: [(what: String, path: String)], inputs: [(what: String, path: String)] = []) throws {
        for (index, output) in outputs.enumerated() {
            for other in outputs[..<index] where isSameFile(other.path, output.path) {
                throw CommandFailure(
                    "\(other.what) and \(output.what) name the same file \(VisibleText.quoted(output.path, limit: 200)); give each its own")
            }
            for input in inputs where isSameFile(input.path, output.path) {
                throw CommandFailure(
                    "\(output.what) names \(input.what) \(VisibleText.quoted(input.path, limit: 200)); it would be overwritten")
            }
        }
    }

    /// The folder holding `path`: `.` for a bare name, `/` for a name in the root.
    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let folder = trimmed[..<slash]
        return folder.isEmpty ? "/" : String(folder)
    }

    /// What a file of mode `mode` is, in words, for refusals.
    static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFREG: return "a regular file"
        default: return "a special file"
        }
    }

    /// Writes a temporary file in `folder`, syncs it and renames it over `target`.
    private static func replace(_ target: String, with text: String, folder: String, reportedAs shown: String) throws(OutputFileError) {
        var template = Array((folder + "/.klpcheck-output-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw .system(path: shown, errno: errno) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var failure = adoptMode(of: target, descriptor: descriptor)
        if failure == 0 { failure = writeAll(text, to: descriptor) }
        if failure == 0 && fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, target) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .system(path: shown, errno: failure)
        }
    }

    /// Gives the temporary file the permissions (and, best effort, the
    /// owner) of the file it replaces, or those of a new file; 0 or an errno.
    private static func adoptMode(of target: String, descriptor: Int32) -> Int32 {
        var info = stat()
        if stat(target, &info) == 0 {
            _ = fchown(descriptor, info.st_uid, info.st_gid)
            return fchmod(descriptor, info.st_mode & 0o7777) == 0 ? 0 : errno
        }
        // A new file: what open(2) with 0666 would give under the umask.
        let mask = umask(0o022)
        umask(mask)
        return fchmod(descriptor, 0o666 & ~mask) == 0 ? 0 : errno
    }

    /// Writes all of `text`, retrying short writes and EINTR, and waiting
    /// on a non-blocking descriptor that is full for now; 0 or an errno.
    static func writeAll(_ text: String, to descriptor: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = posixWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN || errno == EWOULDBLOCK {
                        var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&ready, 1, -1)
                        continue
                    }
                    return errno
                }
                offset += written
            }
            return 0
        }
    }
}

/// write(2), under a name that no method named `write` shadows.
@inline(__always)
func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

extension CommandFailure {
    /// An output that could not be written: exit 2, without the pointer to `--help`.
    static func output(_ error: OutputFileError) -> CommandFailure {
        var failure = CommandFailure(error.description)
        failure.pointsToHelp = false
        return failure
    }
}
