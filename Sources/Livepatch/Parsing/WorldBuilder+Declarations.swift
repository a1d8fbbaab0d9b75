/// The lines that declare modules, patches and their states.
extension WorldBuilder {
    /// Checks a module or patch name; reports and returns false when it is unusable.
    mutating func checkDeclaredName(_ token: Token, kind: String, line: Int) -> Bool {
        if !token.isValidName {
            error(line, token.column, "invalid \(kind) name \(token.quoted); names match \(ModelParser.namePattern)")
            return false
        }
        if token.text == "vmlinux" {
            error(line, token.column, "a \(kind) cannot be named 'vmlinux': the name is reserved for the kernel image")
            return false
        }
        return true
    }

    /// `module NAME [busy]`.
    mutating func parseModule(_ keyword: Token, _ args: [Token], line: Int) {
        guard let nameToken = args.first else {
            error(line, keyword.end, "missing name after 'module'; expected module NAME [busy]")
            return
        }
        var busy = false
        if args.count > 1 {
            if args[1].text == "busy" {
                busy = true
                expectEnd(args, from: 2, line: line)
            } else {
                expectEnd(args, from: 1, line: line, expected: "'busy' or end of line")
            }
        }
        let name = nameToken.text
        guard checkDeclaredName(nameToken, kind: "module", line: line) else {
            rejectedModules.insert(name)
            return
        }
        if let index = moduleIndex[name] {
            error(line, nameToken.column,
                  "duplicate module '\(name)' (first declared at \(Self.at(modules[index].location)))")
            return
        }
        if let index = patchIndex[name] {
            error(line, nameToken.column,
                  "module '\(name)' has the same name as patch '\(name)' (declared at \(Self.at(patches[index].location))); module names are unique")
            rejectedModules.insert(name)
            return
        }
        if modules.count == World.Limits.modules && !reportedModuleLimit {
            reportedModuleLimit = true
            error(line, nameToken.column, "too many modules: at most \(World.Limits.modules) may be declared")
        }
        moduleIndex[name] = modules.count
        modules.append(ModuleDecl(name: name, busy: busy, location: location(line, nameToken.column)))
    }

    /// `patch NAME [replace]`; later `state` and `object` lines belong to it.
    mutating func parsePatch(_ keyword: Token, _ args: [Token], line: Int) {
        guard let nameToken = args.first else {
            error(line, keyword.end, "missing name after 'patch'; expected patch NAME [replace]")
            patches.append(PatchBuild(name: nil, location: location(line, keyword.column)))
            return
        }
        var build = PatchBuild(name: nil, location: location(line, nameToken.column))
        if args.count > 1 {
            if args[1].text == "replace" {
                build.replace = true
                expectEnd(args, from: 2, line: line)
            } else {
                expectEnd(args, from: 1, line: line, expected: "'replace' or end of line")
            }
        }
        let name = nameToken.text
        if checkDeclaredName(nameToken, kind: "patch", line: line) {
            build.name = name
            if let index = patchIndex[name] {
                error(line, nameToken.column,
                      "duplicate patch '\(name)' (first declared at \(Self.at(patches[index].location)))")
            } else if let index = moduleIndex[name] {
                error(line, nameToken.column,
                      "patch '\(name)' has the same name as module '\(name)' (declared at \(Self.at(modules[index].location))); module names are unique")
            } else {
                patchIndex[name] = patches.count
            }
        }
        if patches.count == World.Limits.patches && !reportedPatchLimit {
            reportedPatchLimit = true
            error(line, nameToken.column, "too many patches: at most \(World.Limits.patches) may be declared")
        }
        patches.append(build)
    }

    /// `state ID version V [carries NAME]`, a `klp_state` of the current patch.
    mutating func parseState(_ keyword: Token, _ args: [Token], line: Int) {
        let usage = "state ID version V"
        if patches.isEmpty {
            error(line, keyword.column, "'state' before any 'patch'; a state belongs to the patch declared above it")
        }
        guard let idToken = args.first else {
            error(line, keyword.end, "missing id after 'state'; expected \(usage)")
            return
        }
        let id = stateNumber(idToken, what: "state id", maximum: Int.max, line: line)
        guard args.count > 1 else {
            error(line, idToken.end, "missing 'version' after the state id; expected \(usage)")
            return
        }
        guard args[1].text == "version" else {
            error(line, args[1].column, "unexpected \(args[1].quoted); expected 'version' (\(usage))")
            return
        }
        guard args.count > 2 else {
            error(line, args[1].end, "missing version number after 'version'; expected \(usage)")
            return
        }
        let version = stateNumber(args[2], what: "state version", maximum: Int(UInt32.max), line: line)
        var carries: Int?
        if args.count > 3 && args[3].text == "carries" {
            guard args.count > 4 else {
                error(line, args[3].end, "missing data name after 'carries'; expected \(usage) [carries NAME]")
                return
            }
            guard let d = dataReference(args[4], line: line) else { return }
            carries = d
            expectEnd(args, from: 5, line: line)
        } else {
            expectEnd(args, from: 3, line: line, expected: "'carries NAME' or end of line")
        }
        guard let id, let version, !patches.isEmpty else { return }
        let current = patches.count - 1  // mutated in place: a copy would make long files quadratic
        if let first = patches[current].stateLocations[id] {
            error(line, idToken.column,
                  "duplicate state \(id) in patch '\(patches[current].name ?? "?")' (first declared at \(Self.at(first)))")
            return
        }
        patches[current].stateLocations[id] = location(line, idToken.column)
        patches[current].states.append(SystemState(id: id, version: version, carries: carries))
    }

    /// A state id or version from 0 to `maximum`, or nil (reported).
    mutating func stateNumber(_ token: Token, what: String, maximum: Int, line: Int) -> Int? {
        switch token.number {
        case .malformed:
            error(line, token.column, "malformed number \(token.quoted); expected a \(what), an integer 0 or more")
        case .overflow(let negative):
            if negative {
                error(line, token.column, "negative \(what) \(token.shown); expected an integer 0 or more")
            } else {
                error(line, token.column, "\(what) \(token.shown) too large; expected at most \(maximum)")
            }
        case .value(let n):
            if n < 0 {
                error(line, token.column, "negative \(what) \(n); expected an integer 0 or more")
            } else if n > maximum {
                error(line, token.column, "\(what) \(n) too large; expected at most \(maximum)")
            } else {
                return n
            }
        }
        return nil
    }
}
