/// A Swift `Decoder` over a `ConfigNode`, so that stage and system parameter types are ordinary
/// `Decodable` types. Type errors become `Diagnostic`s with the node's `file:line:column` and the
/// key path; keys that the type never asked for are reported as unknown by the session.
public final class ConfigNodeDecoder: Decoder {
    /// nil when the key is absent (defaults apply) or when documenting the catalogue.
    let node: ConfigNode?
    public let codingPath: [CodingKey]
    let session: ParameterSession

    public var userInfo: [CodingUserInfoKey: Any] { [ParameterSession.userInfoKey: session] }

    init(node: ConfigNode?, codingPath: [CodingKey], session: ParameterSession) {
        self.node = node
        self.codingPath = codingPath
        self.session = session
    }

    var location: SourceLocation { node?.location ?? session.fallbackLocation }

    func fail(_ message: String) -> Diagnostic {
        session.diagnostic(message, at: location, path: codingPath)
    }

    public func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let entries: [ConfigEntry]
        if let node {
            if let e = node.entries {
                entries = e
            } else if node.isNull {
                entries = []
            } else {
                throw fail("expected a mapping of keys to values, got \(node.kindDescription)")
            }
        } else {
            entries = []
        }
        let tracker = session.tracker(for: node, entries: entries, path: codingPath)
        session.recordContainer(list: false, at: codingPath)
        return KeyedDecodingContainer(NodeKeyedContainer<Key>(decoder: self, entries: entries, tracker: tracker))
    }

    public func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        let items: [ConfigNode]
        if let node, let list = node.items {
            items = list
        } else if node == nil || node!.isNull {
            items = []
        } else {
            throw fail("expected a list, got \(node!.kindDescription)")
        }
        session.recordContainer(list: true, at: codingPath)
        return NodeUnkeyedContainer(decoder: self, items: items)
    }

    public func singleValueContainer() throws -> SingleValueDecodingContainer {
        NodeSingleValueContainer(decoder: self)
    }
}

/// Records which keys a parameter type asked for in one mapping; the others are unknown keys.
final class KeyTracker {
    let entries: [ConfigEntry]
    let path: [String]
    var attempted: Set<String> = []

    init(entries: [ConfigEntry], path: [String]) {
        self.entries = entries
        self.path = path
    }
}

struct NodeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: ConfigNodeDecoder
    let entries: [ConfigEntry]
    let tracker: KeyTracker

    var codingPath: [CodingKey] { decoder.codingPath }
    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool {
        tracker.attempted.insert(key.stringValue)
        return entries.contains { $0.key == key.stringValue }
    }

    func child(_ key: Key) -> ConfigNodeDecoder {
        tracker.attempted.insert(key.stringValue)
        let node = entries.first { $0.key == key.stringValue }?.value
        return ConfigNodeDecoder(node: node, codingPath: codingPath + [key], session: decoder.session)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        let c = child(key)
        return c.node == nil || c.node!.isNull
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let c = child(key)
        if c.node == nil {
            throw decoder.session.diagnostic("required key '\(key.stringValue)' is missing", at: decoder.location,
                                             path: codingPath + [key])
        }
        return try T(from: c)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> Decoder { child(key) }
}

struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ i: Int) { stringValue = "[\(i)]"; intValue = i }
    /// Stands for "each element" in documentation paths (`figures[].type`).
    static let element = IndexKey(stringValue: "[]")!
    init?(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    init?(intValue: Int) { self.init(intValue) }
}

struct NodeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: ConfigNodeDecoder
    let items: [ConfigNode]
    var currentIndex = 0

    init(decoder: ConfigNodeDecoder, items: [ConfigNode]) {
        self.decoder = decoder
        self.items = items
    }

    var codingPath: [CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next() throws -> ConfigNodeDecoder {
        guard !isAtEnd else { throw decoder.fail("the list has too few elements") }
        defer { currentIndex += 1 }
        return ConfigNodeDecoder(node: items[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)],
                                 session: decoder.session)
    }

    mutating func decodeNil() throws -> Bool {
        if !isAtEnd, items[currentIndex].isNull { currentIndex += 1; return true }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { try next() }
}

