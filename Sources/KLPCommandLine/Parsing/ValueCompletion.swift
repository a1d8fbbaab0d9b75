/// What a shell's completion offers for an option's value or a positional
/// argument. The completion scripts and the manual page read it from the
/// command specs, so they say what `--help` says.
public enum ValueCompletion: Sendable, Equatable {
    /// Free text (a number, a size): nothing to offer.
    case none
    /// One of these words.
    case choices([String])
    /// A file; with an extension (without the dot), only files ending in
    /// it, and folders to walk into.
    case file(extension: String?)
    /// A folder.
    case directory
    /// The name of a klpcheck command (for `help COMMAND`).
    case command
}
