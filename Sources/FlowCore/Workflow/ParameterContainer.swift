/// What a stage's parameter type uses in `init(from:)` to read each key with its default, unit,
/// allowed range and help text — the one declaration of a parameter: `flow stages` documents
/// exactly what the decoder does, and the value read (or the default) is recorded in the session
/// as the resolved parameter that enters the cache key:
///
/// ```swift
/// init(from decoder: Decoder) throws {
///     let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
///     steps = try p(.steps, default: 10_000, in: .atLeast(1), help: "steps per walker")
///     dt = try p(.dt, default: 1e-4, unit: "time", in: .positive, help: "time step")
/// }
/// ```
/// With the workflow decoder a bad value is recorded as a diagnostic and the default is used, so
/// that validation reports every error at once; with any other decoder it throws.
///
/// Values of the standard types (numbers, strings, booleans, lists of them, `ParameterEnum`s)
/// take a typed `default:`. A parameter type with its own spelling (`auto` or a number, a state
/// name or coordinates) takes `literal:`, its default as the user would write it, decoded by the
/// same code as a written value: so no type needs an `encode(to:)` to put its default in the key.
public struct ParameterContainer<Key: CodingKey> {
    let container: KeyedDecodingContainer<Key>
    let session: ParameterSession?
    let codingPath: [CodingKey]
    let location: (Key) -> SourceLocation

    public init(_ decoder: Decoder, keyedBy type: Key.Type) throws {
        container = try decoder.container(keyedBy: type)
        session = decoder.userInfo[ParameterSession.userInfoKey] as? ParameterSession
        codingPath = decoder.codingPath
        if let d = decoder as? ConfigNodeDecoder {
            let node = d.node
            let fallback = d.location
            location = { key in
                node?.entry(key.stringValue)?.value.location ?? fallback
            }
        } else {
            location = { _ in SourceLocation(file: "<spec>", line: 0, column: 0) }
        }
    }

    public var isDocumenting: Bool { session?.documenting ?? false }

    /// Whether the block sets `key` explicitly.
    public func contains(_ key: Key) -> Bool { container.contains(key) }

    func path(_ key: Key) -> String {
        (session?.keyPath(codingPath + [key])) ?? (codingPath + [key]).map(\.stringValue).joined(separator: ".")
    }

    func document<T>(_ key: Key, _ type: T.Type, _ def: JSONValue?, _ unit: String?, _ bounds: String?,
                     _ help: String, typeName: String? = nil) {
        guard let session, session.documenting else { return }
        let p = session.keyPath(codingPath + [key])
        let relative = session.keyPrefix.isEmpty ? p : String(p.dropFirst(session.keyPrefix.count + 1))
        session.document(ParameterDoc(path: relative, type: typeName ?? describeParameterType(T.self),
                                      defaultValue: def, unit: unit, bounds: bounds, help: help))
    }

    /// Records the value a key resolves to when it is absent (its default).
    func recordDefault(_ key: Key, _ value: JSONValue?) {
        guard let session, let value else { return }
        session.recordResolved(value, at: codingPath + [key])
    }

    /// The default of an optional key that depends on other keys (one weight per eigenfunction):
    /// recorded as the key's resolved value, so that the key holds what the stage uses.
    public func derivedDefault<T: Encodable>(_ key: Key, _ value: T) -> T {
        recordDefault(key, encodeJSON(value))
        return value
    }

    /// Records `error` and returns `fallback` under the workflow decoder; rethrows otherwise.
    /// Whether an error at `key` or inside it is already recorded. That error is the precise one
    /// (a non-finite element of a list read by a type that then tried another spelling); the
    /// follow-up errors of the type, or of a check on the fallback value, are not reported again.
    func hasRecordedError(at key: Key) -> Bool {
        guard let session else { return false }
        let p = path(key)
        return session.diagnostics.contains { d in
            guard let k = d.key else { return false }
            return k == p || k.hasPrefix(p + ".") || k.hasPrefix(p + "[")
        }
    }

