import Foundation
import XCTest

@testable import Livepatch

/// Models and scenarios are read by one `SourceText` and cut by one `Lexer`:
/// lines, comments, blanks and columns (1-based, in UTF-8 bytes) are the
/// same in both languages.
final class SourceLexerTests: XCTestCase {
    /// The rendered diagnostics of a model that must not parse.
    func modelErrors(_ text: String, line: UInt = #line) -> [String] {
        do {
            _ = try ModelParser.parse(text, file: "t.klp")
            XCTFail("the model parsed", line: line)
            return []
        } catch {
            return error.lines
        }
    }

    /// The rendered diagnostics of a scenario that must not parse.
    func scenarioErrors(_ text: String, line: UInt = #line) -> [String] {
        do {
            _ = try Scenario.parse(Array(text.utf8), file: "s.txt")
            XCTFail("the scenario parsed", line: line)
            return []
        } catch {
            return error.lines
        }
    }

    static let objectLines = "patch P\n  object vmlinux: pre_patch\n"

    // MARK: One column rule

    /// A token after a multi-byte character: its column counts the
    /// character's bytes, in a model and in a scenario alike (`é` is two
    /// bytes, `—` three). Both lines put the token after the same prefix.
    func testATokenAfterAMultiByteCharacterHasTheSameColumnInBothLanguages() {
        XCTAssertEqual(
            modelErrors("tasks 1\ncore é x\n" + Self.objectLines),
            [
                "t.klp:2:6: error: unknown core variant 'é'; expected one of: \(ModelParser.variantList)",
                "t.klp:2:9: error: unexpected 'x'; expected end of line",
            ])
        XCTAssertEqual(
            scenarioErrors("replay\nstep é fail x\n"),
            ["s.txt:2:9: error: expected 'fail pre_patch|patching PATCH OBJECT'"])
        XCTAssertEqual(
            modelErrors("tasks 1\ncore — x\n" + Self.objectLines).last,
            "t.klp:2:10: error: unexpected 'x'; expected end of line")
        XCTAssertEqual(
            scenarioErrors("replay\nstep — fail x\n"),
            ["s.txt:2:10: error: expected 'fail pre_patch|patching PATCH OBJECT'"])
    }

    /// BUG: the scenario tokenizer walked Characters, so a combining mark
    /// after a blank fused with it and the blank separated nothing
    /// (`test_modules/p.ko ́x=1` was one token, not a module file); the
    /// model's lexer split there. Blanks are bytes now in both.
    func testABlankBeforeACombiningMarkSeparatesTokensInBothLanguages() throws {
        let scenario = try Scenario.parse(Array("insmod test_modules/p.ko \u{301}x=1\n".utf8), file: "s.txt")
        XCTAssertEqual(scenario.lines.map(\.command), [.insmod(name: "p", parameters: ["\u{301}x": "1"])])
        XCTAssertEqual(
            modelErrors("tasks 1\ncore upstream \u{301}x\n" + Self.objectLines),
            ["t.klp:2:15: error: unexpected '\u{301}x'; expected end of line"])
    }

    /// A tab is one column in both languages.
    func testATabIsOneColumnInBothLanguages() {
        XCTAssertEqual(
            modelErrors("tasks\t\tx\n" + Self.objectLines),
            ["t.klp:1:8: error: malformed number 'x'; expected tasks N with N from 1 to 64"])
        XCTAssertEqual(
            scenarioErrors("replay\nstep\t\tbogus\n").first,
            "s.txt:2:7: error: unknown step 'bogus'; expected \(EventKind.stepVerbs.dropLast().joined(separator: ", ")) or \(EventKind.stepVerbs.last!)")
    }

    // MARK: One reader

