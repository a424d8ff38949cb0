import CHDF5

/// An open dataset. It holds its HDF5 handle (reading row blocks in a training loop should not
/// reopen it each time) and closes it when released; after its file's `close()` every operation
/// fails with "the file is closed".
public final class HDF5Dataset: HDF5AttributeHolder {
    /// Absolute path inside the file.
    public let path: String
    /// The file this dataset belongs to (kept open while the dataset is in use).
    public let file: HDF5File
    /// How the elements read (see `HDF5ElementType.init(fileType:)` for files from other tools).
    public let elementType: HDF5ElementType
    private let id: hid_t

    /// Opens the dataset at an absolute path; refuses element types flow cannot read.
    convenience init(file: HDF5File, path: String) throws {
        let operation = "open dataset"
        let site = file.site(path)
        let fileID = try file.openID(for: operation, site: site)
        let id = try site.call(operation) { H5Dopen2(fileID, path, flow_h5p_default()) }
        let type = H5Dget_type(id)
        defer { if type >= 0 { H5Tclose(type) } }
        guard type >= 0, let elementType = HDF5ElementType(fileType: type) else {
            H5Dclose(id)
            throw site.error(operation, "unsupported element type (not a number or a string)")
        }
        self.init(file: file, path: path, id: id, elementType: elementType)
    }

    /// Wraps a dataset this module has just created.
    init(file: HDF5File, path: String, id: hid_t, elementType: HDF5ElementType) {
        self.file = file
        self.path = path
        self.id = id
        self.elementType = elementType
    }

    deinit {
        if file.isOpen { H5Dclose(id) }
    }

    /// The current extent (it grows as rows are written to an extendable dataset); [] for a
    /// scalar, and also [] when the file is closed.
    public var shape: [Int] { (try? extent(for: "read shape of").shape) ?? [] }

    /// All elements in row-major order, converted to `T` (e.g. float32 in the file → Double).
    public func read<T: HDF5Scalar>(as type: T.Type) throws -> [T] {
        let operation = "read dataset"
        return try readNumbers(try select(nil, for: operation), as: type, operation: operation)
    }

    /// The elements of rows `rows` (a hyperslab on the first axis) in row-major order.
    public func readRows<T: HDF5Scalar>(_ rows: Range<Int>, as type: T.Type) throws -> [T] {
        let operation = "read rows \(rows.lowerBound)..<\(rows.upperBound) of dataset"
        return try readNumbers(try select(rows, for: operation), as: type, operation: operation)
    }

    /// All elements of a string dataset in row-major order.
    public func readStrings() throws -> [String] {
        try readStrings(try select(nil, for: "read strings of dataset"))
    }

    /// Writes whole rows starting at `firstRow`; `values.count` must be a multiple of the row size.
    /// An extendable dataset grows to hold them; a fixed one must already have those rows.
    /// `T` must be the dataset's element type (no silent narrowing or widening on write).
    public func writeRows<T: HDF5Scalar>(_ values: [T], at firstRow: Int) throws {
        let operation = "write rows from \(firstRow) of dataset"
        let site = file.site(path)
        let memoryType = try writableType(T.self, operation: operation)
        let (shape, maxRows) = try extent(for: operation)
        guard let rows = shape.first else { throw site.error(operation, "a scalar dataset has no rows") }
        let rowSize = try Dataspace.elementCount(Array(shape.dropFirst()), site: site, operation: operation)
        guard rowSize > 0 ? values.count % rowSize == 0 : values.isEmpty, firstRow >= 0 else {
            throw site.error(operation, "\(values.count) values are not whole rows of \(rowSize) elements at row \(firstRow)")
        }
        let end = firstRow + (rowSize > 0 ? values.count / rowSize : 0)
        if end > rows {
            guard maxRows.map({ end <= $0 }) ?? true else {
                throw site.error(operation, "rows up to \(end) do not fit in \(rows) rows (the dataset is not extendable)")
            }
            let dims = ([end] + shape.dropFirst()).map { hsize_t($0) }
            try site.call(operation) { H5Dset_extent(id, dims) }
        }
        try writeNumbers(values, memoryType: memoryType, to: try select(firstRow..<end, for: operation), operation: operation)
    }

    // MARK: Whole-dataset writes and block reads used by groups and the content digest

    /// Writes every element at once; `values.count` must match the shape.
    func writeAll<T: HDF5Scalar>(_ values: [T]) throws {
        let operation = "write dataset"
        let memoryType = try writableType(T.self, operation: operation)
        try writeNumbers(values, memoryType: memoryType, to: try select(nil, for: operation), operation: operation)
    }

    /// Writes every element of a string dataset at once.
    func writeAll(strings: [String], type: hid_t) throws {
        let operation = "write dataset"
        let site = file.site(path)
        let selection = try select(nil, for: operation)
        try checkCount(strings.count, selection, operation: operation)
        try StringCoding.withCStringPointers(strings, site: site, operation: operation) { pointers in
            try transfer(.write, selection, memoryType: type, buffer: UnsafeMutableRawPointer(mutating: pointers), operation: operation)
        }
    }

    /// The selected elements as little-endian bytes of the element type's standard layout.
    func readLittleEndianBytes(_ selection: Selection, type: NumericType) throws -> [UInt8] {
        try readBuffer(selection, memoryType: type.littleEndian, count: selection.count * type.size, operation: "read dataset")
    }

