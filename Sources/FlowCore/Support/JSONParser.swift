/// A strict JSON parser that keeps what `JSONValue.canonical` writes exactly: numbers with a
/// fraction or exponent stay doubles, others integers, so a manifest read back from a record
/// compares equal to the one it was written from (Foundation's decoder cannot promise that).
struct JSONParser {
    let bytes: [UInt8]
    var i = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    static func parse(_ text: String) throws -> JSONValue {
        var p = JSONParser(text)
        let v = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.error("unexpected text after the value") }
        return v
    }

    func error(_ m: String) -> FlowError { FlowError.io("invalid JSON at byte \(i): \(m)") }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    mutating func value() throws -> JSONValue {
        skipSpace()
        guard i < bytes.count else { throw error("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var d: [String: JSONValue] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(d) }
            while true {
                skipSpace()
                let k = try string()
                skipSpace()
                try expect(":")
                d[k] = try value()
                skipSpace()
                if try consumeEither(",", "}") { return .object(d) }
            }
        case UInt8(ascii: "["):
            i += 1
            var a: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                a.append(try value())
                skipSpace()
                if try consumeEither(",", "]") { return .array(a) }
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return try number()
        }
    }

    mutating func expect(_ c: Character) throws {
        guard i < bytes.count, bytes[i] == c.asciiValue! else { throw error("expected '\(c)'") }
        i += 1
    }

    /// Consumes `more` (returns false) or `end` (returns true).
    mutating func consumeEither(_ more: Character, _ end: Character) throws -> Bool {
        guard i < bytes.count else { throw error("unexpected end") }
        if bytes[i] == more.asciiValue! { i += 1; return false }
        if bytes[i] == end.asciiValue! { i += 1; return true }
        throw error("expected '\(more)' or '\(end)'")
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw error("expected \(word)") }
        i += w.count
    }

    mutating func number() throws -> JSONValue {
        let start = i
        var isDouble = false
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isDouble = true }
            if (c >= 0x30 && c <= 0x39) || "+-.eE".utf8.contains(c) { i += 1 } else { break }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if !isDouble, let v = Int64(text) { return .int(v) }
        guard let d = Double(text) else { throw error("bad number '\(text)'") }
        return .double(d)
    }

    mutating func string() throws -> String {
        try expect("\"")
        var out = [UInt8]()
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard i + 4 <= bytes.count, var code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                    throw error("bad \\u escape")
                }
                i += 4
                if (0xD800..<0xDC00).contains(code), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
                   let low = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
            default: out.append(e)
            }
        }
        throw error("unterminated string")
    }
}