    func recover<T>(_ error: Error, _ key: Key, _ fallback: T) throws -> T {
        guard let session else { throw error }
        if hasRecordedError(at: key) { return fallback }
        if let d = error as? Diagnostic {
            session.record(d)
        } else {
            session.record(Diagnostic(Self.describe(error), at: location(key), stage: session.stage, key: path(key)))
        }
        return fallback
    }

    /// The message of a decoding error thrown by a parameter type's own `init(from:)` (its debug
    /// description, without Swift's "Data was corrupted. Path: …" framing: the location is added).
    static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case .dataCorrupted(let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c):
            return c.debugDescription
        @unknown default:
            return "\(error)"
        }
    }

    /// Reports a custom validation failure at `key` (cross-field checks).
    public func check(_ condition: Bool, _ key: Key, _ message: @autoclosure () -> String) throws {
        guard !condition, !isDocumenting, !hasRecordedError(at: key) else { return }
        let d = Diagnostic(message(), at: location(key), stage: session?.stage, key: path(key))
        if let session { session.record(d) } else { throw d }
    }

    /// Reports at `key` that `factors` values (an array a stage allocates, e.g. bins × bins) do not
    /// fit in memory (`InputLimits.allocationProblem`), naming the limit and how to fix it.
    public func checkAllocation(_ key: Key, _ factors: [Int], bytesEach: Int = 8, what: String, fix: String) throws {
        guard let problem = InputLimits.allocationProblem(factors, bytesEach: bytesEach, what: what) else { return }
        try check(false, key, "\(problem); \(fix)")
    }

    /// A parameter with a default.
    public func callAsFunction<T: Codable>(_ key: Key, default def: T, unit: String? = nil,
                                           help: String) throws -> T {
        let defaultJSON = encodeJSON(def)
        document(key, T.self, defaultJSON, unit, nil, help)
        do {
            if let v = try container.decodeIfPresent(T.self, forKey: key) { return v }
            recordDefault(key, defaultJSON)
            return def
        } catch {
            return try recover(error, key, def)
        }
    }

    /// A numeric parameter with a default and an allowed range.
    public func callAsFunction<T: Codable & Comparable>(_ key: Key, default def: T, unit: String? = nil,
                                                        in bounds: Bounds<T>, help: String) throws -> T {
        let defaultJSON = encodeJSON(def)
        document(key, T.self, defaultJSON, unit, bounds.description, help)
        do {
            guard let v = try container.decodeIfPresent(T.self, forKey: key) else {
                recordDefault(key, defaultJSON)
                return def
            }
            if !bounds.contains(v) {
                throw Diagnostic("must be \(bounds.description) (got \(v))", at: location(key),
                                 stage: session?.stage, key: path(key))
            }
            return v
        } catch {
            return try recover(error, key, def)
        }
    }

    /// A choice among named values, with did-you-mean on typos.
    public func callAsFunction<T: ParameterEnum>(_ key: Key, default def: T, help: String) throws -> T {
        let names = T.allCases.map(\.rawValue)
        document(key, T.self, .string(def.rawValue), nil, nil, help, typeName: "one of: " + names.joined(separator: ", "))
        do {
            guard let raw = try container.decodeIfPresent(String.self, forKey: key) else {
                recordDefault(key, .string(def.rawValue))
                return def
            }
            guard let v = T(rawValue: raw) else {
                throw Diagnostic("unknown value '\(raw)'\(DidYouMean.hint(for: raw, among: names)); expected one of: \(names.joined(separator: ", "))",
                                 at: location(key), stage: session?.stage, key: path(key))
            }
            return v
        } catch {
            return try recover(error, key, def)
        }
    }

    /// A parameter of a type with its own spelling, whose default is given as written in a
    /// workflow (`literal: "auto"`): an absent key decodes the literal through the same
    /// `init(from:)` as a written value, so the default is validated, documented and recorded
    /// exactly like one.
    public func callAsFunction<T: Decodable>(_ key: Key, literal: JSONValue, unit: String? = nil,
                                             help: String) throws -> T {
        document(key, T.self, literal, unit, nil, help)
        func decodeLiteral() throws -> T {
            let decoder = ConfigNodeDecoder(node: ConfigNode(json: literal, at: location(key)), codingPath: codingPath + [key],
                                            session: session ?? ParameterSession(stage: nil, keyPrefix: "", at: location(key)))
            return try T(from: decoder)
        }
        do {
            if let v = try container.decodeIfPresent(T.self, forKey: key) { return v }
            return try decodeLiteral()
        } catch {
            return try recover(error, key, try decodeLiteral())
        }
    }

    /// An optional parameter without a default (nil when absent).
    public func optional<T: Decodable>(_ key: Key, unit: String? = nil, help: String) throws -> T? {
        document(key, T.self, nil, unit, nil, help)
        do {
            return try container.decodeIfPresent(T.self, forKey: key)
        } catch {
            return try recover(error, key, nil)
        }
    }

    /// An optional name of a file the stage publishes into `results/<workflow>/` (nil when
    /// absent): a plain file name (`InputLimits.pathComponentProblem`), checked here so that a
    /// name can never reach a path outside the results directory.
    public func optionalFileName(_ key: Key, help: String) throws -> String? {
        let name: String? = try optional(key, help: help)
        guard let name, let problem = InputLimits.pathComponentProblem(name) else { return name }
        try check(false, key, "the file name '\(InputLimits.printable(name))' \(problem); give a plain file name such as figure.png (files are published into results/<workflow>/)")
        return nil
    }

    /// An optional choice among named values (nil when absent), with did-you-mean on typos.
    public func optional<T: ParameterEnum>(_ key: Key, help: String) throws -> T? {
        let names = T.allCases.map(\.rawValue)
        document(key, T.self, nil, nil, nil, help, typeName: "one of: " + names.joined(separator: ", "))
        do {
            guard let raw = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let v = T(rawValue: raw) else {
                throw Diagnostic("unknown value '\(raw)'\(DidYouMean.hint(for: raw, among: names)); expected one of: \(names.joined(separator: ", "))",
                                 at: location(key), stage: session?.stage, key: path(key))
            }
            return v
        } catch {
            return try recover(error, key, nil)
        }
    }

    /// An optional numeric parameter with an allowed range.
    public func optional<T: Decodable & Comparable>(_ key: Key, unit: String? = nil, in bounds: Bounds<T>,
                                                  help: String) throws -> T? {
        document(key, T.self, nil, unit, bounds.description, help)
        do {
            guard let v = try container.decodeIfPresent(T.self, forKey: key) else { return nil }
            if !bounds.contains(v) {
                throw Diagnostic("must be \(bounds.description) (got \(v))", at: location(key),
                                 stage: session?.stage, key: path(key))
            }
            return v
        } catch {
            return try recover(error, key, nil)
        }
    }

    /// A list of nested blocks (empty when absent). The element type's keys are documented as
    /// `key[].name`.
    public func list<T: Decodable>(_ key: Key, help: String) throws -> [T] {
        document(key, T.self, .array([]), nil, nil, help, typeName: "list of mappings")
        if isDocumenting, let session {
            let element = ConfigNodeDecoder(node: nil, codingPath: codingPath + [key, IndexKey.element], session: session)
            _ = try? T(from: element)
            return []
        }
        do {
            if let v = try container.decodeIfPresent([T].self, forKey: key) { return v }
            recordDefault(key, .array([]))
            return []
        } catch {
            return try recover(error, key, [])
        }
    }

    /// A nested block whose keys all have defaults; absent means all defaults.
    public func group<T: Decodable>(_ key: Key, help: String) throws -> T {
        document(key, T.self, nil, nil, nil, help, typeName: "mapping")
        do {
            return try T(from: container.superDecoder(forKey: key))
        } catch {
            guard let session else { throw error }
            let defaults = try T(from: ConfigNodeDecoder(node: nil, codingPath: codingPath + [key], session: session))
            return try recover(error, key, defaults)
        }
    }

    /// An optional nested block (nil when absent). Its keys are still documented.
    public func optionalGroup<T: Decodable>(_ key: Key, help: String) throws -> T? {
        document(key, T.self, nil, nil, nil, help, typeName: "mapping (optional)")
        if isDocumenting {
            _ = try? T(from: container.superDecoder(forKey: key))
            return nil
        }
        do {
            guard container.contains(key), try container.decodeNil(forKey: key) == false else { return nil }
            return try T(from: container.superDecoder(forKey: key))
        } catch {
            return try recover(error, key, nil)
        }
    }
}

