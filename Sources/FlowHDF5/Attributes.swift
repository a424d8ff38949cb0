import CHDF5

/// An attribute value. Single values are stored as scalar attributes and lists as one-dimensional
/// ones, so `.double(1)` and `.doubles([1])` stay distinct. Numbers are stored as float64/int64
/// and strings as variable-length UTF-8; reading also accepts narrower numbers written by other
/// tools (any float becomes `.double(s)`, any integer `.int(s)`, multi-dimensional ones flattened).
public enum HDF5AttributeValue: Equatable, Sendable {
    case double(Double), int(Int64), string(String), doubles([Double]), ints([Int64]), strings([String])
}

/// Groups and datasets carry attributes the same way; this protocol gives both the same methods.
public protocol HDF5AttributeHolder: AnyObject {
    /// The object's absolute path inside its file.
    var path: String { get }
    /// The file the object belongs to.
    var file: HDF5File { get }
}

public extension HDF5AttributeHolder {
    /// Sets (or replaces) an attribute.
    func setAttribute(_ name: String, _ value: HDF5AttributeValue) throws {
        let operation = "write attribute '\(name)' of"
        try withObject(operation) { object, site in
            if try site.call(operation, { H5Aexists(object, name) }) > 0 {
                try site.call(operation) { H5Adelete(object, name) }
            }
            let writer = AttributeWriter(object: object, name: name, site: site, operation: operation)
            switch value {
            case .double(let number): try writer.write(numbers: [number], shape: [])
            case .int(let number): try writer.write(numbers: [number], shape: [])
            case .string(let text): try writer.write(strings: [text], shape: [])
            case .doubles(let numbers): try writer.write(numbers: numbers, shape: [numbers.count])
            case .ints(let numbers): try writer.write(numbers: numbers, shape: [numbers.count])
            case .strings(let texts): try writer.write(strings: texts, shape: [texts.count])
            }
        }
    }

    /// The attribute's value, nil when there is no attribute of that name.
    func attribute(_ name: String) throws -> HDF5AttributeValue? {
        let operation = "read attribute '\(name)' of"
        return try withObject(operation) { object, site in
            guard try site.call(operation, { H5Aexists(object, name) }) > 0 else { return nil }
            let attribute = try site.call(operation) { H5Aopen(object, name, flow_h5p_default()) }
            defer { H5Aclose(attribute) }
            return try AttributeReader(attribute: attribute, site: site, operation: operation).value()
        }
    }

    /// Attribute names sorted by UTF-8 bytes.
    func attributeNames() throws -> [String] {
        let operation = "list attributes of"
        return try withObject(operation) { object, site in
            var info = H5O_info_t()
            try site.call(operation) { H5Oget_info2(object, &info, UInt32(H5O_INFO_NUM_ATTRS)) }
            return try (0..<info.num_attrs).map { index in
                try site.name(operation) { buffer, size in
                    H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, flow_h5p_default())
                }
            }.sortedByBytes()
        }
    }
}

extension HDF5AttributeHolder {
    /// Opens this object for the duration of `body`.
    private func withObject<R>(_ operation: String, _ body: (hid_t, HDF5Site) throws -> R) throws -> R {
        let site = file.site(path)
        let fileID = try file.openID(for: operation, site: site)
        let object = try site.call(operation) { H5Oopen(fileID, path, flow_h5p_default()) }
        defer { H5Oclose(object) }
        return try body(object, site)
    }
}

/// Creates one attribute and writes its value.
private struct AttributeWriter {
    let object: hid_t
    let name: String
    let site: HDF5Site
    let operation: String

    func write<T: HDF5Scalar>(numbers: [T], shape: [Int]) throws {
        let type = try T.numericType(at: site, for: operation)
        try numbers.withUnsafeBytes { bytes in
            try write(fileType: type.littleEndian, memoryType: type.native, shape: shape, buffer: bytes.baseAddress)
        }
    }

    func write(strings: [String], shape: [Int]) throws {
        let type = try StringCoding.variableUTF8Type(site: site, operation: operation)
        defer { H5Tclose(type) }
        try StringCoding.withCStringPointers(strings, site: site, operation: operation) { pointers in
            try write(fileType: type, memoryType: type, shape: shape, buffer: pointers)
        }
    }

    private func write(fileType: hid_t, memoryType: hid_t, shape: [Int], buffer: UnsafeRawPointer?) throws {
        let space = try Dataspace.create(shape: shape, unlimitedRows: false, site: site, operation: operation)
        defer { H5Sclose(space) }
        let attribute = try site.call(operation) {
            H5Acreate2(object, name, fileType, space, flow_h5p_default(), flow_h5p_default())
        }
        defer { H5Aclose(attribute) }
        if let buffer = buffer, shape.first != 0 {
            try site.call(operation) { H5Awrite(attribute, memoryType, buffer) }
        }
    }
}

/// Reads one open attribute into the matching `HDF5AttributeValue` case.
private struct AttributeReader {
    let attribute: hid_t
    let site: HDF5Site
    let operation: String

    func value() throws -> HDF5AttributeValue {
        let fileType = try site.call(operation) { H5Aget_type(attribute) }
        defer { H5Tclose(fileType) }
        let space = try site.call(operation) { H5Aget_space(attribute) }
        defer { H5Sclose(space) }
        let shape = try Dataspace.shape(of: space, site: site, operation: operation)
        let count = try Dataspace.elementCount(shape, site: site, operation: operation)
        let scalar = shape.isEmpty
        switch HDF5ElementType(fileType: fileType) {
        case .string?:
            let texts = try StringCoding.read(count: count, fileType: fileType, site: site, operation: operation) { memoryType, buffer in
                try site.call(operation) { H5Aread(attribute, memoryType, buffer) }
            }
            return scalar ? .string(texts[0]) : .strings(texts)
        case .float64?, .float32?:
            let numbers = try read(count: count, as: Double.self)
            return scalar ? .double(numbers[0]) : .doubles(numbers)
        case .int64?, .int32?, .uint8?:
            let numbers = try read(count: count, as: Int64.self)
            return scalar ? .int(numbers[0]) : .ints(numbers)
        case nil:
            throw site.error(operation, "unsupported attribute type (not a number or a string)")
        }
    }

    private func read<T: HDF5Scalar>(count: Int, as type: T.Type) throws -> [T] {
        let memoryType = try T.numericType(at: site, for: operation).native
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                try site.call(operation) { H5Aread(attribute, memoryType, buffer.baseAddress!) }
            }
            initialized = count
        }
    }
}
