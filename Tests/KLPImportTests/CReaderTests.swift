import XCTest

@testable import KLPImport

/// The tolerant C reader: comments, preprocessor lines, continuations,
/// designated initializers in any order, trailing commas, `{ }` terminators.
final class CReaderTests: XCTestCase {
    static func read(_ text: String, path: String = "t.c") -> CSourceFile {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
            CLexer.SourceLine(text: String($0.element), line: $0.offset + 1, columnOffset: 0)
        }
        return CSourceFile(path: path, lines: lines)
    }

    func testCommentsStringsAndContinuedDefines() {
        let file = Self.read(
            """
            /* a comment with struct klp_patch p = { in it
               over two lines */
            #define STATE_ID \\
                (3)  // continued
            #define NAME "a\\"b" /* trailing */
            #define F(x) x
            static int x = STATE_ID; // struct klp_object o[] = {
            """)
        XCTAssertEqual(file.defines.keys.sorted(), ["NAME", "STATE_ID"])
        XCTAssertEqual(file.integer(file.defines["STATE_ID"]!.value), 3)
        XCTAssertEqual(file.defines["STATE_ID"]!.line, 3)
        XCTAssertEqual(file.defines["STATE_ID"]!.column, 9)
        XCTAssertEqual(file.string(file.defines["NAME"]!.value), #"a\"b"#)
        XCTAssertEqual(file.globals.keys.sorted(), ["x"])
        XCTAssertTrue(file.patches.isEmpty && file.objectArrays.isEmpty)
        XCTAssertEqual(file.warnings, [])
    }

    func testDesignatedInitializersInAnyOrderWithTrailingCommas() throws {
        let file = Self.read(
            """
            static struct klp_object objs[] = {
            \t{ .callbacks = { .post_unpatch = b, .pre_patch = a, }, .name = "m", },
            \t{ .callbacks.post_patch = c, .name = NULL },
            \t{ }
            };
            """)
        let objs = try XCTUnwrap(file.objectArrays.first)
        XCTAssertEqual(objs.name, "objs")
        XCTAssertEqual(objs.initializer.entries.count, 3)
        XCTAssertTrue(objs.initializer.entries[2].value.isEmptyList)
        let first = objs.initializer.entries[0].value
        XCTAssertEqual(first.field("callbacks", "pre_patch").map { ($0.line, $0.column) }.map { "\($0):\($1)" }, "2:38")
        XCTAssertEqual(first.field("name").flatMap { if case .expression(let t) = $0.value { return file.string(t) } else { return nil } }, "m")
        XCTAssertNotNil(objs.initializer.entries[1].value.field("callbacks", "post_patch"))
    }

    func testUnterminatedBraceIsAWarningWithItsPosition() {
        let file = Self.read(
            """
            static int f(void)
            {
            \treturn 0;
            """)
        XCTAssertEqual(file.warnings.map(\.description), ["t.c:2:1: warning: unterminated '{'; the rest of the file is skipped"])
    }
}
