import Foundation
import FlowLinalg

/// A δ-net of a sample (greedy farthest-enough subsampling, as the Cameron group's TMDmap codes do
/// on trajectory data: Yuan, Sule, Lam & Cameron 2025): representatives at least δ apart such
/// that every sample lies within δ of one. Correlated trajectory frames crowd the wells; a δ-net
/// keeps one point per δ-ball, so a diffusion map on it costs what its geometry needs, not what
/// the sampling produced.
///
/// Construction: samples in their order; a sample not yet within δ of a representative becomes
/// one and covers every sample within δ (a fixed-radius kd-tree query). Then each sample is
/// assigned to its nearest representative (within δ, since its covering one is). The mass of a
/// representative is the total reweighting weight of the samples assigned to it, normalized:
/// with representatives spread at spacing ≈ δ, their sampling density is ≈ uniform, so the
/// target density at a representative is ∝ its mass, and TMDmap on the net uses
/// `.reweighted(logWeights: log mass)` (π = q_net · mass; `method(for:data:estimate:)` turns a
/// method on all samples into the one on the net). Embeddings extend back to every sample
/// by the map's Nyström extension (`DiffusionMapModel.extend`), or by `assignment`.
public struct DeltaNet: Sendable {
    public let delta: Double
    /// Row indices of the representatives in the data, increasing.
    public let representatives: [Int]
    /// For each sample, the position in `representatives` of its nearest representative.
    public let assignment: [Int]
    /// Σ of the weights of the samples assigned to each representative, summing to 1.
    public let mass: [Double]

    /// The net for a given δ > 0; `weights` are the samples' reweighting weights (nil: 1 each).
    public init(data: Matrix, delta: Double, weights: [Double]? = nil, monitor: WorkMonitor = SilentMonitor()) throws {
        try self.init(data: data, delta: delta, weights: weights, search: RadiusSearch(data), limit: nil, monitor: monitor)!
    }

    /// The net whose size is within 5% of `targetSize` (or the closest found in 30 bisections on
    /// log δ between the nearest-neighbour distance and the data's diameter).
    public init(data: Matrix, targetSize: Int, weights: [Double]? = nil, monitor: WorkMonitor = SilentMonitor()) throws {
        guard targetSize >= 2 && targetSize < data.rows else {
            throw LinalgError.invalidArgument("a δ-net of \(targetSize) representatives needs more samples than that (\(data.rows))")
        }
        let search = RadiusSearch(data)
        var lo = 1e-300, hi = 0.0
        for t in 0..<data.cols {
            let column = data.column(t)
            hi += pow((column.max() ?? 0) - (column.min() ?? 0), 2)
        }
        hi = Swift.max(hi.squareRoot(), 1e-300)
        lo = hi * 1e-6
        var best: DeltaNet?
        for _ in 0..<30 {
            try monitor.checkCancellation()
            let delta = (lo * hi).squareRoot()
            // Nets beyond 1.05 × target are abandoned early: δ is too small.
            guard let net = try DeltaNet(data: data, delta: delta, weights: weights, search: search,
                                         limit: targetSize + targetSize / 20 + 1, monitor: monitor) else {
                lo = delta
                continue
            }
            if best == nil || abs(net.representatives.count - targetSize) < abs(best!.representatives.count - targetSize) { best = net }
            if abs(net.representatives.count - targetSize) * 20 <= targetSize { break }
            if net.representatives.count > targetSize { lo = delta } else { hi = delta }
        }
        guard let found = best else {
            throw LinalgError.notConverged("no δ-net of about \(targetSize) representatives found")
        }
        self = found
    }

