/// `matrix: {beta: [5.0, 7.0], kappa: [50, 100]}` → one workflow instance per combination, in
/// declaration order, each named `beta=5.0,kappa=50` (its results go to
/// `results/<name>/<combination>/`). The values override `vars` of the same name.
struct MatrixExpansion {
    struct Combination {
        var name: String?
        var values: [ConfigEntry]
    }

    static func combinations(of matrix: ConfigNode?) -> (combinations: [Combination], diagnostics: [Diagnostic]) {
        guard let matrix, !matrix.isNull else { return ([Combination(name: nil, values: [])], []) }
        guard let entries = matrix.entries else {
            return ([], [Diagnostic("matrix must map variable names to lists of values, got \(matrix.kindDescription)",
                                    at: matrix.location, key: "matrix")])
        }
        var diags: [Diagnostic] = []
        var axes: [(key: String, keyLocation: SourceLocation, values: [ConfigNode])] = []
        for e in entries {
            guard let items = e.value.items else {
                diags.append(Diagnostic("expected a list of values, got \(e.value.kindDescription); write \(e.key): [a, b]",
                                        at: e.value.location, key: "matrix.\(e.key)"))
                continue
            }
            if items.isEmpty {
                diags.append(Diagnostic("the list of values is empty; give at least one", at: e.value.location, key: "matrix.\(e.key)"))
                continue
            }
            if let problem = InputLimits.pathComponentProblem(e.key) {
                diags.append(Diagnostic("the variable name \(problem); it names results/<workflow>/\(e.key)=<value>/, so use letters, digits, '_' or '-'",
                                        at: e.keyLocation, key: "matrix.\(e.key)"))
            }
            for item in items {
                guard let scalar = item.scalarValue else {
                    diags.append(Diagnostic("matrix values must be scalars (numbers or strings), got \(item.kindDescription)",
                                            at: item.location, key: "matrix.\(e.key)"))
                    continue
                }
                if case .string(let text) = scalar, let problem = InputLimits.pathComponentProblem(text) {
                    diags.append(Diagnostic("the value '\(InputLimits.printable(text))' \(problem); it names the directory results/<workflow>/\(e.key)=<value>/, so write a plain word",
                                            at: item.location, key: "matrix.\(e.key)"))
                }
            }
            let texts = items.compactMap { n -> String? in if case .scalar(let t, _) = n.value { return t } else { return nil } }
            if Set(texts).count != texts.count {
                diags.append(Diagnostic("the list of values has duplicates", at: e.value.location, key: "matrix.\(e.key)"))
            }
            axes.append((e.key, e.keyLocation, items))
        }
        guard diags.isEmpty else { return ([], diags) }
        if axes.isEmpty { return ([Combination(name: nil, values: [])], []) }
        var combos: [Combination] = [Combination(name: "", values: [])]
        for axis in axes {
            var next: [Combination] = []
            for c in combos {
                for v in axis.values {
                    guard case .scalar(let t, _) = v.value else { continue }
                    let part = "\(axis.key)=\(t)"
                    next.append(Combination(name: c.name!.isEmpty ? part : c.name! + "," + part,
                                            values: c.values + [ConfigEntry(key: axis.key, keyLocation: axis.keyLocation, value: v)]))
                }
            }
            combos = next
        }
        for c in combos {
            if let name = c.name, let problem = InputLimits.pathComponentProblem(name) {
                return ([], [Diagnostic("the combination '\(name)' \(problem); it names a directory under results/<workflow>/, so shorten the values",
                                        at: matrix.location, key: "matrix")])
            }
        }
        return (combos, [])
    }
}
