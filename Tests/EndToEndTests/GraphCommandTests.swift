import Foundation
import KLPTestSupport
import XCTest

/// `klpcheck graph MODEL` on tiny worlds: DOT and Mermaid output, the
/// initial state, edge labels, violating edges, the state limit and `--output`.
///
/// Uses `Tool` (KLPTestSupport) to find and run the built executable.
final class GraphCommandTests: XCTestCase {
    /// One task, one patch with all four vmlinux callbacks, upstream core.
    static let tiny = """
        tasks 1
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch

        """

    /// The same world on a core that completes before the task switched.
    static let variant = """
        core complete-before-switch
        tasks 1
        patch P
          object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
        expect fail post-patch-all-tasks

        """

    func model(_ text: String, named name: String = "world.klp") throws -> String {
        let path = try temporaryDirectory().appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    // MARK: DOT

    func testDotOfATinyWorld() throws {
        let run = try Tool.run(["graph", try model(Self.tiny)])
        check(run, exits: 0, "graph (default dot)")
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(run.stdout.hasPrefix("digraph"), "starts with digraph: \(run.stdout.prefix(80))")
        XCTAssertTrue(run.stdout.hasSuffix("}\n"), "ends with }: \(run.stdout.suffix(80))")
        let lines = Self.lines(run.stdout)
        let nodes = lines.filter { $0.range(of: #"^  s[0-9]+ \["#, options: .regularExpression) != nil }
        let edges = lines.filter { $0.range(of: #"^  s[0-9]+ -> s[0-9]+ \["#, options: .regularExpression) != nil }
        // One task and one patch: 7 states and 11 steps between them, as `verify` counts the full space.
        XCTAssertEqual(nodes.count, 7, run.stdout)
        XCTAssertEqual(edges.count, 11, run.stdout)
        let verify = try Tool.run(["verify", try model(Self.tiny), "--reduction", "none", "--format", "json"]).json()
        XCTAssertEqual(verify["states"] as? Int, nodes.count, "graph and verify count the same states")
        XCTAssertEqual(verify["transitions"] as? Int, edges.count, "graph and verify count the same steps")
        XCTAssertEqual(
            edges.map { $0.replacingOccurrences(of: ", fontsize=8];", with: "]") },
            [
                "  s0 -> s1 [label=\"load P\"]", "  s1 -> s2 [label=\"disable P\"]", "  s1 -> s3 [label=\"switch task\"]",
                "  s2 -> s1 [label=\"enable P\"]", "  s2 -> s4 [label=\"complete\"]", "  s3 -> s5 [label=\"disable P\"]",
                "  s3 -> s6 [label=\"complete\"]", "  s4 -> s0 [label=\"unload P\"]", "  s5 -> s3 [label=\"enable P\"]",
                "  s5 -> s2 [label=\"switch task\"]", "  s6 -> s5 [label=\"disable P\"]",
            ], "the graph's steps, in the order the search found them")
        // The initial state, and only it, is doubly framed.
        let framed = nodes.filter { $0.contains("peripheries=2") }
        XCTAssertEqual(framed.count, 1, "one initial state:\n\(framed)")
        XCTAssertTrue(framed.first?.hasPrefix("  s0 [") ?? false, "s0 is the initial state: \(framed)")
        // Edges are labelled with their step.
        XCTAssertTrue(
            edges.contains { $0.hasPrefix("  s0 -> ") && $0.contains("label=\"load P\"") },
            "an edge 'load P' from the initial state:\n\(edges.joined(separator: "\n"))")
        XCTAssertTrue(edges.contains { $0.contains("label=\"complete\"") }, edges.joined(separator: "\n"))
        XCTAssertTrue(edges.contains { $0.contains("label=\"disable P\"") }, edges.joined(separator: "\n"))
        XCTAssertTrue(edges.allSatisfy { !$0.contains("label=\"?\"") && !$0.contains("label=\"\"") }, "every edge has a label")
        // Upstream: nothing is red.
        XCTAssertFalse(run.stdout.contains("color=red"), "no violation on the upstream core:\n\(run.stdout)")
        // Every edge goes between declared nodes.
        let declared = Set(nodes.compactMap { $0.split(separator: " ").first.map(String.init) })
        for edge in edges {
            let words = edge.split(separator: " ").map(String.init)
            XCTAssertTrue(declared.contains(words[0]) && declared.contains(words[2]), "edge between undeclared nodes: \(edge)")
        }
    }

    func testDotMarksTheViolatingEdgeRedInAVariantWorld() throws {
        let run = try Tool.run(["graph", try model(Self.variant), "--format", "dot"])
        check(run, exits: 0, "graph of a variant world")
        let red = Self.lines(run.stdout).filter { $0.contains(" -> ") && $0.contains("color=red") }
        XCTAssertFalse(red.isEmpty, "a red edge:\n\(run.stdout)")
        XCTAssertTrue(red.contains { $0.contains("[post-patch-all-tasks]") }, "the red edge names the property:\n\(red)")
        XCTAssertTrue(red.allSatisfy { $0.contains("fontcolor=red") }, "\(red)")
        // Its target state is red too.
        let target = try XCTUnwrap(red.first?.split(separator: " ").map(String.init)[2])
        XCTAssertTrue(
            Self.lines(run.stdout).contains { $0.hasPrefix("  \(target) [") && $0.contains("color=red") },
            "the state reached by the violating step is red")
    }

    /// States are labelled in words, as the README and verify's traces show
    /// them (`demo/vmlinux: patched, post_unpatch enabled, ...`, `patch demo: retired`).
    /// BUG: CompiledWorld.facts (Sources/Livepatch/Model/CompiledWorld+Describe.swift,
    /// since e6dfc92) has `self.` pasted into its string literals: labels read
    /// `P/vmlinux: self.patched`, `patch P: self.retired`, `not self.patched`,
    /// `self.forced`, `transition self.reversed` -- in graph labels and in
    /// every `=>` line of verify's traces.
    func testStateLabelsAreWordsWithoutSelf() throws {
        let path = try model(Self.tiny)
        let run = try Tool.run(["graph", path])
        check(run, exits: 0, "graph")
        let labels = Self.lines(run.stdout).filter { $0.range(of: #"^  s[0-9]+ \["#, options: .regularExpression) != nil }
        XCTAssertTrue(labels.contains { $0.contains("P/vmlinux: patched, post_unpatch enabled") }, labels.joined(separator: "\n"))
        XCTAssertTrue(labels.contains { $0.contains("patch P: retired") }, labels.joined(separator: "\n"))
        XCTAssertFalse(run.stdout.contains("self."), "labels leak source code:\n\(labels.joined(separator: "\n"))")
        let verify = try Tool.run(["verify", try model(Self.variant), "--quiet"])
        XCTAssertEqual(verify.status, 1)
        XCTAssertFalse(verify.stdout.contains("self."), "verify's traces too:\n\(verify.stdout.prefix(3000))")
    }

    func testDotIsDeterministic() throws {
        let path = try model(Self.variant)
        let first = try Tool.run(["graph", path])
        let second = try Tool.run(["graph", path])
        check(first, exits: 0, "graph")
        XCTAssertEqual(first.stdout, second.stdout)
    }

    // MARK: Mermaid

    func testMermaid() throws {
        let run = try Tool.run(["graph", try model(Self.variant), "--format", "mermaid"])
        check(run, exits: 0, "graph --format mermaid")
        XCTAssertTrue(run.stdout.hasPrefix("stateDiagram-v2\n"), "starts with stateDiagram-v2: \(run.stdout.prefix(80))")
        let lines = Self.lines(run.stdout)
        XCTAssertTrue(lines.contains("  [*] --> s0"), "the initial state:\n\(run.stdout)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("  s0 --> s") && $0.hasSuffix(": load P") }, run.stdout)
        XCTAssertTrue(lines.contains { $0.contains("VIOLATES post-patch-all-tasks") }, run.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  class ") && $0.hasSuffix(" violation") }, run.stdout)
        XCTAssertFalse(run.stdout.contains("digraph"))
    }

    // MARK: Limits, output, errors

    func testMoreStatesThanTheLimitExits3() throws {
        let path = try model(Self.tiny)
        let run = try Tool.run(["graph", path, "--max-states", "3"])
        check(run, exits: 3, "graph --max-states 3")
        XCTAssertEqual(run.stdout, "", "no partial graph on stdout")
        XCTAssertTrue(run.stderr.contains("more than 3 reachable states"), run.stderr)
        XCTAssertTrue(run.stderr.contains("--max-states"), "says how to get past it:\n\(run.stderr)")
        XCTAssertTrue(run.stderr.contains(path), "names the model:\n\(run.stderr)")
    }

    func testALimitThatFitsExits0() throws {
        let path = try model(Self.tiny)
        let full = try Tool.run(["graph", path])
        check(full, exits: 0, "graph")
        let count = Self.lines(full.stdout).filter { $0.range(of: #"^  s[0-9]+ \["#, options: .regularExpression) != nil }.count
        let exact = try Tool.run(["graph", path, "--max-states", String(count)])
        check(exact, exits: 0, "graph --max-states \(count) (exactly the reachable states)")
        XCTAssertEqual(exact.stdout, full.stdout)
        let under = try Tool.run(["graph", path, "--max-states", String(count - 1)])
        check(under, exits: 3, "graph --max-states \(count - 1)")
    }

    func testOutputWritesTheFile() throws {
        let path = try model(Self.tiny)
        let directory = try temporaryDirectory()
        for format in ["dot", "mermaid"] {
            let output = directory.appendingPathComponent("graph.\(format)").path
            let run = try Tool.run(["graph", path, "--format", format, "--output", output])
            check(run, exits: 0, "graph --format \(format) --output")
            XCTAssertEqual(run.stdout, "", "nothing on stdout with --output")
            let written = try String(contentsOfFile: output, encoding: .utf8)
            let printed = try Tool.run(["graph", path, "--format", format])
            XCTAssertEqual(written, printed.stdout, "the file holds what stdout would")
            XCTAssertTrue(written.hasPrefix(format == "dot" ? "digraph" : "stateDiagram-v2"))
        }
    }

    func testUnwritableOutputExits2() throws {
        let path = try model(Self.tiny)
        let output = try temporaryDirectory().appendingPathComponent("no/such/folder/graph.dot").path
        let run = try Tool.run(["graph", path, "--output", output])
        check(run, exits: 2, "graph --output into a missing folder")
        XCTAssertTrue(run.stderr.contains("error:"), run.stderr)
    }

    func testBadUsageExits2() throws {
        let path = try model(Self.tiny)
        let bad = try model("tasks 1\npatch P\n  object vmlinux: pre_patch\nfrobnicate\n")
        for (arguments, mentions) in [
            (["graph", path, "--format", "svg"], "svg"),
            (["graph", path, "--max-states", "0"], "--max-states"),
            (["graph", path, "--symmetry", "maybe"], "maybe"),
            (["graph"], "MODEL"),
            (["graph", bad], "\(bad):4:1: error:"),
            (["graph", path + ".missing"], path + ".missing"),
        ] {
            let run = try Tool.run(arguments)
            check(run, exits: 2, arguments.joined(separator: " "))
            XCTAssertEqual(run.stdout, "")
            XCTAssertTrue(run.stderr.contains(mentions), "\(arguments): stderr names '\(mentions)':\n\(run.stderr)")
        }
    }
}
