import CHDF5

/// How strings are stored: variable-length, UTF-8 character set. h5py reads such attributes as
/// `str` and such datasets as `str` through `dset.asstr()` (h5py 3 hands out raw `bytes` for every
/// string dataset unless asked to decode), and a variable-length type needs no padding rule or
/// maximum length. Reading also accepts fixed-length and ASCII strings written by other tools.
enum StringCoding {
    /// A new variable-length UTF-8 string type, used both in files and in memory. The caller closes it.
    static func variableUTF8Type(site: HDF5Site, operation: String) throws -> hid_t {
        try stringType(size: flow_h5t_variable(), characterSet: H5T_CSET_UTF8, site: site, operation: operation)
    }

    /// Refuses strings holding a NUL character: as C strings they would silently end there.
    static func checkStorable(_ strings: [String], site: HDF5Site, operation: String) throws {
        if strings.contains(where: { $0.utf8.contains(0) }) {
            throw site.error(operation, "a string contains a NUL character, which HDF5 strings cannot hold")
        }
    }

    /// Calls `body` with a buffer of C-string pointers (what a variable-length string transfer
    /// expects), one per string, pointing into one contiguous copy of the strings.
    static func withCStringPointers<R>(_ strings: [String], site: HDF5Site, operation: String,
                                       _ body: (UnsafeRawPointer) throws -> R) throws -> R {
        try checkStorable(strings, site: site, operation: operation)
        var bytes: [CChar] = []
        var offsets: [Int] = []
        for string in strings {
            offsets.append(bytes.count)
            bytes.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
            bytes.append(0)
        }
        return try bytes.withUnsafeBufferPointer { storage in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in storage.baseAddress.map { $0 + offset } }
            return try pointers.withUnsafeBufferPointer { try body(UnsafeRawPointer($0.baseAddress!)) }
        }
    }

    /// Reads `count` strings stored with `fileType`; `transfer(memoryType, buffer)` performs the
    /// actual H5Dread or H5Aread into a buffer laid out for that memory type.
    static func read(count: Int, fileType: hid_t, site: HDF5Site, operation: String,
                     _ transfer: (hid_t, UnsafeMutableRawPointer) throws -> Void) throws -> [String] {
        guard count > 0 else { return [] }
        let variable = try site.call(operation) { H5Tis_variable_str(fileType) } > 0
        let characterSet = H5Tget_cset(fileType)
        if variable {
            let memoryType = try stringType(size: flow_h5t_variable(), characterSet: characterSet, site: site, operation: operation)
            defer { H5Tclose(memoryType) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try pointers.withUnsafeMutableBufferPointer { try transfer(memoryType, UnsafeMutableRawPointer($0.baseAddress!)) }
            defer { pointers.forEach { H5free_memory($0) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let width = H5Tget_size(fileType)
        guard width > 0 else { throw site.error(operation, "fixed-length string type has no size") }
        let memoryType = try stringType(size: width, characterSet: characterSet, site: site, operation: operation)
        defer { H5Tclose(memoryType) }
        try site.call(operation) { H5Tset_strpad(memoryType, H5T_STR_NULLPAD) }
        var bytes = [UInt8](repeating: 0, count: count * width)
        try bytes.withUnsafeMutableBytes { try transfer(memoryType, $0.baseAddress!) }
        return (0..<count).map { index in
            let field = bytes[index * width ..< (index + 1) * width]
            let end = field.firstIndex(of: 0) ?? field.endIndex
            return String(decoding: field[..<end], as: UTF8.self)
        }
    }

    /// A C string type of `size` bytes (or variable) in `characterSet`. HDF5 refuses to convert
    /// between ASCII and UTF-8, so memory types copy the character set of the file type.
    private static func stringType(size: Int, characterSet: H5T_cset_t, site: HDF5Site, operation: String) throws -> hid_t {
        let type = try site.call(operation) { H5Tcopy(flow_h5t_c_s1()) }
        do {
            try site.call(operation) { H5Tset_size(type, size) }
            try site.call(operation) { H5Tset_cset(type, characterSet) }
        } catch {
            H5Tclose(type)
            throw error
        }
        return type
    }
}
