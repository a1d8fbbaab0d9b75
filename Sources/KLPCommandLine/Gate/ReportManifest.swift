import Foundation

/// `.klpcheck-manifest` in a report folder: the pages the last gate run
/// wrote there, so that the next run removes the pages of models that are
/// gone, and never a file that klpcheck did not write.
///
/// One page a line, relative to the folder, with `%` and control bytes
/// percent-encoded (a model's path may hold a newline); lines starting with
/// `#` are comments. Only `index.md` and `models/...md` entries without
/// `.` or `..` components are ever acted on, so an edited manifest cannot
/// point outside the folder.
enum ReportManifest {
    /// The manifest's file name in the report folder.
    static let fileName = ".klpcheck-manifest"

    /// The manifest's first line, for whoever opens it.
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
    static func write(_ pages: [String], in directory: String) throws(OutputFileError) {
        let text = ([header] + pages.map(encode)).joined(separator: "\n") + "\n"
        try OutputFile.write(text, to: directory + "/" + fileName)
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

    /// `%` and every control byte (a model's path may hold a newline) as
    /// `%XX`; every other byte as it is (a non-ASCII name stays its UTF-8).
    static func encode(_ page: String) -> String {
        var bytes: [UInt8] = []
        for byte in page.utf8 {
            if byte == UInt8(ascii: "%") || byte < 0x20 || byte == 0x7F {
                bytes += ("%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)).utf8
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decode(_ line: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(line.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
