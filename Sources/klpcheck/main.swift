import FilterLock
import KLPEngine
import Foundation
let n = Int(CommandLine.arguments[1])!
let threads = Int(CommandLine.arguments[2])!
let bug = CommandLine.arguments.count > 3
let model = FilterLockModel(processes: n, bug: bug)!
let r = try Explorer.explore(model, options: SearchOptions(threads: threads, visited: .hash))
print(r.statistics)
print(r.statuses.map { $0.trace.map { "trace \($0.steps.count)" } ?? "\($0)" })
