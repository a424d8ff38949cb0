import Foundation
import FlowCore

/// Reads NumPy `.npy` files (format versions 1.0–3.0; https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
/// little- or big-endian float64/float32/int64/int32, C or Fortran order, any rank. Values come
/// back as Double in C (row-major) order with the original shape.
enum NPYReader {
    struct Array {
        var values: [Double]
        var shape: [Int]
        var descr: String
    }

    static func read(_ path: String) throws -> Array {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NPYError("cannot read '\(path)'")
        }
        return try parse(data, path: path)
    }

    static func parse(_ data: Data, path: String) throws -> Array {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Swift.Array(bytes[1...5]) == Swift.Array("NUMPY".utf8) else {
            throw NPYError("'\(path)' is not a .npy file (missing \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw NPYError("'\(path)' is truncated") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw NPYError("'\(path)' has .npy format version \(major), which is not supported (1–3 are)")
        }
        guard bytes.count >= headerStart + headerLength else { throw NPYError("'\(path)' is truncated in its header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let descr = try field("descr", in: header, path: path)
        let fortran = try field("fortran_order", in: header, path: path) == "True"
        let shapeText = try field("shape", in: header, path: path)
        var shape: [Int] = []
        for dim in shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !dim.isEmpty {
            guard let n = Int(dim), n >= 0 else {
                throw NPYError("'\(path)': the header's shape \(shapeText) has '\(dim)', which is not a non-negative integer; the file is damaged (write it with numpy.save)")
            }
            shape.append(n)
        }
        let order = descr.first
        guard order == "<" || order == ">" || order == "|" || order == "=" else {
            throw NPYError("'\(path)': unsupported dtype '\(descr)'")
        }
        let bigEndian = order == ">"
        let type = String(descr.dropFirst())
        let width: Int
        switch type {
        case "f8", "i8", "u8": width = 8
        case "f4", "i4", "u4": width = 4
        default: throw NPYError("'\(path)': dtype '\(descr)' is not supported; save float64, float32, int64 or int32")
        }
        let start = headerStart + headerLength
        // The header's shape is checked against the bytes present before anything is allocated,
        // so a damaged header is an error, not an overflow or an allocation failure.
        guard let count = InputLimits.product(shape), InputLimits.product([count, width]) != nil else {
            throw NPYError("'\(path)': the header's shape \(shapeText) has more elements than can be represented; the file is damaged (write it with numpy.save)")
        }
        guard bytes.count - start >= count * width else {
            throw NPYError("'\(path)' is truncated: \(count) elements of \(width) bytes expected, \(bytes.count - start) bytes present")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + start
            for i in 0..<count {
                let p = base + i * width
                switch type {
                case "f8":
                    var u = p.loadUnaligned(as: UInt64.self)
                    u = bigEndian ? UInt64(bigEndian: u) : UInt64(littleEndian: u)
                    values[i] = Double(bitPattern: u)
                case "f4":
                    var u = p.loadUnaligned(as: UInt32.self)
                    u = bigEndian ? UInt32(bigEndian: u) : UInt32(littleEndian: u)
                    values[i] = Double(Float(bitPattern: u))
                case "i8", "u8":
                    var u = p.loadUnaligned(as: UInt64.self)
                    u = bigEndian ? UInt64(bigEndian: u) : UInt64(littleEndian: u)
                    values[i] = type == "i8" ? Double(Int64(bitPattern: u)) : Double(u)
                default:
                    var u = p.loadUnaligned(as: UInt32.self)
                    u = bigEndian ? UInt32(bigEndian: u) : UInt32(littleEndian: u)
                    values[i] = type == "i4" ? Double(Int32(bitPattern: u)) : Double(u)
                }
            }
        }
        if fortran, shape.count > 1 { values = toRowMajor(values, shape: shape) }
        return Array(values: values, shape: shape, descr: descr)
    }

    /// Reorders column-major (Fortran) elements into row-major order.
    static func toRowMajor(_ v: [Double], shape: [Int]) -> [Double] {
        var out = [Double](repeating: 0, count: v.count)
        var colStrides = [Int](repeating: 1, count: shape.count)
        for k in 1..<shape.count { colStrides[k] = colStrides[k - 1] * shape[k - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        for i in 0..<v.count {
            var src = 0
            for k in 0..<shape.count { src += index[k] * colStrides[k] }
            out[i] = v[src]
            var k = shape.count - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < shape[k] { break }
                index[k] = 0
                k -= 1
            }
        }
        return out
    }

    static func field(_ name: String, in header: String, path: String) throws -> String {
        guard let r = header.range(of: "'\(name)':") else {
            throw NPYError("'\(path)': the .npy header has no '\(name)'")
        }
        var rest = header[r.upperBound...].drop { $0 == " " }
        if rest.first == "(" {
            let close = rest.firstIndex(of: ")") ?? rest.endIndex
            return String(rest[...close])
        }
        if rest.first == "'" {
            rest = rest.dropFirst()
            return String(rest.prefix { $0 != "'" })
        }
        return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingCharacters(in: .whitespaces)
    }
}

struct NPYError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