    /// CRLF files give the positions of their LF twins, in both languages,
    /// comments, unterminated groups and errors just past a token included.
    func testCRLFGivesTheSamePositionsAsLFInBothLanguages() {
        let model = """
            tasks
            force maybe # a comment\tand more
            module m busy extra
            patch P
              object vmlinux: pre_patch(may-fail -ENODEV
              object m: pre_patch post_patch post_patch
            check all bogus

            """
        let lf = modelErrors(model)
        XCTAssertEqual(
            lf,
            [
                "t.klp:1:6: error: missing number after 'tasks'; expected tasks N with N from 1 to 64",
                "t.klp:2:7: error: unknown force value 'maybe'; expected 'on' or 'off'",
                "t.klp:3:15: error: unexpected 'extra'; expected end of line",
                "t.klp:5:28: error: unterminated '('; expected ')' before the end of the line",
                "t.klp:6:34: error: duplicate callback 'post_patch' (first given at 6:23)",
                "t.klp:7:11: error: unknown property 'bogus'; expected 'all' or one of: \(ModelParser.propertyList)",
            ])
        XCTAssertEqual(modelErrors(model.replacingOccurrences(of: "\n", with: "\r\n")), lf)

        let scenario = "rmmod a b\n  echo 2 > /sys/kernel/livepatch/P/enabled # two\ninsmod test_modules/p.ko x\n"
        let scenarioLF = scenarioErrors(scenario)
        XCTAssertEqual(
            scenarioLF,
            [
                "s.txt:1:1: error: expected 'rmmod NAME'",
                "s.txt:2:8: error: expected 0 or 1 for 'enabled', got '2'",
                "s.txt:3:26: error: expected PARAM=VALUE, got 'x'",
            ])
        XCTAssertEqual(scenarioErrors(scenario.replacingOccurrences(of: "\n", with: "\r\n")), scenarioLF)
    }

    /// BUG: a byte order mark was blank space in a model but part of the
    /// first command of a scenario (`unknown command '\u{FEFF}rmmod'`).
    func testAByteOrderMarkIsBlankInBothLanguages() throws {
        let scenario = try Scenario.parse(Array("\u{FEFF}rmmod a\n".utf8), file: "s.txt")
        XCTAssertEqual(scenario.lines.map(\.command), [.rmmod(name: "a")])
        XCTAssertEqual(scenario.lines.map(\.location.column), [4])
        XCTAssertEqual(
            modelErrors("\u{FEFF}tasks x\n" + Self.objectLines),
            ["t.klp:1:10: error: malformed number 'x'; expected tasks N with N from 1 to 64"])
    }

    /// One UTF-8 check: a bad byte is located at its own line and byte
    /// column, after a CRLF line, a tab and a two-byte `é`, in both languages.
    func testABadByteIsLocatedAlikeInBothLanguages() throws {
        let bytes = Array("rmmod a\r\n\té".utf8) + [0xFF] + Array("\r\n".utf8)
        XCTAssertThrowsError(try Scenario.parse(bytes, file: "s.txt")) { error in
            XCTAssertEqual("\(error)", "s.txt:2:4: error: scenario file is not valid UTF-8 text (invalid byte 0xFF)")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-byte-\(UUID().uuidString).klp").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try ModelParser.parse(contentsOf: path)) { error in
            XCTAssertEqual("\(error)", "\(path):2:4: error: model file is not valid UTF-8 text (invalid byte 0xFF)")
        }
    }

    /// The reader's lines: split at `\n`, a `\r` before it dropped, a
    /// comment cut, and the empty line after a final `\n` kept.
    func testSourceTextLines() {
        var lines: [(Int, String)] = []
        SourceText("a b\r\n# all comment\r\n\tc # d\r\n\re\n", file: "x").forEachLine { line in
            lines.append((line.number, String(decoding: line.content, as: UTF8.self)))
        }
        XCTAssertEqual(lines.map(\.0), [1, 2, 3, 4, 5])
        XCTAssertEqual(lines.map(\.1), ["a b", "", "\tc ", "\re", ""])
    }

    /// One lexer: the model's groups its parentheses, the scenario's does
    /// not; the columns are the same.
    func testTheLexersDifferOnlyInGroups() {
        let line = SourceText.Line(number: 1, content: Array("a\t(b c)  é d(".utf8)[...])
        let model = Lexer.model.tokens(of: line)
        XCTAssertEqual(model.map(\.text), ["a", "(b c)", "é", "d("])
        XCTAssertEqual(model.map(\.column), [1, 3, 10, 13])
        XCTAssertEqual(model.map(\.unclosedParenColumn), [nil, nil, nil, 14])
        let scenario = Lexer.scenario.tokens(of: line)
        XCTAssertEqual(scenario.map(\.text), ["a", "(b", "c)", "é", "d("])
        XCTAssertEqual(scenario.map(\.column), [1, 3, 6, 10, 13])
        XCTAssertEqual(scenario.map(\.unclosedParenColumn), [nil, nil, nil, nil, nil])
    }
}
