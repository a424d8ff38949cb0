import Foundation

/// `${name}` substitution of workflow variables. A scalar that is exactly one reference takes
/// the variable's value with its type (`beta: "${beta}"` stays a number); a reference inside a
/// longer string is replaced by the variable's text. `$${` writes a literal `${`.
struct Interpolator {
    var variables: [String: ConfigNode]
    var diagnostics: [Diagnostic] = []

    /// Resolves variables that refer to other variables, reporting reference cycles.
    static func resolve(_ raw: [ConfigEntry]) -> (values: [String: ConfigNode], diagnostics: [Diagnostic]) {
        var resolved: [String: ConfigNode] = [:]
        var diags: [Diagnostic] = []
        let byName = Dictionary(raw.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })

        func visit(_ name: String, _ stack: [String]) -> ConfigNode? {
            if let r = resolved[name] { return r }
            guard let node = byName[name] else { return nil }
            if stack.contains(name) {
                diags.append(Diagnostic("variables refer to each other in a cycle: \((stack + [name]).joined(separator: " → "))",
                                        at: node.location, key: "vars.\(name)"))
                return node
            }
            var inner = Interpolator(variables: [:])
            for ref in references(in: node) {
                if let v = visit(ref, stack + [name]) { inner.variables[ref] = v }
            }
            let value = inner.interpolate(node, undefinedCandidates: Array(byName.keys))
            diags.append(contentsOf: inner.diagnostics)
            resolved[name] = value
            return value
        }
        for e in raw { _ = visit(e.key, []) }
        return (resolved, diags)
    }

    static func references(in node: ConfigNode) -> [String] {
        switch node.value {
        case .scalar(let t, _): return Reference.scan(t).compactMap(\.name)
        case .sequence(let items): return items.flatMap(references)
        case .mapping(let entries): return entries.flatMap { references(in: $0.value) }
        }
    }

    mutating func interpolate(_ node: ConfigNode, undefinedCandidates: [String]? = nil) -> ConfigNode {
        switch node.value {
        case .scalar(let text, let quoted):
            guard text.contains("$") else { return node }
            let parts = Reference.scan(text)
            if parts.count == 1, let name = parts[0].name {
                guard var v = lookup(name, at: node.location, candidates: undefinedCandidates) else { return node }
                v.location = node.location
                return v
            }
            var out = ""
            var changed = false
            for p in parts {
                if let name = p.name {
                    changed = true
                    guard let v = lookup(name, at: node.location, candidates: undefinedCandidates) else { continue }
                    guard case .scalar(let vt, _) = v.value else {
                        diagnostics.append(Diagnostic("variable '\(name)' is \(v.kindDescription) and cannot be part of a string",
                                                      at: node.location))
                        continue
                    }
                    out += vt
                } else {
                    if p.literal != text { changed = true }
                    out += p.literal
                }
            }
            return changed ? .scalar(out, quoted: true, at: node.location) : .scalar(text, quoted: quoted, at: node.location)
        case .sequence(let items):
            return ConfigNode(.sequence(items.map { interpolate($0, undefinedCandidates: undefinedCandidates) }), at: node.location)
        case .mapping(let entries):
            return ConfigNode(.mapping(entries.map {
                ConfigEntry(key: $0.key, keyLocation: $0.keyLocation, value: interpolate($0.value, undefinedCandidates: undefinedCandidates))
            }), at: node.location)
        }
    }

    mutating func lookup(_ name: String, at loc: SourceLocation, candidates: [String]?) -> ConfigNode? {
        if let v = variables[name] { return v }
        let known = candidates ?? Array(variables.keys)
        let hint = DidYouMean.hint(for: name, among: known)
        let d = Diagnostic("undefined variable '${\(name)}'\(hint); define it under vars: or pass --set \(name)=value",
                           at: loc)
        if !diagnostics.contains(d) { diagnostics.append(d) }
        return nil
    }
}

/// A piece of a scalar: literal text or a `${name}` reference.
struct Reference {
    var literal: String
    var name: String?

    static func scan(_ text: String) -> [Reference] {
        var parts: [Reference] = []
        var literal = ""
        var i = text.startIndex
        while i < text.endIndex {
            if text[i...].hasPrefix("$${") {
                literal += "${"
                i = text.index(i, offsetBy: 3)
            } else if text[i...].hasPrefix("${"), let close = text[i...].firstIndex(of: "}") {
                if !literal.isEmpty { parts.append(Reference(literal: literal)); literal = "" }
                let name = String(text[text.index(i, offsetBy: 2)..<close]).trimmingCharacters(in: .whitespaces)
                parts.append(Reference(literal: "", name: name))
                i = text.index(after: close)
            } else {
                literal.append(text[i])
                i = text.index(after: i)
            }
        }
        if !literal.isEmpty || parts.isEmpty { parts.append(Reference(literal: literal)) }
        return parts
    }
}
