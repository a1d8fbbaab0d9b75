import KLPEngine

/// The state-size limit, checked when a model is parsed: a world whose
/// state does not pack into the widest state (32 words) even with task
/// symmetry (the fewest bits) is refused at the declaration that crosses
/// the limit.
extension World {
    /// The error for a world whose state does not fit the widest packed
    /// state, at the first declaration (module, patch or object line)
    /// whose inclusion makes it too large; nil when the world fits. The
    /// parser counts tasks (`symmetry`), the fewest bits; a run with them
    /// named asks again without.
    func stateSizeDiagnostic(symmetry: Bool = true) -> Diagnostic? {
        let whole = CompiledWorld(self, symmetry: symmetry)
        guard whole.wordCount > Self.widestWords else { return nil }
        // The lines that add to the state, in file order; the first prefix
        // of them that does not fit names the crossing line.
        var lines = modules.map(\.location)
        for patch in patches {
            lines.append(patch.location)
            lines += patch.objects.map(\.location)
        }
        lines.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        let crossing =
            lines.first { location in
                CompiledWorld(prefix(through: location.line), symmetry: symmetry).wordCount > Self.widestWords
            } ?? lines.last ?? SourceLocation(file: file, line: 1, column: 1)
        return Diagnostic(location: crossing, message: Self.tooLargeMessage(bits: whole.bitCount))
    }

    /// The words of the widest packed state the engine has.
    static let widestWords = PackedWords32.wordCount

    /// Says which limit a world of `bits` state bits exceeds, and by how much.
    static func tooLargeMessage(bits: Int) -> String {
        let limit = PackedStateLayout.payloadBits(words: widestWords)
        let excess =
            bits > limit
            ? "\(bits - limit) over the limit of \(limit) bits (\(widestWords) words)"
            : "which do not pack into \(widestWords) words of \(limit) bits without splitting a field"
        return "world too large: its state needs \(bits) bits, \(excess); declare fewer patches, objects, modules or tasks"
    }

    /// The world as declared up to line `line`: the modules, patches and
    /// objects declared by then (and the modules those objects target).
    func prefix(through line: Int) -> World {
        var copy = self
        let keptPatches = patches.filter { $0.location.line <= line }.map { patch in
            var patch = patch
            patch.objects = patch.objects.filter { $0.location.line <= line }
            return patch
        }
        var targeted = Set<Int>()
        for patch in keptPatches {
            for object in patch.objects { if case .module(let m) = object.target { targeted.insert(m) } }
        }
        let keptModules = modules.indices.filter { modules[$0].location.line <= line || targeted.contains($0) }
        var newIndex = [Int: Int]()
        for (new, old) in keptModules.enumerated() { newIndex[old] = new }
        copy.modules = keptModules.map { modules[$0] }
        copy.patches = keptPatches.map { patch in
            var patch = patch
            patch.objects = patch.objects.map { object in
                var object = object
                if case .module(let m) = object.target { object.target = .module(newIndex[m] ?? 0) }
                return object
            }
            return patch
        }
        copy.settings = settings.map { setting in
            var setting = setting
            setting.owner = setting.owner.flatMap { newIndex[$0] }
            return setting
        }
        return copy
    }
}