    /// nil when the net exceeds `limit` representatives.
    init?(data: Matrix, delta: Double, weights: [Double]?, search: RadiusSearch, limit: Int?, monitor: WorkMonitor) throws {
        let n = data.rows
        guard delta > 0 && delta.isFinite else { throw LinalgError.invalidArgument("δ must be positive, got \(delta)") }
        if let w = weights {
            guard w.count == n, w.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw LinalgError.invalidArgument("δ-net weights need one non-negative finite value per sample")
            }
        }
        var covered = [Bool](repeating: false, count: n)
        var representatives = [Int]()
        for i in 0..<n where !covered[i] {
            representatives.append(i)
            if let limit, representatives.count > limit { return nil }
            for j in search.neighbors(ofPoint: i, radius: delta) { covered[j] = true }
        }
        let list = try NearestNeighbors.search(queries: data, reference: data.rows(representatives), k: 1, monitor: monitor)
        let assignment = list.indices.map { Int($0) }
        self.delta = delta
        self.representatives = representatives
        self.assignment = assignment
        self.mass = try Self.coveredMass(assignment: assignment, count: representatives.count, weights: weights)
    }

    /// Σ of `weights` (nil: 1 each) over the samples each representative covers, normalized.
    static func coveredMass(assignment: [Int], count: Int, weights: [Double]?) throws -> [Double] {
        var mass = [Double](repeating: 0, count: count)
        for (i, r) in assignment.enumerated() { mass[r] += weights?[i] ?? 1 }
        let total = mass.reduce(0, +)
        guard total > 0 else { throw LinalgError.invalidArgument("δ-net weights sum to 0") }
        return mass.map { $0 / total }
    }

    /// How the representatives carry the target measure π of the full sample.
    public enum TargetEstimate: String, Sendable, Equatable {
        /// π at a representative ∝ q_net × the reweighting mass it covers (`reweighted` on the
        /// net). The covered mass is ∫_cell q w ≈ π(r)·|cell|, and the net's own kernel density
        /// q_net ≈ 1/|cell| up to a constant, so their product estimates π(r) without a second
        /// bandwidth; correlated frames only add variance to the covered mass, not bias (it is an
        /// ergodic average over the cell).
        case coveredMass
        /// π at a representative from the weighted kernel density over all samples
        /// (`logDensity`, bandwidth 10δ): smoother than the covered mass, biased at order h²/σ².
        case kernelDensity
    }

    /// The TMDmap (or map) on the representatives that targets what `method` targets on all of
    /// `data`. A known target (`targetMeasure`) is read at the representatives: TMDmap does not
    /// depend on where the samples sit, only on π at them (Banisch et al. 2020). A target given as
    /// sampling density × weights (`reweighted`) needs the density of the full sample, which the
    /// net does not have: it comes from `estimate`. The α-normalized map is independent of the
    /// sampling density only for α = 1 (Laplace–Beltrami), the one α the net can carry.
    public func method(for method: DiffusionMap.Method, data: Matrix, estimate: TargetEstimate = .coveredMass) throws -> DiffusionMap.Method {
        let n = assignment.count
        switch method {
        case .targetMeasure(let logTarget):
            guard logTarget.count == n else {
                throw LinalgError.dimensionMismatch("target log-density has \(logTarget.count) values for \(n) samples")
            }
            return .targetMeasure(logTarget: representatives.map { logTarget[$0] })
        case .reweighted(let logWeights):
            guard logWeights.count == n, logWeights.allSatisfy({ $0.isFinite }) else {
                throw LinalgError.invalidArgument("the δ-net needs one finite log weight per sample (\(logWeights.count) for \(n))")
            }
            let top = logWeights.max() ?? 0
            let weights = logWeights.map { exp($0 - top) }
            switch estimate {
            case .coveredMass:
                let covered = try Self.coveredMass(assignment: assignment, count: representatives.count, weights: weights)
                return .reweighted(logWeights: covered.map { log($0) })
            case .kernelDensity:
                return .targetMeasure(logTarget: logDensity(data: data, weights: weights))
            }
        case .alpha(let a):
            guard a == 1 else {
                throw LinalgError.invalidArgument("the α-normalized map with α = \(a) depends on the sampling density, which a δ-net changes; use α = 1 or a target measure")
            }
            return method
        }
    }

    /// log of the Gaussian kernel density estimate over all samples at each representative,
    /// log Σ_i w_i exp(−‖x_i − r‖²/(2h²)) up to a constant, with h = `bandwidth` (default 10δ:
    /// each estimate pools the samples of about ten δ-cells per dimension, so its noise is far
    /// below the covered mass's, while smoothing a density of scale σ changes it only at order
    /// h²/σ²). The TMDmap target on the net is then `.targetMeasure(logTarget: logDensity)`.
    public func logDensity(data: Matrix, weights: [Double]? = nil, bandwidth: Double? = nil) -> [Double] {
        let h = bandwidth ?? 10 * delta
        let search = RadiusSearch(data)
        return representatives.map { r in
            var sum = 0.0
            for j in search.neighbors(ofPoint: r, radius: 6 * h) {
                var s = 0.0
                for t in 0..<data.cols { s += pow(data[j, t] - data[r, t], 2) }
                sum += (weights?[j] ?? 1) * exp(-s / (2 * h * h))
            }
            return log(sum)
        }
    }
}