extension ScalarValue {
    /// An integer, or a number written with a fraction or exponent whose value is whole (1e12).
    var isWholeNumber: Bool {
        switch self {
        case .int: return true
        case .double(let d): return d.isFinite && d.rounded() == d
        default: return false
        }
    }
}

struct NodeSingleValueContainer: SingleValueDecodingContainer {
    let decoder: ConfigNodeDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    func scalar(_ expected: String) throws -> (ScalarValue, String) {
        guard let node = decoder.node else { throw decoder.fail("expected \(expected), but the key is missing") }
        guard case .scalar(let text, let quoted) = node.value else {
            throw decoder.fail("expected \(expected), got \(node.kindDescription)")
        }
        return (ScalarValue(text, quoted: quoted), text)
    }

    func decodeNil() -> Bool { decoder.node == nil || decoder.node!.isNull }

    /// Every leaf read is recorded as the resolved value at its key path, in the decoded type.
    func resolved<T>(_ value: T, _ json: JSONValue) -> T {
        decoder.session.recordResolved(json, at: codingPath)
        return value
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        let (v, _) = try scalar("true or false")
        if case .bool(let b) = v { return resolved(b, .bool(b)) }
        throw decoder.fail("expected true or false, got \(v.kindDescription)")
    }

    func decode(_ type: String.Type) throws -> String {
        let (v, text) = try scalar("a string")
        if case .null = v { throw decoder.fail("expected a string, got null") }
        return resolved(text, .string(text))
    }

    func decode(_ type: Double.Type) throws -> Double {
        let (v, _) = try scalar("a number")
        let d: Double
        switch v {
        case .double(let x): d = x
        case .int(let i): d = Double(i)
        default: throw decoder.fail("expected a number, got \(v.kindDescription)")
        }
        // NaN passes every range check and ±∞ overflows sizes and sums, so no parameter takes
        // them. The error is recorded here too, so that a type probing several spellings with
        // `try?` (a number or 'auto') cannot swallow it.
        guard d.isFinite else {
            let error = decoder.fail("must be a finite number (got \(d)); .nan and .inf are not accepted")
            decoder.session.record(error)
            throw error
        }
        return resolved(d, .double(d))
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    /// Every integer is bounded by `InputLimits.maxInteger` (see there): counts beyond it cannot
    /// be allocated and their products overflow.
    func integer(_ expected: String = "an integer") throws -> Int64 {
        let (v, text) = try scalar(expected)
        switch v {
        case .int(let n) where n.magnitude <= InputLimits.maxInteger.magnitude: return n
        case .double(let d) where d.rounded() == d && abs(d) <= Double(InputLimits.maxInteger): return Int64(d)
        case _ where v.isWholeNumber:
            throw decoder.fail("must be at most \(InputLimits.maxIntegerText) in magnitude (got \(text)); larger counts cannot be allocated")
        default: throw decoder.fail("expected \(expected), got \(v.kindDescription)")
        }
    }

    func decode(_ type: Int.Type) throws -> Int { try narrow(integer()) }
    func decode(_ type: Int8.Type) throws -> Int8 { try narrow(integer()) }
    func decode(_ type: Int16.Type) throws -> Int16 { try narrow(integer()) }
    func decode(_ type: Int32.Type) throws -> Int32 { try narrow(integer()) }
    func decode(_ type: Int64.Type) throws -> Int64 { try narrow(integer()) }
    func decode(_ type: UInt.Type) throws -> UInt { try narrow(integer("a non-negative integer")) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try narrow(integer("a non-negative integer")) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try narrow(integer("a non-negative integer")) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try narrow(integer("a non-negative integer")) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try narrow(integer("a non-negative integer")) }

    func narrow<T: FixedWidthInteger>(_ v: Int64) throws -> T {
        guard let t = T(exactly: v) else { throw decoder.fail("\(v) is out of range for \(T.self)") }
        return resolved(t, .int(v))
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }
}
