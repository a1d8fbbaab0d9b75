/// Author contracts, part one: `data` and `setting` declarations, and
/// references to them.
extension WorldBuilder {
    /// `data NAME [static]`.
    mutating func parseData(_ keyword: Token, _ args: [Token], line: Int) {
        guard let nameToken = args.first else {
            error(line, keyword.end, "missing name after 'data'; expected data NAME [static]")
            return
        }
        var isStatic = false
        if args.count > 1 {
            if args[1].text == "static" {
                isStatic = true
                expectEnd(args, from: 2, line: line)
            } else {
                expectEnd(args, from: 1, line: line, expected: "'static' or end of line")
            }
        }
        guard nameToken.isValidName else {
            error(line, nameToken.column, "invalid data name '\(nameToken.text)'; names match \(ModelParser.namePattern)")
            return
        }
        if let index = dataIndex[nameToken.text] {
            error(line, nameToken.column,
                  "duplicate data '\(nameToken.text)' (first declared at \(Self.at(data[index].location)))")
            return
        }
        if data.count == World.Limits.data {
            error(line, nameToken.column, "too many data: at most \(World.Limits.data) may be declared")
            return
        }
        dataIndex[nameToken.text] = data.count
        data.append(DataDecl(name: nameToken.text, isStatic: isStatic, location: location(line, nameToken.column)))
    }

    /// `setting NAME [in MODULE] VALUE...`.
    mutating func parseSetting(_ keyword: Token, _ args: [Token], line: Int) {
        let usage = "setting NAME VALUE... or setting NAME in MODULE VALUE..."
        guard let nameToken = args.first else {
            error(line, keyword.end, "missing name after 'setting'; expected \(usage)")
            return
        }
        var rest = args.dropFirst()
        // The owner resolves after the whole file, as object targets do.
        var owner: Token?
        if let word = rest.first, word.text == "in" {
            rest = rest.dropFirst()
            guard let module = rest.first else {
                error(line, word.end, "missing module after 'in'; expected \(usage)")
                return
            }
            rest = rest.dropFirst()
            owner = module
        }
        guard !rest.isEmpty else {
            let end = args.last.map(\.end) ?? keyword.end
            error(line, end, "missing values after setting '\(nameToken.text)'; expected \(usage) (the first value is its boot value)")
            return
        }
        var values: [String] = []
        var valuesOK = true
        for value in rest {
            if value.bytes.contains(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: ",") }) {
                error(line, value.column, "invalid value '\(value.text)'; a setting's values contain no '=', '|' or ','")
                valuesOK = false
            } else if value.text.unicodeScalars.contains(where: VisibleText.isControl) {
                // Values reach traces, logs and graph labels as they are.
                error(line, value.column, "invalid value \(value.quoted); a setting's values contain no control characters")
                valuesOK = false
            } else if values.contains(value.text) {
                error(line, value.column, "duplicate value '\(value.text)' of setting '\(nameToken.text)'")
                valuesOK = false
            } else {
                values.append(value.text)
            }
        }
        if values.count > World.Limits.settingValues {
            error(line, rest.first!.column, "too many values: a setting has at most \(World.Limits.settingValues)")
            valuesOK = false
        }
        guard nameToken.isValidName else {
            error(line, nameToken.column, "invalid setting name '\(nameToken.text)'; names match \(ModelParser.namePattern)")
            return
        }
        if let index = settingIndex[nameToken.text] {
            error(line, nameToken.column,
                  "duplicate setting '\(nameToken.text)' (first declared at \(Self.at(settings[index].location)))")
            return
        }
        if settings.count == World.Limits.settings {
            error(line, nameToken.column, "too many settings: at most \(World.Limits.settings) may be declared")
            return
        }
        guard valuesOK else { return }
        if let owner { settingOwners.append((settings.count, owner.text, location(line, owner.column))) }
        settingIndex[nameToken.text] = settings.count
        settings.append(SettingDecl(name: nameToken.text, values: values, location: location(line, nameToken.column)))
    }

    /// A declared data name, or nil (reported).
    mutating func dataReference(_ token: Token, line: Int) -> Int? {
        if let d = dataIndex[token.text] { return d }
        let declared = data.isEmpty ? "no data is declared (declare it with 'data \(token.text)')" : "declared data: \(data.map(\.name).joined(separator: ", "))"
        error(line, token.column, "unknown data '\(token.text)'; \(declared)")
        return nil
    }

    /// A declared setting name, or nil (reported).
    mutating func settingReference(_ token: Token, line: Int) -> Int? {
        if let s = settingIndex[token.text] { return s }
        let declared = settings.isEmpty ? "no setting is declared (declare it with 'setting \(token.text) VALUE...')" : "declared settings: \(settings.map(\.name).joined(separator: ", "))"
        error(line, token.column, "unknown setting '\(token.text)'; \(declared)")
        return nil
    }

    /// A value of setting `s` at `column`, or nil (reported).
    mutating func settingValue(_ s: Int, _ text: String, column: Int, line: Int) -> Int? {
        if let v = settings[s].values.firstIndex(of: text) { return v }
        error(line, column,
              "unknown value '\(text)' of setting '\(settings[s].name)'; expected one of: \(settings[s].values.joined(separator: ", "))")
        return nil
    }
}
