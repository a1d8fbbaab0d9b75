import FilterLock
import KLPEngine
import Livepatch

/// `klpcheck bench filter-lock --n N [--bug]`: the engine's benchmark.
struct BenchCommand: KLPCommand {
    static let spec = CommandSpec(
        name: "bench",
        abstract: "Explore a benchmark model and print the engine's statistics.",
        discussion: """
            The only benchmark is filter-lock: Peterson's filter lock for N processes
            (2 to \(FilterLockModel.maxProcesses)), checking mutual exclusion ("mutex"). Its counts are
            exact: N=3: 2,492 states, 6,487 transitions, depth 47; N=4: 125,895, 417,366, 100;
            N=5: 8,911,864, 36,388,488, 181. With --bug, "skip" also fires when
            k = (i+1) mod N and mutex is violated.
            """,
        arguments: [ArgumentSpec("MODEL", help: "The benchmark: filter-lock.").completing(.choices(["filter-lock"]))],
        options: [
            .value("--n", "N", help: "Number of processes (default: 4)."),
            .flag("--bug", help: "Explore the buggy variant."),
        ] + SearchOptionGroup.specs
    ).conflicting(SearchOptionGroup.conflicts)

    let processes: Int
    let bug: Bool
    let options: SearchOptionGroup

    init(_ parsed: ParsedArguments, console: Console) throws {
        guard parsed.positional(0) == "filter-lock" else {
            throw CommandFailure("unknown benchmark '\(parsed.positional(0) ?? "")'; available: filter-lock")
        }
        processes = try parsed.value("--n", expected: "a whole number from 2 to \(FilterLockModel.maxProcesses)") {
            Int($0).flatMap { (2...FilterLockModel.maxProcesses).contains($0) ? $0 : nil }
        } ?? 4
        bug = parsed.flag("--bug")
        options = try SearchOptionGroup(parsed, stderrIsTerminal: console.stderrIsTerminal)
    }

    func run(console: Console) throws -> ExitStatus {
        guard let model = FilterLockModel(processes: processes, bug: bug) else {
            throw CommandFailure("filter-lock needs 2 to \(FilterLockModel.maxProcesses) processes")
        }
        let document = try SearchPipeline.run(
            FilterLockPresenter(model: model), command: "bench", options: options, checked: nil, console: console)
        console.out(SearchPipeline.render(document, format: options.format))
        return SearchPipeline.exitStatus(of: document)
    }
}
