import CHDF5

/// Writing and reading the datasets of a group. A name may be a path ("network/layer0/weight"):
/// missing groups on the way are created.
extension HDF5Group {
    /// Writes `values` (row-major) as a new dataset of `shape`; `[]` makes a scalar dataset.
    public func write<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int]) throws {
        let target = try resolve(name, for: "write dataset")
        try checkCount(values.count, shape: shape, at: target)
        let numeric = try T.numericType(at: file.site(target), for: "write dataset")
        try makeDataset(target, fileType: numeric.littleEndian, elementType: T.hdf5ElementType, shape: shape,
                        extendableRows: false, chunkRows: nil).writeAll(values)
    }

    /// Writes strings as a new dataset of `shape` (default: one axis of `strings.count`), stored
    /// as variable-length UTF-8 (see `StringCoding`: h5py reads them with `dset.asstr()[...]`).
    public func write(_ name: String, strings: [String], shape: [Int]? = nil) throws {
        let operation = "write dataset"
        let target = try resolve(name, for: operation)
        let shape = shape ?? [strings.count]
        try checkCount(strings.count, shape: shape, at: target)
        try StringCoding.checkStorable(strings, site: file.site(target), operation: operation)
        let type = try StringCoding.variableUTF8Type(site: file.site(target), operation: operation)
        defer { H5Tclose(type) }
        try makeDataset(target, fileType: type, elementType: .string, shape: shape, extendableRows: false, chunkRows: nil)
            .writeAll(strings: strings, type: type)
    }

    /// All values of a numeric dataset, converted to `T`, with its shape.
    public func read<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> (values: [T], shape: [Int]) {
        let dataset = try self.dataset(name)
        return (try dataset.read(as: type), dataset.shape)
    }

    /// All values of a string dataset in row-major order.
    public func readStrings(_ name: String) throws -> [String] {
        try dataset(name).readStrings()
    }

    /// Creates an empty dataset to be filled with `HDF5Dataset.writeRows`, for outputs too large to
    /// hold in memory at once. With `extendableRows` the first axis starts at `shape[0]` rows and
    /// grows as rows are written. Extendable or `chunkRows`-given datasets are chunked by rows
    /// (default: about 1 MiB per chunk), which is what makes row-block reads and appends cheap.
    public func createDataset<T: HDF5Scalar>(_ name: String, of type: T.Type, shape: [Int],
                                             extendableRows: Bool = false, chunkRows: Int? = nil) throws -> HDF5Dataset {
        let operation = "create dataset"
        let target = try resolve(name, for: operation)
        let numeric = try T.numericType(at: file.site(target), for: operation)
        return try makeDataset(target, fileType: numeric.littleEndian, elementType: T.hdf5ElementType, shape: shape,
                               extendableRows: extendableRows, chunkRows: chunkRows)
    }

    private func checkCount(_ count: Int, shape: [Int], at target: String) throws {
        let site = file.site(target)
        let expected = try Dataspace.elementCount(shape, site: site, operation: "write dataset")
        guard count == expected else {
            throw site.error("write dataset", "\(count) values given for shape \(shape) (\(expected) elements)")
        }
    }

    /// Creates the dataset (and missing parent groups) with time tracking off.
    private func makeDataset(_ target: String, fileType: hid_t, elementType: HDF5ElementType, shape: [Int],
                             extendableRows: Bool, chunkRows: Int?) throws -> HDF5Dataset {
        let operation = "create dataset"
        let site = file.site(target)
        let chunked = extendableRows || chunkRows != nil
        if chunked && shape.isEmpty { throw site.error(operation, "a scalar dataset has no rows to extend or chunk") }
        if let rows = chunkRows, rows < 1 { throw site.error(operation, "chunkRows must be at least 1, not \(rows)") }
        try HDF5Group.makeGroups(upTo: HDF5Path.parent(of: target), in: file)
        let space = try Dataspace.create(shape: shape, unlimitedRows: extendableRows, site: site, operation: operation)
        defer { H5Sclose(space) }
        let properties = try site.call(operation) { H5Pcreate(flow_h5p_dataset_create()) }
        defer { H5Pclose(properties) }
        try site.call(operation) { H5Pset_obj_track_times(properties, false) }
        if chunked {
            let chunk = try chunkShape(shape, rows: chunkRows, extendable: extendableRows, elementSize: H5Tget_size(fileType), site: site)
            try site.call(operation) { H5Pset_chunk(properties, Int32(chunk.count), chunk) }
        }
        let fileID = try file.openID(for: operation, site: site)
        let id = try site.call(operation) {
            H5Dcreate2(fileID, target, fileType, space, flow_h5p_default(), properties, flow_h5p_default())
        }
        return HDF5Dataset(file: file, path: target, id: id, elementType: elementType)
    }

    /// Whole rows per chunk: `rows` if given, else about 1 MiB worth; never more rows than a
    /// fixed-size first axis has, and at least one element along every axis (HDF5 requires both).
    private func chunkShape(_ shape: [Int], rows: Int?, extendable: Bool, elementSize: Int, site: HDF5Site) throws -> [hsize_t] {
        let rowBytes = try Dataspace.elementCount(Array(shape.dropFirst()), site: site, operation: "create dataset") * max(1, elementSize)
        var chunkRows = rows ?? max(1, (1 << 20) / max(1, rowBytes))
        if !extendable { chunkRows = min(chunkRows, max(1, shape[0])) }
        return ([chunkRows] + shape.dropFirst().map { max(1, $0) }).map { hsize_t($0) }
    }
}