    /// The selected elements of a string dataset.
    func readStrings(_ selection: Selection) throws -> [String] {
        let operation = "read strings of dataset"
        let site = file.site(path)
        let type = try site.call(operation) { H5Dget_type(id) }
        defer { H5Tclose(type) }
        return try StringCoding.read(count: selection.count, fileType: type, site: site, operation: operation) { memoryType, buffer in
            try transfer(.read, selection, memoryType: memoryType, buffer: buffer, operation: operation)
        }
    }

    /// A validated choice of elements: whole rows, or everything when `rows` is nil.
    struct Selection {
        let rows: Range<Int>?
        let shape: [Int]
        let count: Int
    }

    /// Checks `rows` against the current shape and counts the elements it selects.
    func select(_ rows: Range<Int>?, for operation: String) throws -> Selection {
        let site = file.site(path)
        let shape = try extent(for: operation).shape
        guard let rows = rows else {
            return Selection(rows: nil, shape: shape, count: try Dataspace.elementCount(shape, site: site, operation: operation))
        }
        guard let rowCount = shape.first else { throw site.error(operation, "a scalar dataset has no rows") }
        guard rows.lowerBound >= 0, rows.upperBound <= rowCount else {
            throw site.error(operation, "rows \(rows.lowerBound)..<\(rows.upperBound) are outside 0..<\(rowCount)")
        }
        let selected = [rows.count] + shape.dropFirst()
        return Selection(rows: rows, shape: selected, count: try Dataspace.elementCount(selected, site: site, operation: operation))
    }

    // MARK: Transfers

    private enum Direction { case read, write }

    private func readNumbers<T: HDF5Scalar>(_ selection: Selection, as type: T.Type, operation: String) throws -> [T] {
        guard elementType != .string else {
            throw file.site(path).error(operation, "it holds text, not numbers; name a numeric dataset")
        }
        let memoryType = try T.numericType(at: file.site(path), for: operation).native
        return try readBuffer(selection, memoryType: memoryType, count: selection.count, operation: operation)
    }

    /// Reads the selection into a new array of `count` elements of `E` (the memory type's layout).
    private func readBuffer<E>(_ selection: Selection, memoryType: hid_t, count: Int, operation: String) throws -> [E] {
        try [E](unsafeUninitializedCapacity: count) { buffer, initialized in
            try transfer(.read, selection, memoryType: memoryType, buffer: buffer.baseAddress, operation: operation)
            initialized = count
        }
    }

    /// The memory type for writing `T`, which must be the dataset's own element type: writes never
    /// narrow or widen silently.
    private func writableType<T: HDF5Scalar>(_ type: T.Type, operation: String) throws -> hid_t {
        let site = file.site(path)
        guard T.hdf5ElementType == elementType else {
            throw site.error(operation, "cannot store \(T.hdf5ElementType.rawValue) values in a \(elementType.rawValue) dataset")
        }
        return try T.numericType(at: site, for: operation).native
    }

    private func writeNumbers<T: HDF5Scalar>(_ values: [T], memoryType: hid_t, to selection: Selection, operation: String) throws {
        try checkCount(values.count, selection, operation: operation)
        try values.withUnsafeBytes { bytes in
            try transfer(.write, selection, memoryType: memoryType, buffer: UnsafeMutableRawPointer(mutating: bytes.baseAddress), operation: operation)
        }
    }

    private func checkCount(_ count: Int, _ selection: Selection, operation: String) throws {
        guard count == selection.count else {
            throw file.site(path).error(operation, "\(count) values given for shape \(selection.shape) (\(selection.count) elements)")
        }
    }

    /// Moves the selected elements between the file and `buffer` (laid out for `memoryType`).
    /// Empty selections do nothing, so callers need no special case for zero rows.
    private func transfer(_ direction: Direction, _ selection: Selection, memoryType: hid_t,
                          buffer: UnsafeMutableRawPointer?, operation: String) throws {
        guard selection.count > 0, let buffer = buffer else { return }
        let site = file.site(path)
        _ = try file.openID(for: operation, site: site)
        var memorySpace = flow_h5s_all(), fileSpace = flow_h5s_all()
        defer {
            if memorySpace != flow_h5s_all() { H5Sclose(memorySpace) }
            if fileSpace != flow_h5s_all() { H5Sclose(fileSpace) }
        }
        if let rows = selection.rows {
            fileSpace = try site.call(operation) { H5Dget_space(id) }
            var start = [hsize_t](repeating: 0, count: selection.shape.count)
            start[0] = hsize_t(rows.lowerBound)
            let count = selection.shape.map { hsize_t($0) }
            try site.call(operation) { H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil) }
            memorySpace = try site.call(operation) { H5Screate_simple(Int32(count.count), count, nil) }
        }
        switch direction {
        case .read:
            try site.call(operation) { H5Dread(id, memoryType, memorySpace, fileSpace, flow_h5p_default(), buffer) }
        case .write:
            try site.call(operation) { H5Dwrite(id, memoryType, memorySpace, fileSpace, flow_h5p_default(), buffer) }
        }
    }

    /// The current shape and, for the first axis, the most rows it may grow to (nil: unlimited).
    private func extent(for operation: String) throws -> (shape: [Int], maxRows: Int?) {
        let site = file.site(path)
        _ = try file.openID(for: operation, site: site)
        let space = try site.call(operation) { H5Dget_space(id) }
        defer { H5Sclose(space) }
        let shape = try Dataspace.shape(of: space, site: site, operation: operation)
        guard !shape.isEmpty else { return (shape, nil) }
        var dims = [hsize_t](repeating: 0, count: shape.count), maxDims = dims
        try site.call(operation) { H5Sget_simple_extent_dims(space, &dims, &maxDims) }
        return (shape, maxDims[0] == flow_h5s_unlimited() ? nil : Int(maxDims[0]))
    }
}
