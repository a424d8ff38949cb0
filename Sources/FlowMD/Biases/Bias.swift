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
    /// The same for walker `walker` of an ensemble: biases that differ between walkers (one
    /// umbrella window per walker) override it; the others ignore the index.
    func energy(_ x: [Double], walker: Int, time: Double, addingGradientTo gradient: inout [Double]) -> Double
    /// Work done on the system when the time-dependent parameters move from t0 to t1 at fixed x.
    func work(_ x: [Double], from t0: Double, to t1: Double) -> Double
    /// Called after every completed step with the new positions; returns true when the bias
    /// itself changed (a hill was deposited), so that the forces are recomputed with it.
    @discardableResult
    mutating func didStep(_ x: [Double], time: Double, step: Int) -> Bool
    /// Writes the bias's own evolving state (hills, histograms) into a checkpoint group.
    func saveState(to group: HDF5Group) throws
    /// Restores what `saveState` wrote.
    mutating func restoreState(from group: HDF5Group) throws
}

public extension Bias {
    func energy(_ x: [Double], walker: Int, time: Double, addingGradientTo gradient: inout [Double]) -> Double {
        energy(x, time: time, addingGradientTo: &gradient)
    }

    func work(_ x: [Double], from t0: Double, to t1: Double) -> Double {
        energy(x, time: t1) - energy(x, time: t0)
    }

    @discardableResult
    mutating func didStep(_ x: [Double], time: Double, step: Int) -> Bool { false }

    /// Biases that depend only on (x, t) have no state of their own.
    func saveState(to group: HDF5Group) throws {}

    mutating func restoreState(from group: HDF5Group) throws {}
}

/// A bias that evaluates a whole block of walkers at once: `WalkerForces` calls `addEnergies` once
/// per block instead of `energy` walker by walker, so a learned CV runs one matrix product per
/// network layer for all walkers of the block (`CVBatchEvaluator`).
public protocol BatchedBias: Bias {
    /// Whether the block path is the one to use (its CV has a block evaluator of its own).
    var evaluatesInBlocks: Bool { get }
    /// Adds U_b(x_k, t) of `count` configurations (count × D; configuration k belongs to walker
    /// `firstWalker + k`) to `energies[k]` and ∇U_b(x_k, t) to row k of `gradients`.
    func addEnergies(_ x: UnsafePointer<Double>, count: Int, firstWalker: Int, time: Double,
                     energies: UnsafeMutablePointer<Double>, gradients: UnsafeMutablePointer<Double>)
}
