/// A unified diff (a kpatch patch) read as the new side of each file it
/// changes: the added and context lines of its hunks, each keeping its line
/// and column in the diff, so that every position points into the diff.
struct UnifiedDiff {
    /// One changed file.
    struct FileChange {
        /// The path after `+++ b/`.
        var path: String
        /// Where its `+++` line is.
        var line: Int
        /// Its new side, hunk by hunk.
        var hunks: [[CLexer.SourceLine]]
    }

    var files: [FileChange] = []

    /// Whether `lines` look like a unified diff: a `+++ ` line followed by an `@@ ` line.
    static func looksLikeDiff(_ lines: [Substring]) -> Bool {
        guard let plus = lines.firstIndex(where: { $0.hasPrefix("+++ ") }) else { return false }
        return lines[plus...].contains { $0.hasPrefix("@@ ") }
    }

    /// Reads the diff's lines.
    init(_ lines: [Substring]) {
        var inHunk = false
        var remainingNew = 0
        var remainingOld = 0
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            // A CRLF diff: the carriage return is no part of a path or a count.
            let line = raw.last == "\r" ? raw.dropLast() : raw
            if inHunk && (remainingNew > 0 || remainingOld > 0) {
                let marker = line.first ?? " "
                switch marker {
                case "+":
                    files[files.count - 1].hunks[files[files.count - 1].hunks.count - 1].append(CLexer.SourceLine(text: String(line.dropFirst()), line: number, columnOffset: 1))
                    remainingNew -= 1
                    continue
                case " ":
                    files[files.count - 1].hunks[files[files.count - 1].hunks.count - 1].append(CLexer.SourceLine(text: String(line.dropFirst()), line: number, columnOffset: 1))
                    remainingNew -= 1
                    remainingOld -= 1
                    continue
                case "-":
                    remainingOld -= 1
                    continue
                case "\\":
                    continue
                default:
                    if line.isEmpty {
                        // An empty context line whose space was stripped.
                        remainingNew -= 1
                        remainingOld -= 1
                        continue
                    }
                    inHunk = false
                }
            }
            if line.hasPrefix("+++ ") {
                var path = line.dropFirst(4)
                if let tab = path.firstIndex(of: "\t") { path = path[..<tab] }
                if path.hasPrefix("b/") { path = path.dropFirst(2) }
                files.append(FileChange(path: String(path), line: number, hunks: []))
                inHunk = false
            } else if line.hasPrefix("@@ "), !files.isEmpty {
                // @@ -a[,b] +c[,d] @@: the counts of old and new lines.
                let fields = line.split(separator: " ")
                func count(_ field: Substring?) -> Int {
                    guard let field else { return 0 }
                    let parts = field.dropFirst().split(separator: ",")
                    return parts.count > 1 ? Int(parts[1]) ?? 0 : 1
                }
                remainingOld = count(fields.count > 1 ? fields[1] : nil)
                remainingNew = count(fields.count > 2 ? fields[2] : nil)
                files[files.count - 1].hunks.append([])
                inHunk = true
            }
        }
        files.removeAll { $0.path == "/dev/null" }
    }
}
