import FlowLinalg

/// A contiguous block of walkers as the integrators see it: pointers into the ensemble's state
/// (positions, velocities, forces cached at the current positions, random streams) and scratch
/// for proposals. Walker k's coordinates are `positions[k·D ..< (k+1)·D]`.
public struct WalkerBatch {
    public let count: Int
    /// Ensemble index of the batch's first walker.
    public let firstWalker: Int
    public let dimension: Int
    public let positions: UnsafeMutablePointer<Double>
    /// Valid when the integrator uses velocities.
    public let velocities: UnsafeMutablePointer<Double>
    /// ∇(V + B) at `positions`.
    public let gradients: UnsafeMutablePointer<Double>
    /// V at `positions`.
    public let energies: UnsafeMutablePointer<Double>
    /// B (sum of biases) at `positions`.
    public let biases: UnsafeMutablePointer<Double>
    public let random: WalkerStreams
    /// Accepted proposals per walker (MALA).
    public let accepted: UnsafeMutablePointer<Int>
    public let scratch: ProposalScratch
    public let forces: WalkerForces
    /// Time at the current positions.
    public var time: Double
}

/// Scratch memory for one batch of proposals (count × D positions, gradients and noise; count
/// energies and biases), owned by one thread.
public final class ProposalScratch {
    public let positions: UnsafeMutablePointer<Double>
    public let gradients: UnsafeMutablePointer<Double>
    public let noise: UnsafeMutablePointer<Double>
    public let energies: UnsafeMutablePointer<Double>
    public let biases: UnsafeMutablePointer<Double>

    public init(count: Int, dimension: Int) {
        let n = count * dimension
        positions = .allocate(capacity: n)
        gradients = .allocate(capacity: n)
        noise = .allocate(capacity: n)
        energies = .allocate(capacity: count)
        biases = .allocate(capacity: count)
        for p in [positions, gradients, noise] { p.initialize(repeating: 0, count: n) }
        energies.initialize(repeating: 0, count: count)
        biases.initialize(repeating: 0, count: count)
    }

    deinit {
        for p in [positions, gradients, noise, energies, biases] { p.deallocate() }
    }
}
