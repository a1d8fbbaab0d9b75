import Foundation
import XCTest

@testable import KLPCommandLine

/// The report folder's manifest, JUnit attributes and the graph formats'
/// escapes, on the texts a black-box probe found them wrong for (ninth
/// session).
final class FormatEscapeTests: XCTestCase {
    /// A non-ASCII page name is listed as its own UTF-8, not each of its
    /// bytes re-encoded as a character (which named another file, so the
    /// page of a deleted model was never removed).
    func testNonASCIIPagesAreListedAsWritten() {
        let page = "models/ü—é.md"
        XCTAssertEqual(ReportManifest.encode(page), page)
        XCTAssertEqual(ReportManifest.decode(ReportManifest.encode(page)), page)
        let hostile = "models/a%\n\u{7F}ü.md"
        XCTAssertEqual(ReportManifest.encode(hostile), "models/a%25%0A%7Fü.md")
        XCTAssertEqual(ReportManifest.decode(ReportManifest.encode(hostile)), hostile)
    }

    /// DOT strings escape backslashes and quotes, and show control
    /// characters as escapes whose backslash is escaped in turn.
    func testGraphvizText() {
        XCTAssertEqual(Graphviz.text(#"a\"#), #"a\\"#)
        XCTAssertEqual(Graphviz.text(#"say "hi""#), #"say \"hi\""#)
        XCTAssertEqual(Graphviz.text("x\u{1B}y\nz"), #"x\\u{1B}y\\nz"#)
    }

    /// Mermaid state texts show `#`, `;` and `:` as entity codes.
    func testMermaidStateText() {
        XCTAssertEqual(Mermaid.stateText("s: a;b #1"), "s#colon; a#59;b #35;1")
        XCTAssertEqual(Mermaid.stateText("x\u{1B}"), #"x\u{1B}"#)
    }

    /// A JUnit attribute shows a newline, tab or carriage return as an
    /// escape (a parser would read a raw one as a space); content keeps
    /// newlines and tabs.
    func testJUnitAttributesShowLineBreaksAsEscapes() {
        XCTAssertEqual(JUnitReport.escape("g/nl\nx\t\r.klp"), #"g/nl\nx\t\r.klp"#)
        XCTAssertEqual(JUnitReport.escape("a\nb\tc\rd<", keepsLines: true), "a\nb\tc\\rd&lt;")
    }
}
