import FlowHDF5

/// A (possibly time-dependent or history-dependent) bias energy added to a potential during
/// sampling: restraints, steered MD, metadynamics.
///
/// Time-dependent biases U_b(x, t) do work on the system: when the protocol parameter moves from
/// t0 to t1 at fixed x, W increases by U_b(x, t1) − U_b(x, t0), the discrete form of
/// W = ∫ ∂U_b/∂t dt that Jarzynski's equality uses (Jarzynski, PRL 78, 2690 (1997); Crooks,
/// J. Stat. Phys. 90, 1481 (1998)). History-dependent biases (metadynamics) update themselves in
/// `didStep` after every completed step.
public protocol Bias {
    /// U_b(x, t).
    func energy(_ x: [Double], time: Double) -> Double
    /// U_b(x, t); adds ∇U_b(x, t) to `gradient`.
    func energy(_ x: [Double], time: Double, addingGradientTo gradient: inout [Double]) -> Double
    /// Work done on the system when the time-dependent parameters move from t0 to t1 at fixed x.
    func work(_ x: [Double], from t0: Double, to t1: Double) -> Double
    /// Called after every completed step with the new positions.
    mutating func didStep(_ x: [Double], time: Double, step: Int)
    /// Writes the bias's own evolving state (hills, histograms) into a checkpoint group.
    func saveState(to group: HDF5Group) throws
    /// Restores what `saveState` wrote.
    mutating func restoreState(from group: HDF5Group) throws
}

public extension Bias {
    func work(_ x: [Double], from t0: Double, to t1: Double) -> Double {
        energy(x, time: t1) - energy(x, time: t0)
    }

    mutating func didStep(_ x: [Double], time: Double, step: Int) {}

    /// Biases that depend only on (x, t) have no state of their own.
    func saveState(to group: HDF5Group) throws {}

    mutating func restoreState(from group: HDF5Group) throws {}
}
