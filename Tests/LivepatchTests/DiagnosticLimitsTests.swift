import Foundation
import XCTest

@testable import Livepatch

/// What a hostile model or scenario can make klpcheck print: control
/// characters are shown as escapes, quoted tokens are cut at 60
/// characters, at most 100 diagnostics are printed, and bytes that are not
/// UTF-8 are located where they are.
final class DiagnosticLimitsTests: XCTestCase {
    static let keywordList = "tasks, force, core, module, patch, state, object, check, expect, data, setting, on, code, original"

    /// The printed lines of a model's diagnostics (the model must be bad).
    func lines(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            _ = try ModelParser.parse(text, file: "m.klp")
            XCTFail("the model parsed", file: file, line: line)
            return []
        } catch {
            return error.lines
        }
    }

    /// A file of `bytes` in a fresh folder, removed after the test.
    func file(_ bytes: [UInt8], named name: String = "m.klp") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klp-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    // MARK: Control characters

    func testVisibleTextEscapesEveryControlCharacterInOneStyle() {
        XCTAssertEqual(VisibleText.escape("plain text, a\\b and café"), "plain text, a\\b and café")
        XCTAssertEqual(VisibleText.escape("a\nb\rc\td\0e"), "a\\nb\\rc\\td\\0e")
        XCTAssertEqual(VisibleText.escape("\u{1B}]0;title\u{07}"), "\\u{1B}]0;title\\u{7}")
        XCTAssertEqual(VisibleText.escape("\u{7F}\u{85}\u{9B}31m"), "\\u{7F}\\u{85}\\u{9B}31m")
        XCTAssertEqual(VisibleText.escape("x\u{2028}y\u{202E}z\u{2066}"), "x\\u{2028}y\\u{202E}z\\u{2066}")
    }

    func testQuotedTokensAreCutAtSixtyCharacters() {
        XCTAssertEqual(VisibleText.quoted(String(repeating: "a", count: 60)), "'" + String(repeating: "a", count: 60) + "'")
        XCTAssertEqual(VisibleText.quoted(String(repeating: "a", count: 61)), "'" + String(repeating: "a", count: 60) + "…'")
        // An escape is never cut in two: 58 letters and an ESC (6 characters shown) make 64.
        XCTAssertEqual(
            VisibleText.quoted(String(repeating: "b", count: 58) + "\u{1B}c"), "'" + String(repeating: "b", count: 58) + "…'")
    }

    /// BUG: ESC, OSC and NUL bytes of a token were echoed raw to the terminal.
    func testControlBytesInTokensAreShownAsEscapes() {
        XCTAssertEqual(
            lines("tasks 1\nfoo\u{1B}]0;pwned\u{07}bar\npatch P\n  object vmlinux: pre_patch\n"),
            ["m.klp:2:1: error: unknown keyword 'foo\\u{1B}]0;pwned\\u{7}bar'; expected one of: \(Self.keywordList)"])
        XCTAssertEqual(
            lines("tasks 1\u{0}2\npatch P\n  object vmlinux: post\u{1B}[2J\n"),
            [
                "m.klp:1:7: error: malformed number '1\\02'; expected tasks N with N from 1 to 64",
                "m.klp:3:19: error: unknown callback 'post\\u{1B}[2J'; expected one of: pre_patch, pre_patch(may-fail ERRNO), pre_patch(fails ERRNO), post_patch, pre_unpatch, post_unpatch, patching(may-fail)",
            ])
    }

    /// A file named with a newline and an escape sequence is shown escaped in every diagnostic.
    func testTheFileNameIsShownEscaped() throws {
        let path = try file(Array("frobnicate\n".utf8), named: "x\n\u{1B}[1m.klp")
        XCTAssertThrowsError(try ModelParser.parse(contentsOf: path)) { error in
            let shown = path.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\u{1B}", with: "\\u{1B}")
            XCTAssertEqual(
                (error as? ModelErrors)?.lines.first,
                "\(shown):1:1: error: unknown keyword 'frobnicate'; expected one of: \(Self.keywordList)")
        }
    }

    // MARK: Size

    /// BUG: a 1 MB token was echoed whole.
    func testAMegabyteTokenIsCut() {
        let token = String(repeating: "x", count: 1 << 20)
        XCTAssertEqual(
            lines("tasks 1\n\(token)\npatch P\n  object vmlinux: pre_patch\n"),
            ["m.klp:2:1: error: unknown keyword '\(String(repeating: "x", count: 60))…'; expected one of: \(Self.keywordList)"])
        let digits = String(repeating: "9", count: 1 << 20)
        XCTAssertEqual(
            lines("tasks \(digits)\npatch P\n  object vmlinux: pre_patch\n"),
            ["m.klp:1:7: error: tasks \(String(repeating: "9", count: 60))… out of range; expected 1 to 64"])
    }

    /// BUG: 100,000 bad lines gave 100,000 error lines.
    func testAtMostOneHundredErrorsArePrinted() {
        let text = "patch P\n  object vmlinux: pre_patch\n" + String(repeating: "frobnicate\n", count: 100_000)
        do {
            _ = try ModelParser.parse(text, file: "m.klp")
            XCTFail("the model parsed")
        } catch {
            XCTAssertEqual(error.diagnostics.count, 100_000)
            let lines = error.lines
            XCTAssertEqual(lines.count, 101)
            XCTAssertEqual(lines[0], "m.klp:3:1: error: unknown keyword 'frobnicate'; expected one of: \(Self.keywordList)")
            XCTAssertEqual(lines[99], "m.klp:102:1: error: unknown keyword 'frobnicate'; expected one of: \(Self.keywordList)")
            XCTAssertEqual(lines[100], "... and 99900 more errors")
            XCTAssertEqual(error.description, lines.joined(separator: "\n"))
        }
        // Exactly the limit: no summary line; one more: "1 more error".
        let hundred = "patch P\n  object vmlinux: pre_patch\n" + String(repeating: "frobnicate\n", count: 100)
        XCTAssertEqual(lines(hundred).count, 100)
        XCTAssertEqual(lines(hundred + "frobnicate\n").last, "... and 1 more error")
    }

    // MARK: Positions

    /// BUG: binary input was located at 1:1 while the message named the real place.
    func testInvalidUTF8IsLocatedAtItsFirstBadByte() throws {
        let path = try file(Array("tasks 1\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 117) + [0xFF, 0x00] + Array("\n".utf8))
        XCTAssertThrowsError(try ModelParser.parse(contentsOf: path)) { error in
            XCTAssertEqual("\(error)", "\(path):2:118: error: model file is not valid UTF-8 text (invalid byte 0xFF)")
        }
        // A truncated sequence: the lead byte is the bad one.
        let truncated = try file(Array("tasks 1\n# caf".utf8) + [0xC3] + Array("\n".utf8))
        XCTAssertThrowsError(try ModelParser.parse(contentsOf: truncated)) { error in
            XCTAssertEqual("\(error)", "\(truncated):2:6: error: model file is not valid UTF-8 text (invalid byte 0xC3)")
        }
    }

    /// Binary input that is valid UTF-8 (an ELF header's first bytes) is shown escaped.
    func testBinaryInputIsShownEscaped() {
        XCTAssertEqual(
            lines("\u{7F}ELF\u{2}\u{1}\u{1}\u{0}\u{0}\npatch P\n  object vmlinux: pre_patch\n"),
            ["m.klp:1:1: error: unknown keyword '\\u{7F}ELF\\u{2}\\u{1}\\u{1}\\0\\0'; expected one of: \(Self.keywordList)"])
    }

    // MARK: Scenarios

    func testScenarioControlBytesTokensAndUTF8() {
        func scenarioLines(_ bytes: [UInt8]) -> [String] {
            do {
                _ = try Scenario.parse(bytes, file: "s.txt")
                XCTFail("the scenario parsed")
                return []
            } catch {
                return error.lines
            }
        }
        XCTAssertEqual(
            scenarioLines(Array("rmmod x\n\u{1B}[2Jclear\n".utf8)),
            ["s.txt:2:1: error: unknown command '\\u{1B}[2Jclear'; expected insmod, rmmod, echo, step or replay"])
        XCTAssertEqual(
            scenarioLines(Array("echo \(String(repeating: "7", count: 100_000)) > /sys/kernel/livepatch/p/enabled\n".utf8)),
            ["s.txt:1:6: error: expected 0 or 1 for 'enabled', got '\(String(repeating: "7", count: 60))…'"])
        XCTAssertEqual(
            scenarioLines(Array("rmmod x\n\nrmmod \u{7}".utf8) + [0xE9] + Array("\n".utf8)),
            ["s.txt:3:8: error: scenario file is not valid UTF-8 text (invalid byte 0xE9)"])
        // 150 bad lines: 100 printed and the count of the rest.
        let many = scenarioLines(Array(String(repeating: "frob\n", count: 150).utf8))
        XCTAssertEqual(many.count, 101)
        XCTAssertEqual(many.last, "... and 50 more errors")
    }

    /// Scenario columns count UTF-8 bytes, as model columns do, and a CRLF
    /// file has as many lines as an LF one (as Characters, "\r\n" is one
    /// and the file was read as a single line).
    func testScenarioColumnsCountBytesAndCRLFEndsLines() throws {
        XCTAssertThrowsError(try Scenario.parse(Array("insmod test_modules/é.ko bad\n".utf8), file: "s.txt")) { error in
            XCTAssertEqual("\(error)", "s.txt:1:27: error: expected PARAM=VALUE, got 'bad'")
        }
        let scenario = try Scenario.parse(Array("rmmod a\r\nrmmod b\r\n".utf8), file: "s.txt")
        XCTAssertEqual(scenario.lines.map(\.text), ["rmmod a", "rmmod b"])
        XCTAssertEqual(scenario.lines.map(\.location.line), [1, 2])
    }

    /// A scenario line is echoed after `% ` by the runner: control characters are escaped there too.
    func testScenarioLineTextIsEscaped() throws {
        let scenario = try Scenario.parse(Array("insmod test_modules/p.ko x\u{1B}[1m=1\n".utf8), file: "s.txt")
        XCTAssertEqual(scenario.lines.first?.text, "insmod test_modules/p.ko x\\u{1B}[1m=1")
    }
}
