import Foundation
import Yams

/// A YAML node with the place it came from. Workflow files are loaded into this tree (not into
/// Swift types directly) so that profiles, `--set` overrides, `${var}` interpolation and matrix
/// expansion can rewrite it, and every later error can still name `file:line:column`.
public struct ConfigNode: Hashable, Sendable {
    public indirect enum Value: Hashable, Sendable {
        /// A scalar as written; `quoted` scalars are always strings, plain ones resolve to
        /// null/bool/int/float/string by the YAML core schema (see `ScalarValue`).
        case scalar(String, quoted: Bool)
        case sequence([ConfigNode])
        case mapping([ConfigEntry])
    }

    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    public static func scalar(_ text: String, quoted: Bool = false, at location: SourceLocation) -> ConfigNode {
        ConfigNode(.scalar(text, quoted: quoted), at: location)
    }

    public static func emptyMapping(at location: SourceLocation) -> ConfigNode {
        ConfigNode(.mapping([]), at: location)
    }

    public var entries: [ConfigEntry]? {
        if case .mapping(let e) = value { return e }
        return nil
    }

    public var items: [ConfigNode]? {
        if case .sequence(let s) = value { return s }
        return nil
    }

    /// The scalar's resolved value, or nil for collections.
    public var scalarValue: ScalarValue? {
        if case .scalar(let text, let quoted) = value { return ScalarValue(text, quoted: quoted) }
        return nil
    }

    public var isNull: Bool {
        if case .null? = scalarValue { return true }
        return false
    }

    /// The entry for `key` in a mapping.
    public subscript(key: String) -> ConfigNode? {
        entries?.first { $0.key == key }?.value
    }

    public func entry(_ key: String) -> ConfigEntry? {
        entries?.first { $0.key == key }
    }

    /// A short description of the node's kind for error messages.
    public var kindDescription: String {
        switch value {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let t, let q): return ScalarValue(t, quoted: q).kindDescription
        }
    }

    /// Sets (or adds) `key` in a mapping; turns a null scalar into a mapping first.
    public mutating func set(_ key: String, to node: ConfigNode, keyLocation: SourceLocation? = nil) {
        var list: [ConfigEntry]
        switch value {
        case .mapping(let e): list = e
        default: list = []
        }
        if let i = list.firstIndex(where: { $0.key == key }) {
            list[i].value = node
        } else {
            list.append(ConfigEntry(key: key, keyLocation: keyLocation ?? node.location, value: node))
        }
        value = .mapping(list)
    }

    public mutating func remove(_ key: String) {
        if case .mapping(var e) = value {
            e.removeAll { $0.key == key }
            value = .mapping(e)
        }
    }

    /// The same tree as JSON, with scalars resolved by the core schema (used for system
    /// definitions, `flow show` and manifests of free-form blocks).
    public var json: JSONValue {
        switch value {
        case .scalar(let t, let q): return ScalarValue(t, quoted: q).json
        case .sequence(let s): return .array(s.map(\.json))
        case .mapping(let e):
            var d: [String: JSONValue] = [:]
            for entry in e { d[entry.key] = entry.value.json }
            return .object(d)
        }
    }
}

/// One `key: value` pair of a mapping, with the key's own location (errors about unknown keys
/// point at the key, errors about values at the value).
public struct ConfigEntry: Hashable, Sendable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: ConfigNode

    public init(key: String, keyLocation: SourceLocation, value: ConfigNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}

/// A plain or quoted scalar resolved by the YAML 1.2 core schema (plus yes/no/on/off booleans,
/// which YAML 1.1 users write out of habit).
public enum ScalarValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)

    public init(_ text: String, quoted: Bool) {
        if quoted { self = .string(text); return }
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t {
        case "", "~", "null", "Null", "NULL": self = .null; return
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": self = .bool(true); return
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": self = .bool(false); return
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": self = .double(.infinity); return
        case "-.inf", "-.Inf", "-.INF": self = .double(-.infinity); return
        case ".nan", ".NaN", ".NAN": self = .double(.nan); return
        default: break
        }
        if Self.looksLikeInteger(t), let i = Int64(t.hasPrefix("+") ? String(t.dropFirst()) : t) {
            self = .int(i); return
        }
        if Self.looksLikeFloat(t), let d = Double(t) {
            self = .double(d); return
        }
        self = .string(text)
    }

    static func looksLikeInteger(_ t: String) -> Bool {
        var s = Substring(t)
        if s.first == "-" || s.first == "+" { s = s.dropFirst() }
        return !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func looksLikeFloat(_ t: String) -> Bool {
        var s = Substring(t)
        if s.first == "-" || s.first == "+" { s = s.dropFirst() }
        guard let first = s.first, first.isNumber || first == "." else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isNumber || "eE.+-".contains($0)) }
    }

    public var json: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        }
    }

    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "the boolean \(b)"
        case .int(let i): return "the integer \(i)"
        case .double(let d): return "the number \(d)"
        case .string(let s): return "the string '\(s)'"
        }
    }
}

