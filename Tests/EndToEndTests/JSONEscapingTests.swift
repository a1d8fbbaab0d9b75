import Foundation
import KLPTestSupport
import XCTest

/// JSON output never carries a raw control character: JSONEncoder escapes
/// only U+0000 to U+001F, so DEL, C1 and bidirectional controls from a path
/// are written as `\uXXXX`, which a JSON parser reads back as the same text.
final class JSONEscapingTests: XCTestCase {
    func testControlsBeyondC0AreEscapedAndReadBackUnchanged() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klp-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // DEL, a C1 control (U+0085) and RIGHT-TO-LEFT OVERRIDE (U+202E) in the file name.
        let name = "a\u{7F}b\u{85}c\u{202E}d.klp"
        let model = folder.appendingPathComponent(name)
        try "tasks 1\npatch P\n  object vmlinux: pre_patch post_unpatch\n".write(to: model, atomically: true, encoding: .utf8)

        let run = try Tool.run(["verify", model.path, "--format", "json", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for scalar in ["\u{7F}", "\u{85}", "\u{202E}"] {
            XCTAssertFalse(run.stdout.contains(scalar), "raw U+\(String(scalar.unicodeScalars.first!.value, radix: 16)) in the JSON")
        }
        XCTAssertTrue(run.stdout.contains(#"a\u007Fb\u0085c\u202Ed.klp"#), run.stdout)
        XCTAssertEqual(try run.json()["model"] as? String, model.path)
    }
}
