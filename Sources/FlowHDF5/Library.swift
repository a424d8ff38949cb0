import CHDF5

/// Facts about the linked libhdf5, for run records and leak checks.
public enum FlowHDF5Library {
    /// The libhdf5 version, e.g. "1.10.8" (recorded with every run).
    public static var version: String {
        HDF5Runtime.prepareThread()
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }

    /// How many HDF5 files, groups, datasets, datatypes and attributes are open in this process.
    /// Tests compare it before and after a piece of work to prove that every handle was closed.
    public static var openObjectCount: Int {
        HDF5Runtime.prepareThread()
        return H5Fget_obj_count(flow_h5f_obj_all_files(), flow_h5f_obj_all())
    }
}
