/// Names as the `.klp` language and kbuild spell them.
enum ImportNames {
    /// Whether `name` matches `[A-Za-z_][A-Za-z0-9_-]*`.
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    /// `name` with every character a name cannot hold made `_`, and a `_`
    /// before a leading digit.
    static func sanitized(_ name: String) -> String {
        var out = String(name.unicodeScalars.map { scalar -> Character in
            scalar == "_" || scalar == "-" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                ? Character(scalar) : "_"
        })
        if out.isEmpty || out.first!.isNumber || out.first == "-" { out = "_" + out }
        return out
    }

    /// How standard input is named in positions.
    static let standardInput = "<stdin>"

    /// How a patch named after `path` says so in its comment.
    static func nameNote(ofFile path: String) -> String {
        path == standardInput ? "nothing (check: standard input has no file name)" : "the module built from \(baseName(path))"
    }

    /// The last path component.
    static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    /// The module kbuild builds from `path`: its base name without the
    /// extension, with `-` made `_` (as KBUILD_MODNAME).
    static func moduleName(ofFile path: String) -> String {
        if path == standardInput { return "stdin" }
        var base = baseName(path)
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
        return sanitized(String(base.map { $0 == "-" ? "_" : $0 }))
    }
}
