import Foundation

/// The repository's bundled models (`Models/`), found from this file's
/// place in the repository, for the test targets that run them.
public enum RepositoryModels {
    /// The repository's root folder.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// `Models/`.
    public static let folder = root.appendingPathComponent("Models")

    /// Every `.klp` under `Models/`, recursively, sorted, as paths.
    public static func all() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".klp") }.sorted()
            .map { folder.appendingPathComponent($0).path }
    }
}
