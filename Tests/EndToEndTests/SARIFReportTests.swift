import Foundation
import KLPTestSupport
import XCTest

/// `--sarif`: SARIF 2.1.0 as code scanning reads it. The required
/// properties and types of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json)
/// that the report uses are checked here, then its exact results.
final class SARIFReportTests: XCTestCase {
    typealias Object = [String: Any]

    /// Fails unless `object[key]` exists with type `T`.
    func required<T>(_ object: Object?, _ key: String, _ type: T.Type, _ context: String, file: StaticString = #filePath, line: UInt = #line) throws -> T {
        try XCTUnwrap(object?[key] as? T, "\(context): required '\(key)' missing or not \(T.self)", file: file, line: line)
    }

    /// The schema's `message`: an object with `text` (or `id`), a string.
    func checkMessage(_ value: Any?, _ context: String) throws {
        let message = try XCTUnwrap(value as? Object, "\(context): message is not an object")
        XCTAssertTrue(message["text"] is String || message["id"] is String, "\(context): message needs text or id")
    }

    /// The schema's `location` with a `physicalLocation`: an artifact URI and a region of lines and columns from 1.
    func checkLocation(_ value: Any?, _ context: String) throws {
        let location = try XCTUnwrap(value as? Object, "\(context): location is not an object")
        let physical = try required(location, "physicalLocation", Object.self, context)
        let artifact = try required(physical, "artifactLocation", Object.self, context)
        _ = try required(artifact, "uri", String.self, context)
        let region = try required(physical, "region", Object.self, context)
        XCTAssertGreaterThanOrEqual(try required(region, "startLine", Int.self, context), 1)
        if let column = region["startColumn"] { XCTAssertGreaterThanOrEqual(try XCTUnwrap(column as? Int), 1) }
        if let message = location["message"] { try checkMessage(message, context + ".message") }
    }

    /// Every required property and type the report uses, after the schema.
    func checkSchema(_ log: Object) throws -> (rules: [Object], results: [Object]) {
        XCTAssertEqual(try required(log, "version", String.self, "sarifLog"), "2.1.0")
        if let schema = log["$schema"] { XCTAssertTrue(schema is String) }
        let runs = try required(log, "runs", [Object].self, "sarifLog")
        XCTAssertEqual(runs.count, 1)
        let run = runs[0]
        let tool = try required(run, "tool", Object.self, "run")
        let driver = try required(tool, "driver", Object.self, "tool")
        XCTAssertEqual(try required(driver, "name", String.self, "toolComponent"), "klpcheck")
        if let version = driver["version"] { XCTAssertTrue(version is String) }
        if let kind = run["columnKind"] as? String { XCTAssertTrue(["utf16CodeUnits", "unicodeCodePoints"].contains(kind)) }
        let rules = try required(driver, "rules", [Object].self, "toolComponent")
        for rule in rules {
            _ = try required(rule, "id", String.self, "reportingDescriptor")
            if let description = rule["shortDescription"] {
                _ = try required(description as? Object, "text", String.self, "multiformatMessageString")
            }
        }
        XCTAssertEqual(Set(rules.compactMap { $0["id"] as? String }).count, rules.count, "rule ids are unique")
        let results = try required(run, "results", [Object].self, "run")
        for result in results {
            try checkMessage(result["message"], "result")
            let ruleId = try required(result, "ruleId", String.self, "result")
            let ruleIndex = try required(result, "ruleIndex", Int.self, "result")
            XCTAssertTrue(rules.indices.contains(ruleIndex))
            XCTAssertEqual(rules[ruleIndex]["id"] as? String, ruleId)
            XCTAssertTrue(["none", "note", "warning", "error"].contains(try required(result, "level", String.self, "result")))
            for location in try required(result, "locations", [Any].self, "result") { try checkLocation(location, "result.location") }
            if let flows = result["codeFlows"] {
                let codeFlows = try XCTUnwrap(flows as? [Object])
                for flow in codeFlows {
                    let threadFlows = try required(flow, "threadFlows", [Object].self, "codeFlow")
                    XCTAssertFalse(threadFlows.isEmpty, "codeFlow.threadFlows: minItems 1")
                    for thread in threadFlows {
                        let locations = try required(thread, "locations", [Object].self, "threadFlow")
                        XCTAssertFalse(locations.isEmpty, "threadFlow.locations: minItems 1")
                        for step in locations { try checkLocation(step["location"], "threadFlowLocation") }
                    }
                }
            }
        }
        return (rules, results)
    }

