/// The state of decoding one parameter block (a stage's `params:`, a system definition):
/// diagnostics collected so far, keys asked for in each mapping (to report unknown keys), the
/// value of every parameter as it was read (the resolved parameters) and — when printing the
/// catalogue — the documentation of every parameter read.
///
/// The resolved parameters are recorded by the decoder itself, one leaf at a time, with defaults
/// filled in by `ParameterContainer`: whatever a parameter type reads is in the record, so a
/// parameter cannot be left out of the cache key, and no parameter type writes `encode(to:)`.
public final class ParameterSession {
    public static let userInfoKey = CodingUserInfoKey(rawValue: "flow.parameterSession")!

    public let stage: String?
    /// Prefix of key paths in messages, e.g. `params`.
    public let keyPrefix: String
    /// True when decoding an absent block only to record documentation (`flow stages`).
    public let documenting: Bool
    /// Directory that relative file paths in parameters are resolved against (`ContentFile`).
    public let workspace: String
    /// Where errors about absent keys point (the block itself, or the stage).
    let fallbackLocation: SourceLocation
    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var docs: [ParameterDoc] = []
    private var trackers: [String: KeyTracker] = [:]
    private var trackerOrder: [String] = []
    private let record = JSONBox()

    /// Every parameter read so far, at its key path, defaults included: the canonical parameter
    /// JSON of cache keys, `flow show` and the output's `parameters` attribute.
    public var resolved: JSONValue {
        let value = record.resolve()
        return value == .null ? .object([:]) : value
    }

    public init(stage: String?, keyPrefix: String, at location: SourceLocation, documenting: Bool = false,
                workspace: String = ".") {
        self.stage = stage
        self.keyPrefix = keyPrefix
        self.fallbackLocation = location
        self.documenting = documenting
        self.workspace = workspace
    }

    func keyPath(_ path: [CodingKey]) -> String {
        var parts = keyPrefix.isEmpty ? [] : [keyPrefix]
        for k in path {
            if let i = k.intValue {
                parts[parts.count - 1] += "[\(i)]"
            } else if k.stringValue == "[]", !parts.isEmpty {
                parts[parts.count - 1] += "[]"
            } else {
                parts.append(k.stringValue)
            }
        }
        return parts.joined(separator: ".")
    }

    /// A diagnostic for this block (also kept in `diagnostics` only when `record` is called).
    func diagnostic(_ message: String, at location: SourceLocation, path: [CodingKey]) -> Diagnostic {
        Diagnostic(message, at: location, stage: stage, key: keyPath(path))
    }

    /// Records a decoded (or defaulted) value at `path`, replacing whatever was there: a later
    /// successful read of the same key (after a `try?` probe of another type) wins.
    public func recordResolved(_ value: JSONValue, at path: [CodingKey]) {
        guard !documenting, let box = record.box(at: path) else { return }
        box.value = value
        box.object = nil
        box.array = nil
    }

    /// Records that a mapping (or list) was opened at `path`, so that one whose keys are all
    /// absent still appears, as `{}` (or `[]`).
    func recordContainer(list: Bool, at path: [CodingKey]) {
        guard !documenting, let box = record.box(at: path) else { return }
        if list {
            if box.array == nil { box.array = []; box.object = nil }
        } else if box.object == nil {
            box.object = [:]
            box.array = nil
        }
    }

    public func record(_ d: Diagnostic) {
        if !diagnostics.contains(d) { diagnostics.append(d) }
    }

    func document(_ doc: ParameterDoc) {
        if documenting, !docs.contains(where: { $0.path == doc.path }) { docs.append(doc) }
    }

    /// One tracker per mapping node; decoding the same node twice merges what was asked for.
    func tracker(for node: ConfigNode?, entries: [ConfigEntry], path: [CodingKey]) -> KeyTracker {
        let id = keyPath(path) + "@" + (node.map { "\($0.location)" } ?? "absent")
        if let t = trackers[id] { return t }
        let t = KeyTracker(entries: entries, path: path.map(\.stringValue))
        trackers[id] = t
        trackerOrder.append(id)
        return t
    }

    /// Reports every key present in a mapping that the parameter type never asked for.
    public func reportUnknownKeys() {
        for id in trackerOrder {
            guard let t = trackers[id] else { continue }
            let known = t.attempted.sorted()
            for e in t.entries where !t.attempted.contains(e.key) {
                let path = (keyPrefix.isEmpty ? [] : [keyPrefix]) + t.path
                let hint = DidYouMean.hint(for: e.key, among: known)
                let list = known.isEmpty ? "this block takes no keys" : "known keys: \(known.joined(separator: ", "))"
                record(Diagnostic("unknown key '\(e.key)'\(hint); \(list)", at: e.keyLocation, stage: stage,
                                  key: path.joined(separator: ".")))
            }
        }
    }

    /// Decodes `T` from `node` (nil = absent: all defaults), collecting every diagnostic. Returns
    /// nil when there were errors.
    public func decode<T: Decodable>(_ type: T.Type, from node: ConfigNode?) -> T? {
        let decoder = ConfigNodeDecoder(node: node, codingPath: [], session: self)
        do {
            let value = try T(from: decoder)
            reportUnknownKeys()
            return diagnostics.isEmpty ? value : nil
        } catch let d as Diagnostic {
            record(d)
        } catch {
            record(Diagnostic("\(error)", at: node?.location ?? fallbackLocation, stage: stage, key: keyPrefix))
        }
        reportUnknownKeys()
        return nil
    }

    /// Decodes `T` from a parameter block with its record of resolved parameters; nil (with the
    /// diagnostics kept) when invalid.
    public func decodeRecorded<T: Decodable>(_ type: T.Type, from node: ConfigNode?) -> (value: Any, resolved: JSONValue)? {
        guard let value = decode(type, from: node) else { return nil }
        return (value, resolved)
    }

    /// Decodes `T` from resolved parameters (a stage spec run elsewhere) through the same decoder,
    /// recording them again; throws the first diagnostic when they are invalid.
    public func decodeResolved<T: Decodable>(_ type: T.Type, from json: JSONValue) throws -> (value: Any, resolved: JSONValue) {
        guard let value = decode(type, from: ConfigNode(json: json, at: fallbackLocation)) else {
            throw diagnostics.first ?? Diagnostic("invalid resolved parameters", at: fallbackLocation)
        }
        return (value, resolved)
    }

    /// The documentation of `T`'s parameters: decodes an absent block in documenting mode.
    public static func documentation<T: Decodable>(of type: T.Type, keyPrefix: String = "") -> [ParameterDoc] {
        let s = ParameterSession(stage: nil, keyPrefix: keyPrefix,
                                 at: SourceLocation(file: "<catalogue>", line: 0, column: 0), documenting: true)
        _ = try? T(from: ConfigNodeDecoder(node: nil, codingPath: [], session: s))
        return s.docs
    }
}

/// The documentation of one parameter, printed by `flow stages KIND`.
public struct ParameterDoc: Hashable, Sendable {
    /// Dotted key path below `params`, e.g. `bias.metadynamics.height`.
    public var path: String
    /// Human type: "integer", "number", "one of: tmd, vanilla", "list of numbers", "mapping".
    public var type: String
    /// The default, or nil when the parameter is optional with no default.
    public var defaultValue: JSONValue?
    public var unit: String?
    /// "≥ 1", "in (0, 1]", ….
    public var bounds: String?
    public var help: String
}
