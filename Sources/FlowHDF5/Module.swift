import CHDF5
/// FlowHDF5: Swift API over libhdf5 (DESIGN.md §2).
public enum FlowHDF5Library {
    public static var version: String {
        var maj: UInt32 = 0, min: UInt32 = 0, rel: UInt32 = 0
        H5get_libversion(&maj, &min, &rel)
        return "\(maj).\(min).\(rel)"
    }
}
