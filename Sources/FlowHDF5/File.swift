import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open HDF5 file. Groups and datasets obtained from it keep it alive; `close()` (or the last
/// reference going away) really closes it, together with every dataset still open in it, so that
/// a file can be renamed into the store right after `close()` returns (DESIGN §4, commit point).
public final class HDF5File {
    public enum Mode { case readOnly, readWrite }

    /// The path as the caller gave it; errors quote it.
    public let path: String
    private var fileID: hid_t

    private init(path: String, id: hid_t) {
        self.path = path
        self.fileID = id
    }

    deinit { try? close() }

    /// Creates (or truncates) a file. Object time tracking is off for the root group here and for
    /// every group and dataset this module creates, so identical content gives identical bytes.
    public static func create(_ path: String) throws -> HDF5File {
        let site = HDF5Site(file: path, object: nil)
        let operation = "create file"
        let creation = try site.call(operation) { H5Pcreate(flow_h5p_file_create()) }
        defer { H5Pclose(creation) }
        try site.call(operation) { H5Pset_obj_track_times(creation, false) }
        let access = try accessProperties(site: site, operation: operation)
        defer { H5Pclose(access) }
        let id = try site.call(operation) { H5Fcreate(path, flow_h5f_acc_trunc(), creation, access) }
        return HDF5File(path: path, id: id)
    }

    /// Opens an existing file; a missing file, a file that is not HDF5 and a truncated or corrupt
    /// one each get their own clear message.
    public static func open(_ path: String, mode: Mode = .readOnly) throws -> HDF5File {
        let site = HDF5Site(file: path, object: nil)
        let operation = "open file"
        HDF5Runtime.prepareThread()
        switch H5Fis_hdf5(path) {
        case let signature where signature > 0:
            break
        case 0:
            throw site.error(operation, "not an HDF5 file (no HDF5 signature found)")
        default:
            throw site.error(operation, fileProblem(path))
        }
        let access = try accessProperties(site: site, operation: operation)
        defer { H5Pclose(access) }
        let flags = mode == .readOnly ? flow_h5f_acc_rdonly() : flow_h5f_acc_rdwr()
        let id = try site.call(operation) { H5Fopen(path, flags, access) }
        return HDF5File(path: path, id: id)
    }

    /// True when `path` is a readable file with an HDF5 signature.
    public static func isHDF5(_ path: String) -> Bool {
        HDF5Runtime.prepareThread()
        return H5Fis_hdf5(path) > 0
    }

    /// The root group "/"; its attributes are the file's attributes.
    public var root: HDF5Group { HDF5Group(file: self, path: "/") }

    /// Writes everything buffered so far to disk.
    public func flush() throws {
        let id = try openID(for: "flush file", site: site(nil))
        try site(nil).call("flush file") { H5Fflush(id, H5F_SCOPE_LOCAL) }
    }

    /// Closes the file and every object still open in it. Calling it again does nothing.
    public func close() throws {
        guard fileID >= 0 else { return }
        let id = fileID
        fileID = -1
        try site(nil).call("close file") { H5Fclose(id) }
    }

    /// Whether `close()` has not been called yet.
    var isOpen: Bool { fileID >= 0 }

    /// The file id for an operation, or a clear error when the file was already closed.
    func openID(for operation: String, site: HDF5Site) throws -> hid_t {
        guard fileID >= 0 else { throw site.error(operation, "the file is closed") }
        return fileID
    }

    /// Where errors about `object` (nil: the file itself) in this file happen.
    func site(_ object: String?) -> HDF5Site { HDF5Site(file: path, object: object) }

    /// File access properties shared by create and open: closing a file closes every object
    /// still open in it, and HDF5's own advisory file locking (an `flock` per open, HDF5 ≥ 1.10)
    /// is off. flow serializes writers of a workspace with its own lock and never relies on
    /// HDF5's; with it on, reopening a just-closed stage output to digest it failed once with
    /// "unable to lock file, errno = 11" while other stages ran concurrently (a race that did not
    /// reproduce in 18 later runs), which would fail a stage whose result was fine.
    private static func accessProperties(site: HDF5Site, operation: String) throws -> hid_t {
        let access = try site.call(operation) { H5Pcreate(flow_h5p_file_access()) }
        do {
            try site.call(operation) { H5Pset_fclose_degree(access, H5F_CLOSE_STRONG) }
            try site.call(operation) { H5Pset_file_locking(access, false, true) }
        } catch {
            H5Pclose(access)
            throw error
        }
        return access
    }

    /// Why H5Fis_hdf5 could not look at a file at all.
    private static func fileProblem(_ path: String) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else { return "no such file" }
        if (status.st_mode & S_IFMT) == S_IFDIR { return "is a directory" }
        return "cannot be read (\(HDF5Runtime.innermostErrorMessage()))"
    }
}
