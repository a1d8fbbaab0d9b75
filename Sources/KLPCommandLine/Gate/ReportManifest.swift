import Foundation

/// `.klpcheck-manifest` in a report folder: the pages the last gate run
/// wrote there, so that the next run removes the pages of models that are
/// gone, and never a file that klpcheck did not write.
///
/// One page a line, relative to the folder, with `%`, CR and LF
/// percent-encoded (a model's path may hold a newline); lines starting with
/// `#` are comments. Only `index.md` and `models/...md` entries without
/// `.` or `..` components are ever acted on, so an edited manifest cannot
/// point outside the folder.
enum ReportManifest {
    /// The manifest's file name in the report folder.
    static let fileName = ".klpcheck-manifest"

    static let header = "# klpcheck: the pages the last 'klpcheck gate' wrote here; it removes only these"

    /// The pages listed in `directory`'s manifest (none when it has none).
    static func read(in directory: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            if line.hasPrefix("#") { return nil }
            let page = decode(String(line))
            return isPage(page) ? page : nil
        }
    }

    /// Writes the manifest listing `pages`.
    static func write(_ pages: [String], in directory: String) throws {
        let text = ([header] + pages.map(encode)).joined(separator: "\n") + "\n"
        try text.write(toFile: directory + "/" + fileName, atomically: true, encoding: .utf8)
    }

    /// Removes each of `pages` that is a regular file reached through real
    /// folders (no symbolic link), then the folders under `models/` this
    /// left empty. A page that cannot be removed stays: it is stale, not wrong.
    static func removeStale(_ pages: [String], in directory: String) {
        for page in pages where isPage(page) && isRegularFileThroughFolders(page, in: directory) {
            guard unlink(directory + "/" + page) == 0 else { continue }
            var folders = page.split(separator: "/").dropLast()
            while folders.count > 1 {
                // rmdir removes only an empty folder.
                guard rmdir(directory + "/" + folders.joined(separator: "/")) == 0 else { break }
                folders = folders.dropLast()
            }
        }
    }

    /// Whether `page` is a name the gate writes: `index.md` or `models/...md`.
    static func isPage(_ page: String) -> Bool {
        if page == "index.md" { return true }
        let parts = page.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count >= 2 && parts[0] == "models" && page.hasSuffix(".md")
            && !parts.contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    private static func isRegularFileThroughFolders(_ page: String, in directory: String) -> Bool {
        let parts = page.split(separator: "/")
        var path = directory
        for (index, part) in parts.enumerated() {
            path += "/" + part
            var info = stat()
            guard lstat(path, &info) == 0 else { return false }
            let kind = info.st_mode & S_IFMT
            if kind != (index == parts.count - 1 ? S_IFREG : S_IFDIR) { return false }
        }
        return true
    }

    private static func encode(_ page: String) -> String {
        page.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func decode(_ line: String) -> String {
        var result = ""
        var rest = Substring(line)
        while let percent = rest.firstIndex(of: "%") {
            result += rest[..<percent]
            let code = rest[percent...].prefix(3)
            result += ["%25": "%", "%0D": "\r", "%0A": "\n"][String(code)] ?? String(code)
            rest = rest[code.endIndex...]
        }
        return result + rest
    }
}
