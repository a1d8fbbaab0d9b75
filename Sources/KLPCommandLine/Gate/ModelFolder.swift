import Foundation

/// The model files of a folder tree, as the gate finds them.
///
/// Only regular files (or symbolic links to them) named `*.klp` are models;
/// a folder is walked whatever its name, and symbolic links to folders are
/// not followed. A `*.klp` that is neither (a FIFO, a device, a dangling
/// link) is skipped with a warning: reading a FIFO would block the gate.
/// A folder that cannot be listed is bad input: the gate would otherwise
/// pass without having seen what it holds.
struct ModelFolder: Sendable {
    /// What the walk found.
    struct Listing: Equatable {
        /// The model files, in path order.
        var models: [String]
        /// One line per skipped `*.klp`, for stderr.
        var warnings: [String]
    }

    /// An `errno` value.
    struct SystemError: Error, Equatable {
        var code: Int32
        /// The C library's sentence for it.
        var description: String { String(cString: strerror(code)) }
    }

    /// The names in a folder (without `.` and `..`), or why it cannot be listed.
    var entries: @Sendable (String) -> Result<[String], SystemError>

    /// The walk over the real file system.
    static let system = ModelFolder(entries: Self.systemEntries)

    /// Every model under `directory`, recursively.
    ///
    /// - Throws: `CommandFailure` (exit 2) when `directory` is not a folder,
    ///   or when it or a folder below it cannot be listed or examined.
    func models(in directory: String) throws -> Listing {
        guard case .directory = kind(directory, followingLinks: true) else {
            throw CommandFailure("'\(directory)' is not a folder")
        }
        let base = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var listing = Listing(models: [], warnings: [])
        try walk(base, into: &listing)
        listing.models.sort()
        return listing
    }

    private func walk(_ folder: String, into listing: inout Listing) throws {
        let names: [String]
        switch entries(folder) {
        case .success(let found): names = found
        case .failure(let code): throw CommandFailure("cannot read the folder '\(folder)': \(code.description)")
        }
        for name in names.sorted() {
            let path = folder == "/" ? "/" + name : folder + "/" + name
            switch kind(path, followingLinks: false) {
            case .directory:
                try walk(path, into: &listing)
            case .regularFile where name.hasSuffix(".klp"):
                listing.models.append(path)
            case .symbolicLink where name.hasSuffix(".klp"):
                switch kind(path, followingLinks: true) {
                case .regularFile: listing.models.append(path)
                case .missing: listing.warnings.append(Self.skipped(path, "a symbolic link to nothing"))
                case let other: listing.warnings.append(Self.skipped(path, "a symbolic link to \(other.description)"))
                }
            case .missing(let code):
                throw CommandFailure("cannot read '\(path)' in the folder '\(folder)': \(code.description)")
            case let other where name.hasSuffix(".klp"):
                listing.warnings.append(Self.skipped(path, other.description))
            default:
                break
            }
        }
    }

    static func skipped(_ path: String, _ what: String) -> String {
        "klpcheck: warning: skipping '\(path)': \(what), not a regular file"
    }

    /// What a path is.
    enum Kind: Equatable, CustomStringConvertible {
        case directory, regularFile, symbolicLink, fifo, socket, device
        case missing(SystemError)

        var description: String {
            switch self {
            case .directory: return "a folder"
            case .regularFile: return "a regular file"
            case .symbolicLink: return "a symbolic link"
            case .fifo: return "a FIFO"
            case .socket: return "a socket"
            case .device: return "a device"
            case .missing(let code): return "unreadable (\(code.description))"
            }
        }
    }

    func kind(_ path: String, followingLinks: Bool) -> Kind {
        var info = stat()
        let result = followingLinks ? stat(path, &info) : lstat(path, &info)
        guard result == 0 else { return .missing(SystemError(code: errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        case S_IFLNK: return .symbolicLink
        case S_IFIFO: return .fifo
        case S_IFSOCK: return .socket
        default: return .device
        }
    }

    /// `opendir` and `readdir`, with their errors.
    static func systemEntries(_ folder: String) -> Result<[String], SystemError> {
        guard let stream = opendir(folder) else { return .failure(SystemError(code: errno)) }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { return .failure(SystemError(code: errno)) }
                return .success(names)
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }
}