    func testSARIFFollowsTheSchemaAndLocatesEachMismatch() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klpcheck-sarif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let files = [
            "passing.klp": GateOutput.passing, "violating.klp": GateOutput.violating,
            "wrong.klp": GateCommandTests.wronglyExpectsFailure, "bad.klp": GateCommandTests.bad,
        ]
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let json = folder.appendingPathComponent("gate.json").path
        let run = try Tool.run(["gate", folder.path, "--sarif", "-", "--json", json, "--no-report"])
        XCTAssertEqual(run.status, 2, run.stderr)
        let (rules, results) = try checkSchema(try run.json())

        // The gate's own JSON says which property the violating model broke and in how many steps.
        let gate = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? Object)
        let violating = try XCTUnwrap((gate["models"] as? [Object])?.first { ($0["path"] as? String)?.hasSuffix("/violating.klp") == true })
        let violation = try XCTUnwrap(((violating["result"] as? Object)?["violations"] as? [Object])?.first)
        let property = try XCTUnwrap(violation["property"] as? String)
        let steps = try XCTUnwrap(violation["steps"] as? [Object])

        XCTAssertEqual(rules.compactMap { $0["id"] as? String }, ["bad-model-file", property, "pre-unpatch-paired"])
        XCTAssertEqual(results.count, 3, "bad.klp, violating.klp, wrong.klp: one result each; none for passing.klp")
        func place(_ result: Object) -> (String, Int, Int?) {
            let physical = ((result["locations"] as? [Object])?.first?["physicalLocation"] as? Object)
            let region = physical?["region"] as? Object
            return (
                ((physical?["artifactLocation"] as? Object)?["uri"] as? String) ?? "", region?["startLine"] as? Int ?? 0,
                region?["startColumn"] as? Int
            )
        }
        let bad = results[0]
        XCTAssertEqual(bad["ruleId"] as? String, "bad-model-file")
        XCTAssertEqual(place(bad).0, folder.path + "/bad.klp")
        XCTAssertEqual(place(bad).1, 5)
        XCTAssertEqual(place(bad).2, 1)

        let mismatch = results[1]
        XCTAssertEqual(mismatch["ruleId"] as? String, property)
        XCTAssertEqual(place(mismatch).0, folder.path + "/violating.klp")
        XCTAssertEqual(place(mismatch).1, GateOutput.violatingExpectLine)
        let text = try XCTUnwrap((mismatch["message"] as? Object)?["text"] as? String)
        XCTAssertTrue(text.hasPrefix("expected pass, got fail \(property)"), text)
        XCTAssertTrue(text.contains("counterexample"), text)
        let flow = try XCTUnwrap(((mismatch["codeFlows"] as? [Object])?.first?["threadFlows"] as? [Object])?.first?["locations"] as? [Object])
        XCTAssertEqual(flow.count, steps.count)
        let firstStep = ((flow.first?["location"] as? Object)?["message"] as? Object)?["text"] as? String
        XCTAssertEqual(firstStep?.split(separator: "\n").first.map(String.init), "1. \(steps[0]["action"] as? String ?? "")")

        let wrong = results[2]
        XCTAssertEqual(wrong["ruleId"] as? String, "pre-unpatch-paired")
        XCTAssertEqual(place(wrong).1, 5)
        XCTAssertNil(wrong["codeFlows"], "a pass has no counterexample to flow through")
    }

    /// A gate where everything matches has rules and results, both empty.
    func testAllPassingGateHasNoResults() throws {
        let run = try Tool.run(["gate", RepositoryModels.root.appendingPathComponent("Models/selftests").path, "--sarif", "-", "--no-report"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let (rules, results) = try checkSchema(try run.json())
        XCTAssertTrue(rules.isEmpty)
        XCTAssertTrue(results.isEmpty)
    }
}
