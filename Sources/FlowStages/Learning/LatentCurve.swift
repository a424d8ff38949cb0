import FlowLinalg
import FlowMD
import FlowNN

/// What a one-dimensional encoder ξ and its decoder say about the data (Lelièvre et al. 2024):
/// the decoder curve z ↦ dec(z) over the latent range of the samples, the conditional means
/// E[x | ξ(x) ∈ bin] the decoder should match, and where the curve runs on a potential.
struct LatentCurve {
    /// Latent values of the curve nodes, equally spaced over [min ξ, max ξ] of the samples.
    let latent: [Double]
    /// dec(z) at each node (nodes × D).
    let points: Matrix

    init(decoder: MLP, latentValues: [Double], nodes: Int) {
        let lo = latentValues.min()!, hi = latentValues.max()!
        latent = (0..<nodes).map { lo + (hi - lo) * Double($0) / Double(nodes - 1) }
        points = decoder.values(Matrix(rows: nodes, cols: 1, storage: latent))
    }

    var vertices: [[Double]] { (0..<points.rows).map { points.row($0) } }

    /// Conditional means over equal-width bins of the latent range.
    struct BinnedMeans {
        /// Centres of the non-empty bins.
        let centres: [Double]
        /// Σ w x / Σ w over the samples of each non-empty bin (bins × D).
        let means: Matrix
        /// Samples per non-empty bin.
        let counts: [Int]
    }

    /// E_w[x | ξ(x) ∈ bin] for `bins` equal-width bins over [min ξ, max ξ] (the last bin closed);
    /// empty bins are left out.
    static func conditionalMeans(samples: SampleSet, latentValues z: [Double], bins: Int) -> BinnedMeans {
        let lo = z.min()!, hi = z.max()!
        let width = (hi - lo) / Double(bins)
        let d = samples.dimension
        var sums = [Double](repeating: 0, count: bins * d), mass = [Double](repeating: 0, count: bins)
        var counts = [Int](repeating: 0, count: bins)
        for (i, zi) in z.enumerated() {
            let b = width > 0 ? Swift.min(bins - 1, Int((zi - lo) / width)) : 0
            let w = samples.weights?[i] ?? 1
            for j in 0..<d { sums[b * d + j] += w * samples.x[i, j] }
            mass[b] += w
            counts[b] += 1
        }
        let kept = (0..<bins).filter { counts[$0] > 0 && mass[$0] > 0 }
        return BinnedMeans(centres: kept.map { lo + (Double($0) + 0.5) * width },
                           means: Matrix(rows: kept.count, cols: d, storage: kept.flatMap { b in (0..<d).map { sums[b * d + $0] / mass[b] } }),
                           counts: kept.map { counts[$0] })
    }

    /// The highest potential energy on the curve nodes whose latent value lies in `range` (all
    /// nodes when none does): its value, latent value and point.
    func highestEnergy(on potential: Potential, within range: ClosedRange<Double>) -> (energy: Double, latent: Double, point: [Double]) {
        let inside = latent.indices.filter { range.contains(latent[$0]) }
        let nodes = inside.isEmpty ? Array(latent.indices) : inside
        let energies = nodes.map { potential.energy(points.row($0)) }
        let k = energies.indices.max { energies[$0] < energies[$1] }!
        return (energies[k], latent[nodes[k]], points.row(nodes[k]))
    }
}
