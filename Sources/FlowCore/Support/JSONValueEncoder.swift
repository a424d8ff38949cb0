/// Encodes any `Encodable` into a `JSONValue`, so that resolved parameters (defaults filled in)
/// can be written canonically into cache-key manifests without going through Foundation's
/// JSONEncoder, whose number formatting is not part of any contract.
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = JSONBox()
        try root.set(value, codingPath: [])
        return root.resolve()
    }
}

/// A mutable slot in the tree being built; containers write into their parent's box.
final class JSONBox {
    var value: JSONValue = .null
    var object: [String: JSONBox]?
    var array: [JSONBox]?

    func resolve() -> JSONValue {
        if let object { return .object(object.mapValues { $0.resolve() }) }
        if let array { return .array(array.map { $0.resolve() }) }
        return value
    }

    /// The box at a key path (mappings by name, lists by index), created on the way; nil for the
    /// documentation placeholder `[]`, which names no element.
    func box(at path: [CodingKey]) -> JSONBox? {
        var box = self
        for key in path {
            if let i = key.intValue {
                if box.array == nil { box.array = []; box.object = nil }
                while box.array!.count <= i { box.array!.append(JSONBox()) }
                box = box.array![i]
            } else {
                if key.stringValue == "[]" { return nil }
                if box.object == nil { box.object = [:]; box.array = nil }
                if box.object![key.stringValue] == nil { box.object![key.stringValue] = JSONBox() }
                box = box.object![key.stringValue]!
            }
        }
        return box
    }
}

struct BoxEncoder: Encoder {
    let box: JSONBox
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if box.object == nil { box.object = [:] }
        return KeyedEncodingContainer(BoxKeyed<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if box.array == nil { box.array = [] }
        return BoxUnkeyed(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        BoxSingle(box: box, codingPath: codingPath)
    }
}

extension JSONBox {
    func set<T: Encodable>(_ v: T, codingPath: [CodingKey]) throws {
        switch v {
        case let b as Bool: value = .bool(b)
        case let s as String: value = .string(s)
        case let d as Double: value = .double(d)
        case let f as Float: value = .double(Double(f))
        case let i as Int: value = .int(Int64(i))
        case let i as Int64: value = .int(i)
        case let i as Int32: value = .int(Int64(i))
        case let i as UInt64: value = .int(Int64(bitPattern: i))
        case let i as UInt32: value = .int(Int64(i))
        case let j as JSONValue: value = j
        default: try v.encode(to: BoxEncoder(box: self, codingPath: codingPath))
        }
    }
}

struct BoxKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: JSONBox
    let codingPath: [CodingKey]

    func child(_ key: Key) -> JSONBox {
        let b = JSONBox()
        box.object![key.stringValue] = b
        return b
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).value = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try child(key).set(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> {
        BoxEncoder(box: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        BoxEncoder(box: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { BoxEncoder(box: box, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder { BoxEncoder(box: child(key), codingPath: codingPath + [key]) }
}

struct BoxUnkeyed: UnkeyedEncodingContainer {
    let box: JSONBox
    let codingPath: [CodingKey]
    var count: Int { box.array!.count }

    func next() -> JSONBox {
        let b = JSONBox()
        box.array!.append(b)
        return b
    }

    mutating func encodeNil() throws { next().value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try next().set(value, codingPath: codingPath + [IndexKey(count)])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey> {
        BoxEncoder(box: next(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        BoxEncoder(box: next(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { BoxEncoder(box: next(), codingPath: codingPath) }
}

struct BoxSingle: SingleValueEncodingContainer {
    let box: JSONBox
    let codingPath: [CodingKey]
    mutating func encodeNil() throws { box.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try box.set(value, codingPath: codingPath) }
}
