/// The lines that set the world's options: `tasks`, `force`, `core`.
extension WorldBuilder {
    /// `tasks N`.
    mutating func parseTasks(_ keyword: Token, _ args: [Token], line: Int) {
        let first = checkOnce(tasks, keyword, line: line)
        let range = World.Limits.tasks
        let usage = "tasks N with N from \(range.lowerBound) to \(range.upperBound)"
        guard let arg = args.first else {
            error(line, keyword.end, "missing number after 'tasks'; expected \(usage)")
            return
        }
        expectEnd(args, from: 1, line: line)
        switch arg.number {
        case .malformed:
            error(line, arg.column, "malformed number \(arg.quoted); expected \(usage)")
        case .overflow:
            error(line, arg.column, "tasks \(arg.shown) out of range; expected \(range.lowerBound) to \(range.upperBound)")
        case .value(let n):
            if !range.contains(n) {
                error(line, arg.column, "tasks \(n) out of range; expected \(range.lowerBound) to \(range.upperBound)")
            } else if first {
                tasks = (n, location(line, keyword.column))
            }
        }
    }

    /// `force on|off`.
    mutating func parseForce(_ keyword: Token, _ args: [Token], line: Int) {
        let first = checkOnce(force, keyword, line: line)
        guard let arg = args.first else {
            error(line, keyword.end, "missing value after 'force'; expected 'on' or 'off'")
            return
        }
        expectEnd(args, from: 1, line: line)
        let value: Bool
        switch arg.text {
        case "on": value = true
        case "off": value = false
        default:
            error(line, arg.column, "unknown force value \(arg.quoted); expected 'on' or 'off'")
            return
        }
        if first { force = (value, location(line, keyword.column)) }
    }

    /// `core VARIANT`.
    mutating func parseCore(_ keyword: Token, _ args: [Token], line: Int) {
        let first = checkOnce(core, keyword, line: line)
        guard let arg = args.first else {
            error(line, keyword.end, "missing variant after 'core'; expected one of: \(ModelParser.variantList)")
            return
        }
        expectEnd(args, from: 1, line: line)
        guard let variant = CoreVariant(rawValue: arg.text) else {
            error(line, arg.column, "unknown core variant \(arg.quoted); expected one of: \(ModelParser.variantList)")
            return
        }
        if first { core = (variant, location(line, keyword.column)) }
    }
}
