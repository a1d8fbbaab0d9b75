import Foundation
import KLPTestSupport
import XCTest

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `klpcheck gate DIR` on temporary folders of small models: the per-model
/// lines, the summary, the exit statuses, and the JSON, GitHub, Markdown and
/// JUnit outputs.
///
/// Uses `Tool` (KLPTestSupport) to find and run the built executable.
/// Every run passes `--report-dir <tmp>` or `--no-report`, so nothing is
/// written into the repository.
final class GateCommandTests: XCTestCase {
    // MARK: Models

    /// Expects pre-unpatch-paired to be violated, on the upstream core where it holds.
    static let wronglyExpectsFailure = """
        tasks 1
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        check all
        expect fail pre-unpatch-paired

        """

    /// Atomic replace retires fix1 with its post_patch bracket open: a finding, no violation.
    static let replacing = """
        tasks 1
        patch fix1
          object vmlinux: post_patch pre_unpatch
        patch fix2 replace
          object vmlinux: post_patch pre_unpatch
        check all
        expect finding replaced-abandons-brackets

        """

    /// `expect pass` on the ungated-post-unpatch core: one step violates two
    /// properties (post-unpatch-paired and failed-pre-patch-silent).
    static let doublyViolating = """
        core ungated-post-unpatch
        tasks 1
        patch P
          object vmlinux: pre_patch(may-fail -ENOMEM) post_unpatch
        check all
        expect pass

        """

    /// An unknown keyword on line 5, column 1.
    static let bad = """
        tasks 1
        patch P
          object vmlinux: pre_patch post_unpatch
        check all
        frobnicate 3
        expect pass

        """

    // MARK: Helpers

