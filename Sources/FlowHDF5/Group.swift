import CHDF5

/// A group in an open file, addressed by its absolute path. It holds no HDF5 handle of its own:
/// each operation opens what it needs and closes it again, so a group can never leak a handle or
/// outlive its file's `close()` in a broken state.
public final class HDF5Group: HDF5AttributeHolder {
    /// Absolute path: "/", "/network/layer0".
    public let path: String
    /// The file this group belongs to (kept open while the group is in use).
    public let file: HDF5File

    init(file: HDF5File, path: String) {
        self.file = file
        self.path = path
    }

    /// Creates the group `name` (which may be a path "a/b/c") and any missing groups above it,
    /// like `mkdir -p`: groups that already exist are reused.
    @discardableResult
    public func createGroup(_ name: String) throws -> HDF5Group {
        let target = try resolve(name, for: "create group")
        try Self.makeGroups(upTo: target, in: file)
        return HDF5Group(file: file, path: target)
    }

    /// The existing group `name` (a relative path, may contain "/").
    public func group(_ name: String) throws -> HDF5Group {
        let operation = "open group"
        let target = try resolve(name, for: operation)
        let id = try file.openID(for: operation, site: file.site(target))
        let group = try file.site(target).call(operation) { H5Gopen2(id, target, flow_h5p_default()) }
        H5Gclose(group)
        return HDF5Group(file: file, path: target)
    }

    /// Whether `name` leads to an object (group or dataset). False for invalid paths and dangling links.
    public func contains(_ name: String) -> Bool {
        guard let target = HDF5Path.resolve(name, in: path), let id = try? file.openID(for: "look up", site: file.site(target)) else {
            return false
        }
        HDF5Runtime.prepareThread()
        for prefix in HDF5Path.prefixes(of: target) where H5Lexists(id, prefix, flow_h5p_default()) <= 0 {
            return false
        }
        return H5Oexists_by_name(id, target, flow_h5p_default()) > 0
    }

    /// Whether `name` leads to a group.
    public func isGroup(_ name: String) -> Bool {
        guard contains(name), let target = HDF5Path.resolve(name, in: path) else { return false }
        return (try? Self.objectInfo(target, in: file).type) == H5O_TYPE_GROUP
    }

    /// The names of the group's members, sorted by UTF-8 bytes.
    public func children() throws -> [String] {
        let operation = "list group"
        let site = file.site(path)
        let id = try file.openID(for: operation, site: site)
        let group = try site.call(operation) { H5Gopen2(id, path, flow_h5p_default()) }
        defer { H5Gclose(group) }
        var info = H5G_info_t()
        try site.call(operation) { H5Gget_info(group, &info) }
        return try (0..<info.nlinks).map { index in
            try site.name(operation) { buffer, size in
                H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, flow_h5p_default())
            }
        }.sortedByBytes()
    }

    /// The existing dataset `name`.
    public func dataset(_ name: String) throws -> HDF5Dataset {
        try HDF5Dataset(file: file, path: resolve(name, for: "open dataset"))
    }

    // MARK: Helpers shared with datasets

    /// The absolute path of `name` below this group, or an error naming the bad path.
    func resolve(_ name: String, for operation: String) throws -> String {
        guard let target = HDF5Path.resolve(name, in: path) else {
            throw file.site(path).error(operation, "invalid object name '\(name)'")
        }
        return target
    }

    /// Creates each missing group along `target` with time tracking off. HDF5's own "create
    /// intermediate groups" link property would give those groups default (time-tracking)
    /// creation properties, so they are made one by one here.
    static func makeGroups(upTo target: String, in file: HDF5File) throws {
        let operation = "create group"
        for prefix in HDF5Path.prefixes(of: target) {
            let site = file.site(prefix)
            let id = try file.openID(for: operation, site: site)
            if try site.call(operation, { H5Lexists(id, prefix, flow_h5p_default()) }) > 0 {
                guard try objectInfo(prefix, in: file).type == H5O_TYPE_GROUP else {
                    throw site.error(operation, "exists and is not a group")
                }
                continue
            }
            let properties = try site.call(operation) { H5Pcreate(flow_h5p_group_create()) }
            defer { H5Pclose(properties) }
            try site.call(operation) { H5Pset_obj_track_times(properties, false) }
            let group = try site.call(operation) {
                H5Gcreate2(id, prefix, flow_h5p_default(), properties, flow_h5p_default())
            }
            H5Gclose(group)
        }
    }

    /// Basic facts (kind, address) about the object at an absolute path, following links.
    static func objectInfo(_ target: String, in file: HDF5File) throws -> H5O_info_t {
        let operation = "inspect object"
        let site = file.site(target)
        let id = try file.openID(for: operation, site: site)
        var info = H5O_info_t()
        try site.call(operation) { H5Oget_info_by_name2(id, target, &info, UInt32(H5O_INFO_BASIC), flow_h5p_default()) }
        return info
    }
}