extension ConfigNode {
    /// Parses YAML text into a tree with locations; syntax errors become a `Diagnostic` at the
    /// place libyaml reports.
    public static func parse(yaml text: String, file: String) throws -> ConfigNode {
        let node: Node?
        do {
            // No implicit tag resolution: `ScalarValue` types plain scalars itself, and Yams's
            // default resolver compiles its regular expressions through ICU on every start-up.
            node = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw yamlDiagnostic(error, file: file)
        }
        guard let node else { return emptyMapping(at: SourceLocation(file: file, line: 1, column: 1)) }
        return try convert(node, file: file)
    }

    static func convert(_ node: Node, file: String) throws -> ConfigNode {
        let loc = SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        switch node {
        case .scalar(let s):
            return .scalar(s.string, quoted: s.style != .plain, at: loc)
        case .sequence(let seq):
            return ConfigNode(.sequence(try seq.map { try convert($0, file: file) }), at: loc)
        case .mapping(let map):
            var entries: [ConfigEntry] = []
            for (k, v) in map {
                let kloc = SourceLocation(file: file, line: k.mark?.line ?? 0, column: k.mark?.column ?? 0)
                guard case .scalar(let ks) = k else {
                    throw Diagnostic("mapping keys must be plain names, not \(k)", at: kloc)
                }
                entries.append(ConfigEntry(key: ks.string, keyLocation: kloc, value: try convert(v, file: file)))
            }
            return ConfigNode(.mapping(entries), at: loc)
        case .alias:
            throw Diagnostic("YAML aliases are not supported in workflow files; use vars and ${name} instead", at: loc)
        }
    }

    static func yamlDiagnostic(_ error: YamlError, file: String) -> Diagnostic {
        func at(_ m: Mark) -> SourceLocation { SourceLocation(file: file, line: m.line, column: m.column) }
        switch error {
        case .scanner(let ctx, let problem, let mark, _), .parser(let ctx, let problem, let mark, _),
             .composer(let ctx, let problem, let mark, _):
            var msg = "invalid YAML: \(problem)"
            if let ctx { msg += " (\(ctx.text) at line \(ctx.mark.line), column \(ctx.mark.column))" }
            return Diagnostic(msg + "; check indentation, colons and brackets", at: at(mark))
        case .duplicatedKeysInMapping(let dups, let ctx):
            return Diagnostic("duplicate key '\(dups.joined(separator: "', '"))' in a mapping; each key may appear once",
                              at: at(ctx.mark))
        case .reader(let problem, _, _, _):
            return Diagnostic("cannot read YAML: \(problem); the file must be UTF-8 text",
                              at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return Diagnostic("invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}

public extension ConfigNode {
    /// The node a JSON value would be if written in a workflow at `location`: how resolved
    /// parameters (a stage spec run elsewhere) and `literal:` defaults are decoded by the same
    /// code as a workflow file.
    init(json: JSONValue, at location: SourceLocation) {
        switch json {
        case .null: self = .scalar("null", at: location)
        case .bool(let b): self = .scalar(b ? "true" : "false", at: location)
        case .int(let i): self = .scalar(String(i), at: location)
        case .double(let d):
            let text = d.isNaN ? ".nan" : d.isInfinite ? (d > 0 ? ".inf" : "-.inf") : JSONValue.format(d)
            self = .scalar(text, at: location)
        case .string(let s): self = .scalar(s, quoted: true, at: location)
        case .array(let items): self = ConfigNode(.sequence(items.map { ConfigNode(json: $0, at: location) }), at: location)
        case .object(let entries):
            self = ConfigNode(.mapping(entries.keys.sorted(by: JSONValue.byteOrder).map {
                ConfigEntry(key: $0, keyLocation: location, value: ConfigNode(json: entries[$0]!, at: location))
            }), at: location)
        }
    }
}
