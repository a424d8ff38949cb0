import Foundation
import Yams

/// Applies `profiles:` entries and `--set key.path=value` overrides to the workflow tree before
/// anything else is resolved, so an override behaves exactly as if the file said it.
///
/// Paths are resolved in this order: a top-level section (`stages.…`, `systems.…`, `vars.…`,
/// `seed`, `name`, `description`), a variable (`beta` → `vars.beta`; overriding a matrix variable
/// fixes it to one value), a stage (`sample.params.steps` → `stages.sample.params.steps`).
struct OverrideApplier {
    static let sections = ["stages", "systems", "vars", "seed", "name", "description"]

    /// Parses one `--set` argument (`key.path=value`, value in YAML flow syntax).
    static func parse(_ argument: String) -> Result<(path: String, value: ConfigNode), Diagnostic> {
        let origin = SourceLocation.commandLine("--set \(argument)")
        guard let eq = argument.firstIndex(of: "=") else {
            return .failure(Diagnostic("expected key.path=value", at: origin))
        }
        let path = String(argument[..<eq]).trimmingCharacters(in: .whitespaces)
        let text = String(argument[argument.index(after: eq)...])
        guard !path.isEmpty else { return .failure(Diagnostic("the key path before '=' is empty", at: origin)) }
        do {
            var node = try ConfigNode.parse(yaml: text, file: "--set \(path)")
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                node = .scalar("", at: origin)
            }
            return .success((path, relocated(node, to: SourceLocation.commandLine("--set \(path)"))))
        } catch let d as Diagnostic {
            return .failure(Diagnostic("cannot parse the value: \(d.message)", at: origin))
        } catch {
            return .failure(Diagnostic("cannot parse the value: \(error)", at: origin))
        }
    }

    static func relocated(_ node: ConfigNode, to loc: SourceLocation) -> ConfigNode {
        var n = node
        n.location = loc
        switch node.value {
        case .scalar: break
        case .sequence(let items): n.value = .sequence(items.map { relocated($0, to: loc) })
        case .mapping(let entries):
            n.value = .mapping(entries.map { ConfigEntry(key: $0.key, keyLocation: loc, value: relocated($0.value, to: loc)) })
        }
        return n
    }

    /// Sets `path` in `root` to `value`; returns a diagnostic when the path names nothing.
    static func apply(path: String, value: ConfigNode, to root: inout ConfigNode, origin: SourceLocation) -> Diagnostic? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.contains(where: \.isEmpty) {
            return Diagnostic("'\(path)' has an empty component; write names separated by single dots", at: origin)
        }
        let varNames = root["vars"]?.entries?.map(\.key) ?? []
        let matrixNames = root["matrix"]?.entries?.map(\.key) ?? []
        let stageNames = root["stages"]?.entries?.map(\.key) ?? []
        let target: [String]
        let first = parts[0]
        if sections.contains(first) {
            target = parts
        } else if varNames.contains(first) || matrixNames.contains(first) {
            guard parts.count == 1 else {
                return Diagnostic("'\(first)' is a variable; set it as \(first)=value", at: origin)
            }
            target = ["vars", first]
        } else if stageNames.contains(first) {
            target = ["stages"] + parts
        } else {
            let hint = DidYouMean.hint(for: first, among: varNames + matrixNames + stageNames + sections)
            return Diagnostic("'\(first)' is not a variable, a stage or a section of the workflow\(hint)", at: origin)
        }
        if target.first == "vars", target.count == 2, matrixNames.contains(target[1]) {
            if var m = root["matrix"] {
                m.remove(target[1])
                root.set("matrix", to: m)
            }
        }
        return set(target[...], to: value, in: &root, origin: origin, done: [])
    }

    static func set(_ path: ArraySlice<String>, to value: ConfigNode, in node: inout ConfigNode,
                    origin: SourceLocation, done: [String]) -> Diagnostic? {
        guard let key = path.first else { return nil }
        if case .sequence = node.value {
            return Diagnostic("cannot set '\((done + Array(path)).joined(separator: "."))': '\(done.joined(separator: "."))' is a list", at: origin)
        }
        if case .scalar = node.value, !node.isNull {
            return Diagnostic("cannot set '\((done + Array(path)).joined(separator: "."))': '\(done.joined(separator: "."))' is \(node.kindDescription), not a mapping", at: origin)
        }
        if path.count == 1 {
            node.set(key, to: value, keyLocation: origin)
            return nil
        }
        var child = node[key] ?? .emptyMapping(at: origin)
        if let d = set(path.dropFirst(), to: value, in: &child, origin: origin, done: done + [key]) { return d }
        node.set(key, to: child, keyLocation: node.entry(key)?.keyLocation ?? origin)
        return nil
    }
}
