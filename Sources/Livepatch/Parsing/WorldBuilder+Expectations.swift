/// What to check and what the gate requires: `check` and `expect` lines.
extension WorldBuilder {
    /// `check all` or `check NAME...`.
    mutating func parseCheck(_ keyword: Token, _ args: [Token], line: Int) {
        guard !args.isEmpty else {
            error(line, keyword.end, "missing property after 'check'; expected 'all' or one or more of: \(ModelParser.propertyList)")
            return
        }
        for arg in args {
            if arg.text == "all" {
                checkAll = true
            } else if let property = LivepatchProperty(rawValue: arg.text) {
                if !checked.contains(property) { checked.append(property) }
            } else {
                error(line, arg.column, "unknown property \(arg.quoted); expected 'all' or one of: \(ModelParser.propertyList)")
            }
        }
    }

    /// `expect pass`, `expect fail NAME` or `expect finding NAME`.
    mutating func parseExpect(_ keyword: Token, _ args: [Token], line: Int) {
        let first = checkOnce(expectation, keyword, line: line)
        guard let verdict = args.first else {
            error(line, keyword.end, "missing verdict after 'expect'; expected pass, fail NAME or finding NAME")
            return
        }
        let here = location(line, keyword.column)
        switch verdict.text {
        case "pass":
            expectEnd(args, from: 1, line: line)
            if first { expectation = (.pass, here) }
        case "fail", "finding":
            let isFail = verdict.text == "fail"
            let list = isFail ? ModelParser.violationList : ModelParser.findingList
            guard args.count > 1 else {
                error(line, verdict.end,
                      "missing \(isFail ? "property" : "finding") after 'expect \(verdict.text)'; expected one of: \(list)")
                return
            }
            let nameToken = args[1]
            expectEnd(args, from: 2, line: line)
            guard let property = LivepatchProperty(rawValue: nameToken.text) else {
                error(line, nameToken.column,
                      "unknown \(isFail ? "property" : "finding") \(nameToken.quoted); expected one of: \(list)")
                return
            }
            if isFail && property.isFinding {
                error(line, nameToken.column,
                      "'\(property.rawValue)' is a finding, not a property; use 'expect finding \(property.rawValue)'")
                return
            }
            if !isFail && !property.isFinding {
                error(line, nameToken.column,
                      "'\(property.rawValue)' is a property, not a finding; use 'expect fail \(property.rawValue)' (findings: \(ModelParser.findingList))")
                return
            }
            if first {
                expectation = (isFail ? .fail(property) : .finding(property), here)
                if isFail { failLocation = location(line, nameToken.column) }
            }
        default:
            error(line, verdict.column, "unknown verdict \(verdict.quoted); expected pass, fail NAME or finding NAME")
        }
    }
}