/// An allowed range for a numeric parameter.
public struct Bounds<T: Comparable & Sendable>: Sendable {
    public var lower: T?
    public var lowerInclusive: Bool
    public var upper: T?
    public var upperInclusive: Bool

    public init(lower: T? = nil, lowerInclusive: Bool = true, upper: T? = nil, upperInclusive: Bool = true) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.upperInclusive = upperInclusive
    }

    public static func atLeast(_ v: T) -> Bounds { Bounds(lower: v) }
    public static func greaterThan(_ v: T) -> Bounds { Bounds(lower: v, lowerInclusive: false) }
    public static func atMost(_ v: T) -> Bounds { Bounds(upper: v) }
    public static func closed(_ a: T, _ b: T) -> Bounds { Bounds(lower: a, upper: b) }
    public static func halfOpen(_ a: T, _ b: T) -> Bounds { Bounds(lower: a, lowerInclusive: false, upper: b) }

    /// NaN (the only value not equal to itself) is in no range.
    public func contains(_ v: T) -> Bool {
        if v != v { return false }
        if let l = lower, lowerInclusive ? v < l : v <= l { return false }
        if let u = upper, upperInclusive ? v > u : v >= u { return false }
        return true
    }

    public var description: String {
        switch (lower, upper) {
        case let (l?, u?): return "in \(lowerInclusive ? "[" : "(")\(l), \(u)\(upperInclusive ? "]" : ")")"
        case let (l?, nil): return lowerInclusive ? "≥ \(l)" : "> \(l)"
        case let (nil, u?): return upperInclusive ? "≤ \(u)" : "< \(u)"
        default: return "any value"
        }
    }
}

