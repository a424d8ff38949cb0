/// V, the biases and ∇(V + B) for blocks of walkers: the potential's batched path, then each
/// bias per walker, except the biases that evaluate whole blocks (`BatchedBias`, learned CVs),
/// which add theirs once per block. One instance per thread (biases such as `MovingHarmonicRestraint` keep
/// scratch buffers), created from the ensemble's bias factory; history-dependent biases
/// (metadynamics) are shared and only read while walkers move.
public final class WalkerForces {
    public let potential: any Potential
    public let biases: [any Bias]
    /// The biases evaluated walker by walker, and those evaluated per block.
    let walkerBiases: [any Bias]
    let blockBiases: [any BatchedBias]
    let dimension: Int
    private var x: [Double]
    private var g: [Double]

    public init(potential: any Potential, biases: [any Bias]) {
        self.potential = potential
        self.biases = biases
        blockBiases = biases.compactMap { $0 as? any BatchedBias }.filter(\.evaluatesInBlocks)
        walkerBiases = biases.filter { ($0 as? any BatchedBias)?.evaluatesInBlocks != true }
        dimension = potential.dimension
        x = [Double](repeating: 0, count: dimension)
        g = x
    }

    /// Fills energies (V), biases (B) and gradients (∇V + ∇B) of `count` configurations at time t;
    /// configuration k belongs to walker `firstWalker + k` (for biases that differ by walker).
    public func evaluate(_ positions: UnsafePointer<Double>, count: Int, firstWalker: Int = 0, time: Double,
                         energies: UnsafeMutablePointer<Double>, biases b: UnsafeMutablePointer<Double>,
                         gradients: UnsafeMutablePointer<Double>) {
        potential.energies(positions, count: count, energies: energies, gradients: gradients)
        guard !biases.isEmpty else {
            for k in 0..<count { b[k] = 0 }
            return
        }
        let d = dimension
        for k in 0..<count {
            guard !walkerBiases.isEmpty else {
                b[k] = 0
                continue
            }
            for i in 0..<d {
                x[i] = positions[k * d + i]
                g[i] = 0
            }
            var total = 0.0
            for bias in walkerBiases { total += bias.energy(x, walker: firstWalker + k, time: time, addingGradientTo: &g) }
            b[k] = total
            for i in 0..<d { gradients[k * d + i] += g[i] }
        }
        for bias in blockBiases {
            bias.addEnergies(positions, count: count, firstWalker: firstWalker, time: time, energies: b, gradients: gradients)
        }
    }

    /// Adds to `work` the work Σ_b [U_b(x, t1) − U_b(x, t0)] done by time-dependent biases on each
    /// of `count` walkers at their current positions (Jarzynski's discrete work, as `Bias.work`).
    public func accumulateWork(_ positions: UnsafePointer<Double>, count: Int, from t0: Double, to t1: Double,
                               into work: UnsafeMutablePointer<Double>) {
        let d = dimension
        for k in 0..<count {
            for i in 0..<d { x[i] = positions[k * d + i] }
            for bias in biases { work[k] += bias.work(x, from: t0, to: t1) }
        }
    }
}
