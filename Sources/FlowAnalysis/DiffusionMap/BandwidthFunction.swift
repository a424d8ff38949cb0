import Foundation
import FlowLinalg

/// The bandwidth function ρ of a variable-bandwidth diffusion kernel
/// k_ε(x, y) = exp(−‖x − y‖²/(4ε ρ(x) ρ(y))) (Berry & Harlim 2016, "Variable bandwidth diffusion
/// kernels", ACHA 40, 68–96).
///
/// Why: with one fixed ε, samples in the sparse tails of a Boltzmann distribution (a few k_BT up
/// a barrier or a wall) are farther from each other than the kernel reaches. Pairs and small
/// clusters of such samples then form nearly closed classes of the Markov chain: eigenvalues of P
/// within ε·λ₁ of 1, i.e. spurious modes slower than the slowest physical one, and at 10⁵ samples
/// with k = 64 stored neighbours there are many (DESIGN §10). A bandwidth that grows where samples
/// are sparse keeps every sample's kernel over about the same number of neighbours, so the
/// stored k-nearest-neighbour graph resolves the kernel everywhere and the tails stay connected.
///
/// ρ follows Berry & Harlim: from the ad hoc estimate ρ₀(xᵢ) = the root-mean-square distance to
/// the `neighbors` nearest other samples (∝ q^{−1/d} for sampling density q on a d-dimensional
/// manifold), smoothed as the geometric mean of ρ₀ over the sample and those neighbours (a noisy
/// ρ multiplies every row of the operator by a random factor; the smoothing halves that noise),
/// ρ = ρ₀^{min(d/2, 1)} ∝ q^{max(−1/2, −1/d)} (see `exponent(dimension:)`), scaled to median 1 so
/// that ε keeps the meaning it has for a fixed bandwidth in a typical region.
public struct BandwidthFunction: Sendable {
    /// Nearest neighbours in the ad hoc estimate.
    public let neighbors: Int
    /// ρ = ρ₀^exponent.
    public let exponent: Double
    /// log ρ₀ of every training sample (before smoothing and scaling), for out-of-sample points.
    let logRaw: [Double]
    /// The exponent applied to ρ₀ ∝ q^{−1/d} on a d-dimensional manifold: d/2 up to d = 2 (ρ ∝
    /// q^{−1/2}, Berry & Harlim's recommended β = −½; in one dimension the spacing q^{−1} itself
    /// grows too fast: a Gaussian's tails then get kernels wider than the scale on which ρ varies,
    /// and TMDmap on N(0, ½) samples was 16% off), then 1 (ρ ∝ q^{−1/d}, the spacing itself). Above
    /// two dimensions q^{−1/2} shrinks faster than the sample spacing where samples are dense: in a
    /// 5-D Gaussian the core is ~30× denser than the median sample, its kernels ~2× narrower than
    /// its spacing, and the wide tail kernels halve the generator's eigenvalues (−0.5 for −1, test
    /// `testTMDmapInFiveDimensions…`); on 14-D LJ7 configurations (intrinsic dimension 9) the
    /// core samples were cut off from each other and ARPACK did not converge in 640 s at 2·10⁴
    /// points. With q^{−1/d} every sample keeps about the same number of neighbours in reach.
    public static func exponent(dimension d: Double) -> Double { Swift.min(d / 2, 1) }

    /// The median of the smoothed unscaled ρ.
    public let scale: Double
    /// ρ(xᵢ) of every training sample (median 1).
    public let values: [Double]

    /// From each sample's `neighbors` nearest other samples (squared distances and indices,
    /// sorted by distance, `stride` entries per row of which the first `neighbors` are used).
    /// `exponent` is `exponent(dimension:)` for a d-dimensional manifold.
    init(squaredDistances: [Double], indices: [Int32], stride: Int, neighbors k0: Int, count n: Int, exponent: Double) throws {
        precondition(k0 >= 1 && k0 <= stride, "bandwidth neighbours \(k0) outside 1...\(stride)")
        var logRaw = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for t in 0..<k0 { s += squaredDistances[i * stride + t] }
            guard s > 0 else {
                throw LinalgError.invalidArgument("sample \(i) has \(k0) or more exact duplicates, so the variable bandwidth is 0 there; remove duplicate rows or use bandwidth: fixed")
            }
            logRaw[i] = 0.5 * log(s / Double(k0))
        }
        let smoothed = (0..<n).map { i -> Double in
            var s = logRaw[i]
            for t in 0..<k0 { s += logRaw[Int(indices[i * stride + t])] }
            return exponent * s / Double(k0 + 1)
        }
        let sorted = smoothed.sorted()
        let median = exp(sorted[n / 2])
        self.neighbors = k0
        self.exponent = exponent
        self.logRaw = logRaw
        self.scale = median
        self.values = smoothed.map { exp($0) / median }
    }

    /// ρ at new points from their `neighbors` nearest training samples (the same two steps as for
    /// a training sample, whose own ρ₀ enters its smoothing as the point's does here).
    func values(at list: NeighborList) -> [Double] {
        (0..<list.queryCount).map { i in
            var s = 0.0, logSum = 0.0
            for t in 0..<neighbors {
                s += list.squaredDistances[i * list.k + t]
                logSum += logRaw[Int(list.indices[i * list.k + t])]
            }
            let own = 0.5 * log(Swift.max(s, .leastNormalMagnitude) / Double(neighbors))
            return exp(exponent * (own + logSum) / Double(neighbors + 1)) / scale
        }
    }
}