    /// Writes `files` (relative path -> text) under a fresh folder and returns its path.
    func folder(_ files: [String: String]) throws -> String {
        let root = try temporaryDirectory("gate-models")
        for (relative, text) in files {
            let url = root.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root.path
    }

    /// Runs `klpcheck gate DIR arguments...`; adds `--no-report` unless a report option is given.
    func gate(_ directory: String, _ arguments: [String] = [], timeout: TimeInterval = 120) throws -> ToolRun {
        var all = ["gate", directory] + arguments
        if !arguments.contains("--report-dir") && !arguments.contains("--no-report") { all.append("--no-report") }
        return try Tool.run(all, timeout: timeout)
    }

    // MARK: All models match

    func testAllModelsMatchExitsZeroAndListsThemInSortedPathOrder() throws {
        let directory = try folder([
            "zeta.klp": GateOutput.passing,
            "alpha.klp": Self.replacing,
            "sub/beta.klp": GateOutput.passing,
            "sub/deeper/gamma.klp": Self.wronglyExpectsFailure.replacingOccurrences(
                of: "expect fail pre-unpatch-paired", with: "expect pass"),
            "notes.txt": "not a model\n",
        ])
        let run = try gate(directory)
        check(run, exits: 0, "gate over four matching models")
        let expected = ["zeta.klp", "alpha.klp", "sub/beta.klp", "sub/deeper/gamma.klp"].map { directory + "/" + $0 }.sorted()
        let lines = GateOutput.modelLines(run.stdout)
        XCTAssertEqual(lines.count, 4, "one line per model:\n\(run.stdout)")
        for (line, path) in zip(lines, expected) {
            XCTAssertTrue(line.hasPrefix("PASS "), line)
            XCTAssertTrue(line.contains(path + " "), "models are in sorted path order; expected \(path) in:\n\(line)")
            XCTAssertNotNil(line.range(of: #"states: [0-9][0-9,]*;"#, options: .regularExpression), "states in: \(line)")
            XCTAssertNotNil(line.range(of: #"; [0-9]+\.[0-9]+ s$"#, options: .regularExpression), "seconds in: \(line)")
        }
        XCTAssertFalse(run.stdout.contains("notes.txt"), "only .klp files are models")
        let alpha = try XCTUnwrap(GateOutput.line(for: directory + "/alpha.klp", in: run.stdout))
        XCTAssertTrue(
            alpha.contains("expected: finding replaced-abandons-brackets; got: pass (finding replaced-abandons-brackets)"), alpha)
        let zeta = try XCTUnwrap(GateOutput.line(for: directory + "/zeta.klp", in: run.stdout))
        XCTAssertTrue(zeta.contains("expected: pass; got: pass;"), zeta)
        XCTAssertEqual(GateOutput.summary(run.stdout), "4 passed, 0 failed, 0 bad, 0 incomplete")
        XCTAssertTrue(run.stdout.hasSuffix("4 passed, 0 failed, 0 bad, 0 incomplete\n"), "the summary ends the output:\n\(run.stdout)")
        XCTAssertEqual(run.stderr, "")
    }

    /// The directory may be given with a trailing slash; paths are not doubled.
    func testTrailingSlashOnTheFolder() throws {
        let directory = try folder(["a.klp": GateOutput.passing])
        let run = try gate(directory + "/")
        check(run, exits: 0, "gate DIR/")
        XCTAssertNotNil(GateOutput.line(for: directory + "/a.klp", in: run.stdout), run.stdout)
        XCTAssertFalse(run.stdout.contains("//"), run.stdout)
    }

    // MARK: Mismatches

    func testExpectPassOnAViolatingVariantFails() throws {
        let directory = try folder(["good.klp": GateOutput.passing, "variant.klp": GateOutput.violating])
        let run = try gate(directory)
        check(run, exits: 1, "gate with a violating variant")
        let line = try XCTUnwrap(GateOutput.line(for: directory + "/variant.klp", in: run.stdout), run.stdout)
        XCTAssertTrue(line.hasPrefix("FAIL "), line)
        XCTAssertTrue(line.contains("expected: pass; got: fail post-patch-all-tasks, post-unpatch-no-task;"), line)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let reason = lines.firstIndex(of: line).flatMap { $0 + 1 < lines.count ? lines[$0 + 1] : nil } ?? ""
        XCTAssertTrue(
            reason.hasPrefix("           expected no violation, but post-patch-all-tasks"),
            "the reason follows the line, indented:\n\(run.stdout)")
        let good = try XCTUnwrap(GateOutput.line(for: directory + "/good.klp", in: run.stdout))
        XCTAssertTrue(good.hasPrefix("PASS "), good)
        XCTAssertEqual(GateOutput.summary(run.stdout), "1 passed, 1 failed, 0 bad, 0 incomplete")
    }

    func testExpectFailOfAPropertyThatHoldsFails() throws {
        let directory = try folder(["upstream.klp": Self.wronglyExpectsFailure])
        let run = try gate(directory)
        check(run, exits: 1, "expect fail pre-unpatch-paired on upstream")
        let line = try XCTUnwrap(GateOutput.line(for: directory + "/upstream.klp", in: run.stdout), run.stdout)
        XCTAssertTrue(line.hasPrefix("FAIL "), line)
        XCTAssertTrue(line.contains("expected: fail pre-unpatch-paired; got: pass"), line)
        XCTAssertTrue(run.stdout.contains("expected pre-unpatch-paired to be violated, but it holds"), run.stdout)
        XCTAssertEqual(GateOutput.summary(run.stdout), "0 passed, 1 failed, 0 bad, 0 incomplete")
    }

    func testExpectFindingOnAReplaceWorldPasses() throws {
        let directory = try folder(["replace.klp": Self.replacing])
        let run = try gate(directory)
        check(run, exits: 0, "expect finding replaced-abandons-brackets")
        let line = try XCTUnwrap(GateOutput.line(for: directory + "/replace.klp", in: run.stdout), run.stdout)
        XCTAssertTrue(line.hasPrefix("PASS "), line)
        XCTAssertEqual(GateOutput.summary(run.stdout), "1 passed, 0 failed, 0 bad, 0 incomplete")
    }

    func testExpectedViolationPasses() throws {
        let directory = try folder([
            "variant.klp": GateOutput.violating.replacingOccurrences(of: "expect pass", with: "expect fail post-patch-all-tasks")
        ])
        let run = try gate(directory)
        check(run, exits: 0, "expect fail post-patch-all-tasks on its variant")
        XCTAssertEqual(GateOutput.summary(run.stdout), "1 passed, 0 failed, 0 bad, 0 incomplete")
    }

    // MARK: Bad files, limits

    func testABadModelAmongGoodOnesExits2AndTheOthersStillRun() throws {
        let directory = try folder(["a.klp": GateOutput.passing, "b-bad.klp": Self.bad, "c.klp": Self.replacing])
        let run = try gate(directory)
        check(run, exits: 2, "gate with a bad model")
        let lines = GateOutput.modelLines(run.stdout)
        XCTAssertEqual(lines.count, 3, run.stdout)
        XCTAssertTrue(try XCTUnwrap(GateOutput.line(for: directory + "/a.klp", in: run.stdout)).hasPrefix("PASS "))
        XCTAssertTrue(try XCTUnwrap(GateOutput.line(for: directory + "/c.klp", in: run.stdout)).hasPrefix("PASS "))
        let badLine = try XCTUnwrap(GateOutput.line(for: directory + "/b-bad.klp", in: run.stdout))
        XCTAssertTrue(badLine.hasPrefix("BAD "), badLine)
        XCTAssertTrue(
            run.stderr.contains(directory + "/b-bad.klp:5:1: error: unknown keyword 'frobnicate'"),
            "diagnostics go to stderr as file:line:col: error:\n\(run.stderr)")
        XCTAssertFalse(run.stdout.contains(": error:"), "diagnostics are not on stdout:\n\(run.stdout)")
        XCTAssertEqual(GateOutput.summary(run.stdout), "2 passed, 0 failed, 1 bad, 0 incomplete", "a bad file counts as bad only")
    }

    /// A bad file outranks a mismatch: exit 2 (the gate did not check all it was given).
    func testABadFileOutranksAMismatch() throws {
        let directory = try folder(["a-bad.klp": Self.bad, "b.klp": GateOutput.violating])
        let run = try gate(directory)
        check(run, exits: 2, "gate with a bad file and a mismatch")
        XCTAssertEqual(GateOutput.summary(run.stdout), "0 passed, 1 failed, 1 bad, 0 incomplete")
    }

    func testMaxStatesMakesAPassingModelIncomplete() throws {
        let directory = try folder(["big.klp": GateOutput.passing])
        let run = try gate(directory, ["--max-states", "5"])
        check(run, exits: 3, "gate --max-states 5")
        let line = try XCTUnwrap(GateOutput.line(for: directory + "/big.klp", in: run.stdout), run.stdout)
        XCTAssertTrue(line.hasPrefix("INCOMPLETE "), line)
        XCTAssertTrue(line.contains("expected: pass; got: incomplete (max-states)"), line)
        XCTAssertEqual(GateOutput.summary(run.stdout), "0 passed, 0 failed, 0 bad, 1 incomplete")
    }

    func testUnknownFolderExits2() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-no-such-\(UUID().uuidString)").path
        let run = try gate(missing)
        check(run, exits: 2, "gate on a missing folder")
        XCTAssertTrue(run.stderr.contains("error:"), run.stderr)
        XCTAssertTrue(run.stderr.contains(missing), "names the folder:\n\(run.stderr)")
        XCTAssertEqual(run.stdout, "")
    }

    func testAFileInsteadOfAFolderExits2() throws {
        let directory = try folder(["a.klp": GateOutput.passing])
        let run = try gate(directory + "/a.klp")
        check(run, exits: 2, "gate on a file")
        XCTAssertTrue(run.stderr.contains("is not a folder"), run.stderr)
    }

    func testFolderWithoutModelsExits2() throws {
        for files in [[String: String](), ["readme.txt": "nothing here\n", "sub/model.klp.orig": GateOutput.passing]] {
            let directory = try folder(files)
            let run = try gate(directory)
            check(run, exits: 2, "gate on a folder without .klp files (\(files.keys.sorted()))")
            XCTAssertTrue(run.stderr.contains("error:"), run.stderr)
            XCTAssertTrue(run.stderr.contains("no .klp models"), run.stderr)
            XCTAssertEqual(run.stdout, "")
        }
    }

    // MARK: --json

    func testJsonDocument() throws {
        let directory = try folder([
            "a-pass.klp": GateOutput.passing, "b-fail.klp": GateOutput.violating, "c-bad.klp": Self.bad, "d-finding.klp": Self.replacing,
        ])
        let output = try temporaryDirectory("gate-json").appendingPathComponent("out/gate.json").path
        let run = try gate(directory, ["--json", output])
        check(run, exits: 2, "gate --json with a bad file")
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object")
        XCTAssertEqual(json["schema"] as? String, "klpcheck/1")
        XCTAssertEqual(json["command"] as? String, "gate")
        XCTAssertEqual(json["directory"] as? String, directory)
        XCTAssertEqual((json["exitCode"] as? NSNumber)?.intValue, 2)
        XCTAssertEqual((json["passed"] as? NSNumber)?.intValue, 2)
        XCTAssertEqual((json["failed"] as? NSNumber)?.intValue, 1, "failed does not count the bad file")
        XCTAssertEqual((json["incomplete"] as? NSNumber)?.intValue, 0)
        XCTAssertEqual((json["bad"] as? NSNumber)?.intValue, 1)
        let models = try XCTUnwrap(json["models"] as? [[String: Any]])
        XCTAssertEqual(
            models.map { $0["path"] as? String }, ["a-pass", "b-fail", "c-bad", "d-finding"].map { directory + "/" + $0 + ".klp" })
        XCTAssertEqual(models.map { $0["status"] as? String }, ["pass", "fail", "bad", "pass"])
        XCTAssertEqual(
            models.map { $0["expected"] as? String },
            ["pass", "pass", "?", "finding replaced-abandons-brackets"])
        XCTAssertEqual(models[0]["got"] as? String, "pass")
        XCTAssertEqual(models[1]["got"] as? String, "fail post-patch-all-tasks, post-unpatch-no-task")
        XCTAssertEqual((models[1]["expectLine"] as? NSNumber)?.intValue, GateOutput.violatingExpectLine)
        XCTAssertNotNil(models[1]["reason"] as? String)
        let diagnostics = try XCTUnwrap(models[2]["diagnostics"] as? [String])
        XCTAssertTrue(diagnostics.contains { $0.hasPrefix(directory + "/c-bad.klp:5:1: error:") }, "\(diagnostics)")
        XCTAssertTrue(models[2]["result"] == nil || models[2]["result"] is NSNull, "a bad file has no result")
        for model in [models[0], models[1], models[3]] {
            let result = try XCTUnwrap(model["result"] as? [String: Any], "\(model["path"] ?? "?") has a result")
            XCTAssertEqual(result["schema"] as? String, "klpcheck/1")
            XCTAssertNotNil(result["properties"] as? [Any])
            XCTAssertGreaterThan((result["states"] as? NSNumber)?.intValue ?? 0, 0)
        }
        let failing = try XCTUnwrap(models[1]["result"] as? [String: Any])
        XCTAssertEqual(failing["verdict"] as? String, "fail")
        let violations = try XCTUnwrap(failing["violations"] as? [[String: Any]])
        XCTAssertEqual(violations.map { $0["property"] as? String }, ["post-patch-all-tasks", "post-unpatch-no-task"])
    }

    // MARK: --github

    func testGithubAnnotationPointsAtTheExpectLine() throws {
        let directory = try folder(["good.klp": GateOutput.passing, "variant.klp": GateOutput.violating])
        let run = try gate(directory, ["--github"])
        check(run, exits: 1, "gate --github")
        let path = directory + "/variant.klp"
        let annotations = run.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("::") }
        XCTAssertEqual(annotations.count, 1, "one annotation, for the one mismatch:\n\(run.stdout)")
        let annotation = try XCTUnwrap(annotations.first)
        XCTAssertTrue(
            annotation.hasPrefix("::error file=\(path),line=\(GateOutput.violatingExpectLine)::"),
            "annotation at the expect line (\(GateOutput.violatingExpectLine)): \(annotation)")
        XCTAssertTrue(annotation.contains("post-patch-all-tasks"), annotation)
        XCTAssertFalse(run.stdout.contains("file=\(directory)/good.klp"), "no annotation for a matching model")
    }

    func testGithubAnnotationForABadFilePointsAtTheError() throws {
        let directory = try folder(["bad.klp": Self.bad])
        let run = try gate(directory, ["--github"])
        check(run, exits: 2, "gate --github with a bad file")
        XCTAssertTrue(run.stdout.contains("::error file=\(directory)/bad.klp,line=5,col=1::"), run.stdout)
    }

    // MARK: --report-dir

    func testReportDirWritesAnIndexAndAPagePerModel() throws {
        let directory = try folder(["good.klp": GateOutput.passing, "sub/variant.klp": GateOutput.violating])
        let report = try temporaryDirectory("gate-report").appendingPathComponent("report")
        let run = try gate(directory, ["--report-dir", report.path])
        check(run, exits: 1, "gate --report-dir")
        let index = try String(contentsOf: report.appendingPathComponent("index.md"), encoding: .utf8)
        XCTAssertTrue(index.contains("1 passed, 1 failed, 0 bad, 0 incomplete"), index)
        let links = Self.matches(of: #"\]\((models/[^)]+\.md)\)"#, in: index)
        XCTAssertEqual(links.count, 2, "one link per model:\n\(index)")
        let pages = (FileManager.default.enumerator(atPath: report.appendingPathComponent("models").path)?.allObjects ?? [])
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".md") }
        XCTAssertEqual(pages.count, 2, "one page per model: \(pages)")
        var failingPage: String?
        for link in links {
            let url = report.appendingPathComponent(link)
            XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), "the index links to \(link), which exists")
            let page = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            // The page links back to the index, relative to where the page is.
            let back = try XCTUnwrap(Self.matches(of: #"\[index\]\(([^)]+)\)"#, in: page).first, "no link back:\n\(page.prefix(300))")
            XCTAssertEqual(
                url.deletingLastPathComponent().appendingPathComponent(back).standardizedFileURL.path,
                report.appendingPathComponent("index.md").standardizedFileURL.path, "\(link) links back with \(back)")
            if page.contains("variant.klp") { failingPage = page }
        }
        let page = try XCTUnwrap(failingPage, "no page for the failing model")
        XCTAssertTrue(page.contains("- gate: **fail**"), page)
        XCTAssertTrue(page.contains("```mermaid\nsequenceDiagram\n"), "a Mermaid sequence diagram:\n\(page)")
        XCTAssertTrue(page.contains("## Counterexample: post-patch-all-tasks"), page)
        XCTAssertTrue(page.contains("Kernel log:"), page)
        XCTAssertTrue(page.contains("livepatch: enabling patch 'demo'"), "the kernel log:\n\(page)")
        XCTAssertTrue(page.contains("demo: post_patch_callback: vmlinux"), "the kernel log:\n\(page)")
        // Every mermaid block is closed and starts with the diagram type.
        let blocks = page.components(separatedBy: "```mermaid\n").dropFirst()
        XCTAssertFalse(blocks.isEmpty)
        for block in blocks {
            XCTAssertTrue(block.hasPrefix("sequenceDiagram\n"))
            XCTAssertTrue(block.contains("\n```"), "the block is closed")
        }
    }

    /// Two models whose paths differ only in `/` versus `__` get one page each.
    /// BUG: `MarkdownReport.pageName` maps `a/b.klp` and `a__b.klp` to the same
    /// `a__b.md`, so one page silently overwrites the other and both index
    /// links show the same model.
    func testReportPagesOfDistinctModelsDoNotCollide() throws {
        let directory = try folder(["a/b.klp": GateOutput.passing, "a__b.klp": GateOutput.violating])
        let report = try temporaryDirectory("gate-report").appendingPathComponent("report")
        let run = try gate(directory, ["--report-dir", report.path])
        check(run, exits: 1, "gate --report-dir")
        let index = (try? String(contentsOf: report.appendingPathComponent("index.md"), encoding: .utf8)) ?? ""
        let links = Self.matches(of: #"\]\((models/[^)]+\.md)\)"#, in: index)
        XCTAssertEqual(links.count, 2, index)
        XCTAssertEqual(Set(links).count, 2, "two models, two distinct pages: \(links)")
    }

    /// `--no-report` writes nothing, not even into the default `Reports`.
    func testNoReportWritesNothing() throws {
        let directory = try folder(["good.klp": GateOutput.passing])
        let work = try temporaryDirectory("gate-cwd")
        let process = Process()
        process.executableURL = try Tool.executable()
        process.arguments = ["gate", directory, "--no-report"]
        process.currentDirectoryURL = work
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path), [], "--no-report wrote files")
    }

    // MARK: --jobs

    func testJobsDoNotChangeTheOutput() throws {
        let directory = try folder([
            "a.klp": GateOutput.passing, "b.klp": GateOutput.violating, "c/d.klp": Self.replacing, "c/e.klp": Self.wronglyExpectsFailure,
            "f.klp": Self.bad, "g.klp": Self.doublyViolating,
        ])
        let one = try gate(directory, ["--jobs", "1"])
        let two = try gate(directory, ["--jobs", "2"])
        check(one, exits: 2, "gate --jobs 1 (f.klp is bad)")
        check(two, exits: 2, "gate --jobs 2 (f.klp is bad)")
        XCTAssertEqual(GateOutput.modelLines(one.stdout).count, 6, one.stdout)
        XCTAssertEqual(Self.maskSeconds(one.stdout), Self.maskSeconds(two.stdout))
        XCTAssertEqual(one.stderr, two.stderr)
        // The JSON documents too, seconds and rates aside.
        let scratch = try temporaryDirectory("gate-jobs")
        let paths = (1...2).map { scratch.appendingPathComponent("jobs\($0).json").path }
        for (jobs, path) in zip(["1", "2"], paths) {
            check(try gate(directory, ["--jobs", jobs, "--json", path]), exits: 2, "gate --jobs \(jobs) --json")
        }
        let documents = try paths.map { try Self.maskJSONTimings(String(contentsOfFile: $0, encoding: .utf8)) }
        XCTAssertEqual(documents[0], documents[1])
    }

    /// `12.345 s` -> `# s`.
    static func maskSeconds(_ text: String) -> String {
        text.replacingOccurrences(of: #"[0-9]+(\.[0-9]+)? s\b"#, with: "# s", options: .regularExpression)
    }

    /// Masks the fields that measure time or memory, and the thread count (which depends on --jobs).
    static func maskJSONTimings(_ text: String) -> String {
        text.replacingOccurrences(
            of: #""(seconds|totalSeconds|progressSeconds|progressExpansions|statesPerSecond|peakMemoryBytes|engineMemoryBytes|bytesPerState|threads|maxMemoryBytes)" *: *[-0-9.eE+]+"#,
            with: "\"$1\": #", options: .regularExpression)
    }

    static func matches(of pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    // MARK: --junit

    /// The elements of a JUnit document, read with Foundation's XMLParser.
    final class JUnitReader: NSObject, XMLParserDelegate {
        struct Case {
            var name: String
            var failure: String?
            var failureMessage: String?
            var error: String?
            var skipped = false
        }
        struct Suite {
            var attributes: [String: String]
            var cases: [Case] = []
            /// `<property name value>` of the suite, in order.
            var properties: [(name: String, value: String)] = []
        }
        var root: [String: String]?
        var suites: [Suite] = []
        var text = ""
        var inFailure = false
        var inError = false

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch elementName {
            case "testsuites": root = attributes
            case "testsuite": suites.append(Suite(attributes: attributes))
            case "testcase":
                if !suites.isEmpty { suites[suites.count - 1].cases.append(Case(name: attributes["name"] ?? "")) }
            case "failure":
                inFailure = true
                text = ""
                mutateLastCase { $0.failureMessage = attributes["message"] }
            case "error":
                inError = true
                text = ""
            case "skipped": mutateLastCase { $0.skipped = true }
            case "property":
                if !suites.isEmpty {
                    suites[suites.count - 1].properties.append((attributes["name"] ?? "", attributes["value"] ?? ""))
                }
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inFailure || inError { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            if elementName == "failure" {
                inFailure = false
                let body = text
                mutateLastCase { $0.failure = body }
            } else if elementName == "error" {
                inError = false
                let body = text
                mutateLastCase { $0.error = body }
            }
        }

        private func mutateLastCase(_ change: (inout Case) -> Void) {
            guard !suites.isEmpty, !suites[suites.count - 1].cases.isEmpty else { return }
            let last = suites[suites.count - 1].cases.count - 1
            change(&suites[suites.count - 1].cases[last])
        }
    }

    func testJUnitIsWellFormedWithASuitePerModel() throws {
        let directory = try folder([
            "a-pass.klp": GateOutput.passing, "b-fail.klp": GateOutput.violating, "c-bad.klp": Self.bad,
            "d-finding.klp": Self.replacing, "e-expects-fail.klp": Self.wronglyExpectsFailure,
        ])
        let scratch = try temporaryDirectory("gate-junit")
        let junit = scratch.appendingPathComponent("reports/junit.xml").path
        let json = scratch.appendingPathComponent("gate.json").path
        let run = try gate(directory, ["--junit", junit, "--json", json])
        check(run, exits: 2, "gate --junit with a bad file")

        let reader = JUnitReader()
        let parser = try XCTUnwrap(XMLParser(contentsOf: URL(fileURLWithPath: junit)))
        parser.delegate = reader
        XCTAssertTrue(parser.parse(), "junit.xml is not well-formed: \(String(describing: parser.parserError))")
        XCTAssertNotNil(reader.root, "a <testsuites> root")

        let document = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let models = try XCTUnwrap(document["models"] as? [[String: Any]])
        XCTAssertEqual(reader.suites.count, models.count, "one <testsuite> per model")
        XCTAssertEqual(reader.suites.map { $0.attributes["name"] }, models.map { $0["path"] as? String })
        for (suite, model) in zip(reader.suites, models) {
            let name = suite.attributes["name"] ?? "?"
            XCTAssertEqual(suite.attributes["tests"], "1", "\(name): one case, the model")
            XCTAssertEqual(suite.cases.count, 1, name)
            if let result = model["result"] as? [String: Any] {
                let properties = try XCTUnwrap(result["properties"] as? [[String: Any]])
                XCTAssertEqual(suite.properties.map(\.name), properties.map { $0["name"] as? String ?? "" }, name)
                XCTAssertEqual(suite.properties.map(\.value), properties.map { $0["status"] as? String ?? "" }, name)
                XCTAssertEqual(suite.cases.first?.name, "expect " + (model["expected"] as? String ?? "?"), name)
            }
            let failing = suite.cases.filter { $0.failure != nil }.count
            XCTAssertEqual(Int(suite.attributes["failures"] ?? ""), failing, "\(name): failures = failing cases")
        }
        let byName = Dictionary(uniqueKeysWithValues: reader.suites.map { ($0.attributes["name"] ?? "", $0) })

        // expect pass, post-patch-all-tasks violated: the case fails with the counterexamples.
        let failSuite = try XCTUnwrap(byName[directory + "/b-fail.klp"])
        let failure = try XCTUnwrap(failSuite.cases.first?.failure)
        XCTAssertEqual(failSuite.cases.first?.failureMessage, "expected no violation, but post-patch-all-tasks, post-unpatch-no-task violated")
        XCTAssertTrue(failure.hasPrefix("counterexample: post-patch-all-tasks ("), "the failure text:\n\(failure)")
        XCTAssertTrue(failure.contains("counterexample: post-unpatch-no-task ("), "both counterexamples:\n\(failure)")
        XCTAssertTrue(failure.contains("post_patch_callback"), failure)
        XCTAssertEqual(failSuite.properties.first { $0.name == "post-patch-all-tasks" }?.value, "violated")

        // expect fail pre-unpatch-paired, which holds: that case fails.
        let expectsSuite = try XCTUnwrap(byName[directory + "/e-expects-fail.klp"])
        XCTAssertEqual(expectsSuite.cases.filter { $0.failure != nil }.map(\.name), ["expect fail pre-unpatch-paired"])

        // Matching models have no failure; the finding is not one.
        for name in ["a-pass", "d-finding"] {
            let suite = try XCTUnwrap(byName[directory + "/\(name).klp"])
            XCTAssertEqual(suite.cases.filter { $0.failure != nil || $0.error != nil || $0.skipped }.count, 0, name)
            XCTAssertGreaterThan(suite.properties.count, 1, name)
        }

        // The bad file is an error case carrying its diagnostics.
        let badSuite = try XCTUnwrap(byName[directory + "/c-bad.klp"])
        XCTAssertEqual(badSuite.attributes["errors"], "1")
        XCTAssertEqual(badSuite.attributes["failures"], "0")
        XCTAssertTrue(badSuite.cases.first?.error?.contains("c-bad.klp:5:1: error:") ?? false, "\(badSuite.cases)")

        // The totals on <testsuites> are the sums over the suites, and count models as the summary does.
        let root = try XCTUnwrap(reader.root)
        XCTAssertEqual(root["tests"], "5")
        XCTAssertEqual(root["failures"], "2")
        XCTAssertEqual(root["errors"], "1")
        XCTAssertEqual(root["skipped"], "0")
        for key in ["tests", "failures", "errors", "skipped"] {
            XCTAssertEqual(
                Int(root[key] ?? ""), reader.suites.reduce(0) { $0 + (Int($1.attributes[key] ?? "") ?? -100) }, "testsuites \(key)")
        }
        XCTAssertEqual(GateOutput.summary(run.stdout), "2 passed, 2 failed, 1 bad, 0 incomplete")

        try xmllint(junit)
    }

    /// A model with one mismatching step that violates two properties: one
    /// failing case (the model), whose text holds both counterexamples, and
    /// `<testsuites failures>` is the sum of the suites'.
    func testJUnitTotalFailuresAreTheSumOfTheSuites() throws {
        let directory = try folder(["double.klp": Self.doublyViolating])
        let junit = try temporaryDirectory("gate-junit").appendingPathComponent("junit.xml").path
        let run = try gate(directory, ["--junit", junit])
        check(run, exits: 1, "gate --junit on a doubly violating model")
        let reader = JUnitReader()
        let parser = try XCTUnwrap(XMLParser(contentsOf: URL(fileURLWithPath: junit)))
        parser.delegate = reader
        XCTAssertTrue(parser.parse(), "junit.xml is not well-formed: \(String(describing: parser.parserError))")
        let suite = try XCTUnwrap(reader.suites.first)
        XCTAssertEqual(suite.cases.filter { $0.failure != nil }.map(\.name), ["expect pass"])
        let failure = try XCTUnwrap(suite.cases.first?.failure)
        XCTAssertTrue(failure.contains("counterexample: failed-pre-patch-silent ("), failure)
        XCTAssertTrue(failure.contains("counterexample: post-unpatch-paired ("), failure)
        XCTAssertEqual(
            suite.properties.filter { $0.value == "violated" }.map(\.name).sorted(), ["failed-pre-patch-silent", "post-unpatch-paired"])
        XCTAssertEqual(suite.attributes["failures"], "1")
        XCTAssertEqual(reader.root?["failures"], "1", "<testsuites failures> must be the sum of the suites' failures")
        try xmllint(junit)
    }

    /// Model paths with XML specials still give well-formed JUnit.
    func testJUnitEscapesPaths() throws {
        let directory = try folder(["a&b <\"quoted\">'s.klp": GateOutput.violating])
        let junit = try temporaryDirectory("gate-junit").appendingPathComponent("junit.xml").path
        let run = try gate(directory, ["--junit", junit])
        check(run, exits: 1, "gate --junit with odd file names")
        let reader = JUnitReader()
        let parser = try XCTUnwrap(XMLParser(contentsOf: URL(fileURLWithPath: junit)))
        parser.delegate = reader
        XCTAssertTrue(parser.parse(), "junit.xml is not well-formed: \(String(describing: parser.parserError))")
        XCTAssertEqual(reader.suites.first?.attributes["name"], directory + "/a&b <\"quoted\">'s.klp")
        try xmllint(junit)
    }

    /// Runs `xmllint --noout FILE` when xmllint is on PATH; skipped silently otherwise.
    func xmllint(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let which = Process()
        which.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        which.arguments = ["which", "xmllint"]
        let pipe = Pipe()
        which.standardOutput = pipe
        which.standardError = FileHandle.nullDevice
        guard (try? which.run()) != nil else { return }
        let found = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        which.waitUntilExit()
        guard which.terminationStatus == 0, !found.isEmpty else { return }
        let lint = Process()
        lint.executableURL = URL(fileURLWithPath: found)
        lint.arguments = ["--noout", path]
        let errors = Pipe()
        lint.standardError = errors
        lint.standardOutput = FileHandle.nullDevice
        try lint.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        lint.waitUntilExit()
        XCTAssertEqual(lint.terminationStatus, 0, "xmllint --noout \(path):\n\(message)", file: file, line: line)
    }
}
