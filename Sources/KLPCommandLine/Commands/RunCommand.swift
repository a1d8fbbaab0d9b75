import Foundation
import Livepatch

/// `klpcheck run MODEL SCENARIO`: one concrete command sequence.
struct RunCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "run",
        abstract: "Run a scenario of commands against a .klp world and print the kernel's log lines.",
        discussion: """
            SCENARIO has one command a line, as typed in the kernel selftests:
              insmod test_modules/NAME.ko [pre_patch_ret=ERRNO] [replace=0|1] [block_transition=Y|N]
              rmmod NAME
              echo 0|1 > /sys/kernel/livepatch/P/enabled
              echo 1 > /sys/kernel/livepatch/P/force
              echo ERRNO > /sys/module/P/parameters/pre_patch_ret
            and '#' comments. After each command tasks switch and the transition completes
            while they can, as the selftests wait. A file with a 'replay' line, as written by
            'klpcheck verify --trace-out', runs its 'step ...' lines one event each, and
            nothing happens between them; 'replay' comes before every command, and 'step'
            lines are only allowed after it.
            Exit 0 when the scenario ran (even if commands failed, as in the selftests),
            1 when a checked property was violated on the way or a replay step cannot
            happen where the replay has got to, 2 for a bad line.
            """,
        arguments: [
            ArgumentSpec("MODEL", help: "The .klp model file.").completing(.file(extension: "klp")),
            ArgumentSpec("SCENARIO", help: "The scenario file, or - for standard input."),
        ],
        options: [
            .value("--core", "VARIANT", help: "Run against this core instead of the model's (e.g. upstream).")
                .completing(.choices(CoreVariant.allCases.map(\.rawValue))),
            .value("--property", "NAME", help: "Check this property (overrides the file's 'check').", repeatable: true)
                .completing(.choices(LivepatchProperty.allCases.map(\.rawValue))),
        ])

    let modelPath: String
    let scenarioPath: String
    let core: CoreVariant?
    let properties: [LivepatchProperty]

    init(_ parsed: ParsedArguments, console: Console) throws {
        modelPath = parsed.positional(0) ?? ""
        scenarioPath = parsed.positional(1) ?? ""
        core = try parsed.value(
            "--core", expected: "one of \(CoreVariant.allCases.map(\.rawValue).joined(separator: ", "))"
        ) { CoreVariant(rawValue: $0) }
        properties = try parsed.all("--property").map { name in
            guard let property = LivepatchProperty(rawValue: name) else {
                throw CommandFailure(
                    "unknown property '\(name)'; properties: \(LivepatchProperty.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return property
        }
    }

    func run(console: Console) throws -> ExitStatus {
        let world = try VerifyCommand.load(modelPath)
        let name = scenarioPath == "-" ? "<stdin>" : scenarioPath
        // The same size cap as model files: `- < /dev/zero` must end.
        let read =
            scenarioPath == "-"
            ? SourceFile.bytesOfStandardInput(what: "scenario on standard input")
            : SourceFile.bytes(atPath: scenarioPath, what: "scenario file")
        let bytes: [UInt8]
        switch read {
        case .success(let read): bytes = read
        case .failure(let problem): throw CommandFailure.diagnostics("\(VisibleText.escape(name)):1:1: error: \(problem.message)")
        }
        let outcome: ScenarioOutcome
        do {
            let scenario = try Scenario.parse(bytes, file: name)
            outcome = try ScenarioRunner.run(scenario, file: name, world: world, core: core, checked: properties)
        } catch {
            throw CommandFailure.diagnostics(error.description)
        }
        console.out(outcome.output.map { $0 + "\n" }.joined())
        for finding in outcome.findings {
            console.out("klpcheck: finding \(finding.property.rawValue) at \(VisibleText.escape(finding.location.file)):\(finding.location.line): \(finding.reason)\n")
        }
        for violation in outcome.violations {
            console.out("klpcheck: violated \(violation.property.rawValue) at \(VisibleText.escape(violation.location.file)):\(violation.location.line): \(violation.reason)\n")
        }
        for impossible in outcome.impossibleSteps {
            console.out(
                "klpcheck: step cannot happen at \(VisibleText.escape(impossible.location.file)):\(impossible.location.line): "
                    + "\(VisibleText.escape(impossible.step)) (its guard does not hold)\n")
        }
        return outcome.violations.isEmpty && outcome.impossibleSteps.isEmpty ? .holds : .violated
    }
}
