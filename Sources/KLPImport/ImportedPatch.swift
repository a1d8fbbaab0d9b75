import Livepatch

/// One patch as the import read it, with where every part came from: what
/// the writer turns into `.klp` lines.
struct ImportedPatch {
    /// One callback of an object.
    struct Callback {
        var kind: CallbackKind
        /// The C function.
        var function: String
        var location: SourceLocation
        /// What its body does; nil when the body is not in the file.
        var analysis: CallbackAnalysis?
        /// The file's `-EXXX` mentions, for a failure whose errno the source does not name.
        var errnoMentions: [CToken]
    }

    /// An object: vmlinux or a module.
    struct Object {
        var target: String
        var location: SourceLocation
        /// A comment to write with it (how the target was chosen).
        var note: String?
        var callbacks: [Callback]
        /// The `old_name`s of its `klp_func` array; nil when not known (a diff).
        var replacedFunctions: [String]? = nil
    }

    /// A `klp_state`.
    struct State {
        var id: Int
        var version: Int
        var location: SourceLocation
        /// The data name the contract suggestions give its `data` pointer.
        var dataName: String
    }

    var name: String
    var location: SourceLocation
    /// How the name was found, for the comment.
    var nameNote: String
    var replace: Bool
    var replaceNote: String?
    var states: [State]
    var objects: [Object]
}
