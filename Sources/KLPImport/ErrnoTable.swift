/// The Linux errno names a callback may return, and how the `.klp`
/// language writes them: by name for the six it knows, else as a number.
enum ErrnoTable {
    /// Linux's numbers (include/uapi/asm-generic/errno-base.h, errno.h, linux/errno.h).
    static let values: [String: Int32] = [
        "EPERM": 1, "ENOENT": 2, "ESRCH": 3, "EINTR": 4, "EIO": 5, "ENXIO": 6, "E2BIG": 7, "ENOEXEC": 8, "EBADF": 9,
        "ECHILD": 10, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13, "EFAULT": 14, "EBUSY": 16, "EEXIST": 17, "EXDEV": 18,
        "ENODEV": 19, "ENOTDIR": 20, "EISDIR": 21, "EINVAL": 22, "ENFILE": 23, "EMFILE": 24, "ENOTTY": 25, "EFBIG": 27,
        "ENOSPC": 28, "ESPIPE": 29, "EROFS": 30, "EMLINK": 31, "EPIPE": 32, "EDOM": 33, "ERANGE": 34, "EDEADLK": 35,
        "ENOSYS": 38, "ENODATA": 61, "ETIME": 62, "EOVERFLOW": 75, "EOPNOTSUPP": 95, "EADDRINUSE": 98,
        "ETIMEDOUT": 110, "EALREADY": 114, "EINPROGRESS": 115, "ECANCELED": 125, "ENOTSUPP": 524,
    ]

    /// The names the `.klp` language spells out.
    static let spelledOut: Set<String> = ["ENODEV", "EBUSY", "EINVAL", "ENOMEM", "EPERM", "EAGAIN"]

    /// The number of `name` (`ENOMEM`), positive, or nil.
    static func value(of name: String) -> Int32? { values[name] }

    /// The `.klp` ERRNO token of a negative errno named `name` (or unnamed).
    static func token(_ errno: Int32, name: String?) -> String {
        if let name, spelledOut.contains(name) { return "-" + name }
        if let known = values.first(where: { -$0.value == errno }), spelledOut.contains(known.key) { return "-" + known.key }
        return "\(errno)"
    }
}
