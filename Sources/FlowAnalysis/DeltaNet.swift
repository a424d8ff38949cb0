import Foundation
import FlowLinalg

/// A δ-net of a sample (greedy farthest-enough subsampling, as the Cameron group's TMDmap codes do
/// on trajectory data: Yuan, Sule, Lam & Cameron 2025): representatives at least δ apart such
/// that every sample lies within δ of one. Correlated trajectory frames crowd the wells; a δ-net
/// keeps one point per δ-ball, so a diffusion map on it costs what its geometry needs, not what
/// the sampling produced.
///
/// Construction (`GreedyNet`): samples in their order; a sample not yet within δ of a
/// representative becomes one and covers every sample within δ (a fixed-radius kd-tree query).
/// Each sample is assigned to its nearest representative (within δ, since its covering one is),
/// found by the same queries. The mass of a
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
        guard delta > 0 && delta.isFinite else { throw LinalgError.invalidArgument("δ must be positive, got \(delta)") }
        try self.init(net: RadiusSearch(data).greedyNet(radius: delta)!, delta: delta, weights: weights)
    }

    /// The net whose size is within 5% of `targetSize` (or the closest of 30 passes). δ starts at
    /// 1.5 × the median distance of up to 1000 evenly spaced samples to their ⌈n/size⌉-th
    /// neighbour (for a uniform density in d dimensions, random sequential packing of the δ/2-balls
    /// puts δ at 2φ^{1/d} ≈ 1.4–1.5 times that distance for d = 2…14, φ the jamming fraction),
    /// and moves by secant steps on log size against log δ (size ∝ δ^{−D}, D from the same
    /// neighbour distances at ⌈n/size⌉ and twice as many until two passes give it), kept inside
    /// the bracket the passes establish. Passes only count (`GreedyNet`'s pruned count-only pass,
    /// abandoned beyond 1.5 × the target); the chosen net's samples are then assigned to their
    /// nearest representatives. Typically 2–4 passes where bisecting δ took 10–20.
    public init(data: Matrix, targetSize: Int, weights: [Double]? = nil, monitor: WorkMonitor = SilentMonitor()) throws {
        let n = data.rows
        guard targetSize >= 2 && targetSize < n else {
            throw LinalgError.invalidArgument("a δ-net of \(targetSize) representatives needs more samples than that (\(n))")
        }
        let search = RadiusSearch(data)
        let (start, startSlope) = try Self.initialDelta(data: data, targetSize: targetSize, monitor: monitor)
        let target = log(Double(targetSize))
        var logDelta = log(start), slope = startSlope
        var lo = -Double.infinity, hi = Double.infinity  // log δ giving too many / too few representatives
        var previous: (logDelta: Double, logSize: Double)?
        var best: (delta: Double, centers: [Int])?
        for pass in 1...30 {
            try monitor.checkCancellation()
            let delta = exp(logDelta)
            let limit = targetSize + targetSize / 2
            let size: Double
            if let net = search.greedyNet(radius: delta, limit: limit, assign: false) {
                let count = net.centers.count
                monitor.log(String(format: "δ-net: pass %d, δ = %.5g: %d representatives", pass, delta, count))
                if best == nil || abs(count - targetSize) < abs(best!.centers.count - targetSize) { best = (delta, net.centers) }
                if abs(count - targetSize) * 20 <= targetSize { break }
                size = Double(count)
            } else {
                size = Double(limit) * 2  // at least this many: δ is too small
                monitor.log(String(format: "δ-net: pass %d, δ = %.5g: more than %d representatives", pass, delta, limit))
            }
            if size > Double(targetSize) { lo = Swift.max(lo, logDelta) } else { hi = Swift.min(hi, logDelta) }
            if let p = previous, p.logDelta != logDelta, p.logSize != log(size) {
                let s = -(log(size) - p.logSize) / (logDelta - p.logDelta)
                if s.isFinite && s > 0.5 { slope = Swift.min(s, 50) }
            }
            previous = (logDelta, log(size))
            var next = logDelta + (log(size) - target) / slope
            if !(next > lo && next < hi) { next = lo.isFinite && hi.isFinite ? (lo + hi) / 2 : (next <= lo ? lo + 0.5 : hi - 0.5) }
            if next == logDelta { break }
            logDelta = next
        }
        guard let found = best else {
            throw LinalgError.notConverged("no δ-net of about \(targetSize) representatives found")
        }
        try self.init(net: GreedyNet(centers: found.centers, nearest: search.nearest(among: found.centers)), delta: found.delta, weights: weights)
    }

    /// The starting δ and slope D of `init(data:targetSize:)`: from the distances of up to 1000
    /// evenly spaced samples to their k-th and 2k-th neighbours, k = ⌈n/size⌉ (the samples per
    /// representative).
    static func initialDelta(data: Matrix, targetSize: Int, monitor: WorkMonitor) throws -> (Double, Double) {
        let n = data.rows
        let k = Swift.max(1, Swift.min((n + targetSize - 1) / targetSize, (n - 1) / 2))
        let probes = Swift.min(n, 1000)
        let rows = (0..<probes).map { $0 * n / probes }
        // k + 1 and 2k + 1: each probe finds itself first.
        let list = try NearestNeighbors.search(queries: data.rows(rows), reference: data, k: 2 * k + 1, monitor: monitor)
        func median(_ column: Int) -> Double {
            let values = (0..<probes).map { list.squaredDistances[$0 * (2 * k + 1) + column] }.sorted()
            return values[probes / 2].squareRoot()
        }
        let rk = median(k), r2k = median(2 * k)
        guard rk > 0 else { throw LinalgError.invalidArgument("more than half of the samples have \(k) or more exact duplicates; remove duplicate rows") }
        let slope = r2k > rk ? log(2) / log(r2k / rk) : 2
        return (1.5 * rk, Swift.min(Swift.max(slope, 0.5), 50))
    }

    init(net: GreedyNet, delta: Double, weights: [Double]?) throws {
        let n = net.nearest.count
        if let w = weights {
            guard w.count == n, w.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw LinalgError.invalidArgument("δ-net weights need one non-negative finite value per sample")
            }
        }
        self.delta = delta
        self.representatives = net.centers
        self.assignment = net.nearest
        self.mass = try Self.coveredMass(assignment: net.nearest, count: net.centers.count, weights: weights)
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
