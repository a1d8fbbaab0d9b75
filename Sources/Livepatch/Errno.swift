/// The errno values a world's callbacks and the core return, negative as
/// the kernel returns them, and the texts shell tools print for them.
public enum Errno {
    /// `-EPERM`.
    public static let eperm: Int32 = -1
    /// `-ENODEV`: the selftests' failing pre_patch.
    public static let enodev: Int32 = -19
    /// `-EBUSY`: a transition runs, a module is in use, or patching failed.
    public static let ebusy: Int32 = -16
    /// `-EINVAL`: a refused sysfs write or an incompatible patch.
    public static let einval: Int32 = -22
    /// `-ENOMEM`.
    public static let enomem: Int32 = -12
    /// `-EAGAIN`.
    public static let eagain: Int32 = -11

    /// `strerror` of a negative errno.
    public static func text(_ errno: Int32) -> String {
        switch errno {
        case eperm: return "Operation not permitted"
        case enodev: return "No such device"
        case ebusy: return "Device or resource busy"
        case einval: return "Invalid parameters"
        case enomem: return "Cannot allocate memory"
        case eagain: return "Resource temporarily unavailable"
        // Widened: the negation of Int32.min does not fit an Int32.
        default: return "Unknown error \(-Int64(errno))"
        }
    }

    /// The symbolic name, when known: `-ENODEV`.
    public static func name(_ errno: Int32) -> String {
        switch errno {
        case eperm: return "-EPERM"
        case enodev: return "-ENODEV"
        case ebusy: return "-EBUSY"
        case einval: return "-EINVAL"
        case enomem: return "-ENOMEM"
        case eagain: return "-EAGAIN"
        default: return "\(errno)"
        }
    }
}