public extension Bounds where T: Numeric {
    static var positive: Bounds { .greaterThan(0) }
    static var nonNegative: Bounds { .atLeast(0) }
}

/// A parameter that takes one of a fixed set of names (`method: tmd`).
public protocol ParameterEnum: Codable, CaseIterable, RawRepresentable where RawValue == String {}

/// Types that say how `flow stages` should name them.
public protocol ParameterTypeDescribing {
    static var parameterTypeName: String { get }
}

extension Int: ParameterTypeDescribing { public static var parameterTypeName: String { "integer" } }
extension Int64: ParameterTypeDescribing { public static var parameterTypeName: String { "integer" } }
extension UInt64: ParameterTypeDescribing { public static var parameterTypeName: String { "integer" } }
extension Double: ParameterTypeDescribing { public static var parameterTypeName: String { "number" } }
extension String: ParameterTypeDescribing { public static var parameterTypeName: String { "string" } }
extension Bool: ParameterTypeDescribing { public static var parameterTypeName: String { "boolean" } }
extension Array: ParameterTypeDescribing {
    public static var parameterTypeName: String { "list of " + describeParameterType(Element.self, plural: true) }
}
extension Dictionary: ParameterTypeDescribing {
    public static var parameterTypeName: String { "mapping of names to " + describeParameterType(Value.self, plural: true) }
}

func describeParameterType<T>(_ type: T.Type, plural: Bool = false) -> String {
    let base: String
    if let d = type as? ParameterTypeDescribing.Type {
        base = d.parameterTypeName
    } else {
        base = "mapping"
    }
    guard plural else { return base }
    switch base {
    case "integer": return "integers"
    case "number": return "numbers"
    case "string": return "strings"
    case "boolean": return "booleans"
    case "mapping": return "mappings"
    default: return base
    }
}

func encodeJSON<T: Encodable>(_ value: T) -> JSONValue? {
    try? JSONValueEncoder().encode(value)
}
