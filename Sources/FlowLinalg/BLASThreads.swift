import CBLAS

/// The number of threads OpenBLAS uses for one product. It is a process-wide setting, and
/// OpenBLAS results are bit-identical only for a fixed count, so it must not change while any
/// computation that relies on reproducible bits runs: the workflow engine pins it to 1 for the
/// whole run (stages parallelize at their own level and run side by side), and no stage changes it.
public enum BLASThreads {
    public static var count: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(Swift.max(1, newValue))) }
    }
}
