/// The checks that need the whole file: names used before (or without)
/// their declaration, patches without objects, adopted data no state
/// carries, an expected failure that is not checked.
extension WorldBuilder {
    /// Runs the whole-file checks, after the last line.
    mutating func finish() {
        let moduleList = modules.map(\.name).joined(separator: ", ")
        for owner in settingOwners {
            if let m = moduleIndex[owner.module] {
                settings[owner.setting].owner = m
            } else if !rejectedModules.contains(owner.module) {
                let declared = modules.isEmpty ? "no modules are declared" : "declared modules: \(moduleList)"
                error(owner.location.line, owner.location.column,
                      "unknown module '\(owner.module)' owning setting '\(settings[owner.setting].name)'; \(declared)")
            }
        }
        if patches.isEmpty {
            error(1, 1, "no patch declared; expected at least one 'patch NAME' line with its 'object' lines")
        }
        for build in patches {
            if let name = build.name, build.objectLines == 0 {
                error(build.location.line, build.location.column,
                      "patch '\(name)' has no object; expected at least one 'object TARGET: CALLBACK...' line after it")
            }
            for object in build.objects where object.targetName != "vmlinux" {
                if moduleIndex[object.targetName] == nil && !rejectedModules.contains(object.targetName) {
                    let declared =
                        modules.isEmpty
                        ? "no modules are declared (declare it with 'module \(object.targetName)')"
                        : "declared modules: \(moduleList)"
                    error(object.targetLocation.line, object.targetLocation.column,
                          "unknown target '\(object.targetName)'; \(declared)")
                }
            }
            for adopt in build.adopts where !build.states.contains(where: { $0.carries == adopt.data }) {
                error(adopt.location.line, adopt.location.column,
                      "'adopt \(data[adopt.data].name)' in patch '\(build.name ?? "?")', which has no state carrying it; expected a 'state ID version V carries \(data[adopt.data].name)' line")
            }
        }
        if case .fail(let property)? = expectation?.value, !checkAll, !checked.isEmpty, !checked.contains(property),
            let at = failLocation
        {
            error(at.line, at.column,
                  "expected failure '\(property.rawValue)' is not checked; add it to a 'check' line or use 'check all'")
        }
    }
}
