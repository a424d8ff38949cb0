import CHDF5

/// Shapes and the dataspaces that describe them. Shape `[]` is a scalar dataspace (one element);
/// any other shape is a simple dataspace in row-major (C) order, which is what h5py and numpy use.
enum Dataspace {
    /// The number of elements in `shape`, after checking that no extent is negative and that the
    /// product does not overflow.
    static func elementCount(_ shape: [Int], site: HDF5Site, operation: String) throws -> Int {
        var count = 1
        for extent in shape {
            guard extent >= 0 else { throw site.error(operation, "negative extent in shape \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw site.error(operation, "shape \(shape) has too many elements") }
            count = product
        }
        return count
    }

    /// A new dataspace for `shape`; with `unlimitedRows` the first axis may grow later. The caller
    /// closes it.
    static func create(shape: [Int], unlimitedRows: Bool, site: HDF5Site, operation: String) throws -> hid_t {
        _ = try elementCount(shape, site: site, operation: operation)
        if shape.isEmpty {
            return try site.call(operation) { H5Screate(H5S_SCALAR) }
        }
        let dims = shape.map { hsize_t($0) }
        var maxDims = dims
        if unlimitedRows { maxDims[0] = flow_h5s_unlimited() }
        return try site.call(operation) { H5Screate_simple(Int32(dims.count), dims, maxDims) }
    }

    /// The current extent of a dataspace; a null dataspace (no elements, not even a scalar) is
    /// refused because no shape describes it.
    static func shape(of space: hid_t, site: HDF5Site, operation: String) throws -> [Int] {
        if H5Sget_simple_extent_type(space) == H5S_NULL {
            throw site.error(operation, "the dataspace is null (holds no value)")
        }
        let rank = try site.call(operation) { H5Sget_simple_extent_ndims(space) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        try site.call(operation) { H5Sget_simple_extent_dims(space, &dims, nil) }
        return dims.map { Int($0) }
    }
}
