import Foundation
import FlowLinalg

/// The kernel-sum criterion for the bandwidth ε and the intrinsic dimension (Coifman, Shkolnisky,
/// Sigworth & Singer 2008, IEEE Trans. Image Process. 17, 1891, §III; Berry, Giannakis & Harlim
/// 2015, Phys. Rev. E 91, 032915, eq. 8; Berry & Harlim 2016, ACHA 40, §4).
///
/// S(ε) = Σ_{i,j} k_ε(x_i, x_j) with k_ε = exp(−d²/(4ερ_iρ_j)) (flow's convention, diagonal
/// included). Where the kernel resolves a d-dimensional manifold, S ∝ ε^{d/2}; below that range
/// S → n (the diagonal), above it S → n² (the kernel sees the whole data set). ε is chosen where
/// d log S/d log ε is largest, the middle of the range where the kernel sees the manifold, and
/// 2 × that slope estimates d.
///
/// The sum is taken over every pair of `rows` × all samples (S estimated up to the factor n/m
/// when m of n rows are used), with no truncation at k nearest neighbours: a kNN-truncated sum
/// saturates at n·k once the kernel reaches the k-th neighbour, which in more than a few
/// dimensions (neighbour distances within a factor k^{1/d} of each other) happens before the
/// ε^{d/2} range begins. Pair distances are pooled in a histogram with 256 bins per octave of d²
/// (each bin evaluated at its mean), so the scan over ε costs nothing next to the distances.
public struct KernelSum: Sendable {
    /// The ε grid (log-spaced, 32 points per octave) and log S at each.
    public let epsilons: [Double]
    public let logSums: [Double]
    /// d log S/d log ε between consecutive grid points.
    public let slopes: [Double]
    /// ε at the steepest slope (geometric mean of the two grid points).
    public let epsilon: Double
    public let maximumSlope: Double

    /// 2 × the steepest slope.
    public var dimension: Double { 2 * maximumSlope }

    /// From squared (bandwidth-scaled) distances d²/(ρ_iρ_j) of off-diagonal pairs, each counted
    /// `weight` times, and `selfPairs` diagonal terms (k = 1 each); exact zeros count as diagonal
    /// terms (duplicates).
    public init(pairHistogram histogram: PairHistogram, selfPairs: Double) throws {
        guard let lo = histogram.smallest, let hi = histogram.largest, hi > 0 else {
            throw LinalgError.invalidArgument("the kernel sum needs at least one pair of distinct points")
        }
        let constant = selfPairs + histogram.zeros
        let first = lo / 40, last = hi
        let steps = Swift.max(16, Int((log2(last / first) * 32).rounded(.up)))
        let bins = histogram.nonEmptyBins
        epsilons = (0...steps).map { first * pow(last / first, Double($0) / Double(steps)) }
        logSums = epsilons.map { eps -> Double in
            var t = constant
            let inverse = 1 / (4 * eps)
            for (mean, count) in bins { t += count * exp(-mean * inverse) }
            return log(Swift.max(t, .leastNormalMagnitude))
        }
        var slopes = [Double]()
        for i in 0..<steps {
            let rise: Double = logSums[i + 1] - logSums[i]
            slopes.append(rise / log(epsilons[i + 1] / epsilons[i]))
        }
        self.slopes = slopes
        var best = 0
        for i in slopes.indices where slopes[i] > slopes[best] { best = i }
        maximumSlope = slopes[best]
        epsilon = (epsilons[best] * epsilons[best + 1]).squareRoot()
    }

    /// The kernel sum of `data` with bandwidth ρ (nil: ρ ≡ 1) from `rows` (all samples if nil)
    /// against every sample. Rows are processed in blocks of 16 (one GEMM each) on all threads.
    public init(data: Matrix, bandwidth rho: [Double]?, rows: [Int]? = nil, monitor: WorkMonitor = SilentMonitor()) throws {
        let n = data.rows, dim = data.cols
        let selected = rows ?? Array(0..<n)
        // Translated to the first sample: distances unchanged, less cancellation in ‖x‖² + ‖y‖² − 2x·y.
        var x = data
        for i in 0..<n { for t in 0..<dim { x.storage[i * dim + t] -= data.storage[t] } }
        let norms = (0..<n).map { i in (0..<dim).reduce(0.0) { $0 + x.storage[i * dim + $1] * x.storage[i * dim + $1] } }
        let block = 16
        let blocks = (selected.count + block - 1) / block
        // Four fixed groups of blocks, one histogram each: the sums do not depend on the threads.
        let groups = 4
        var partial = [PairHistogram](repeating: PairHistogram(), count: groups)
        partial.withUnsafeMutableBufferPointer { out in
            parallelChunks(groups, chunkSize: 1) { range in
                for g in range {
                    var h = PairHistogram()
                    for b in stride(from: g, to: blocks, by: groups) {
                        let ids = Array(selected[(b * block)..<Swift.min(selected.count, (b + 1) * block)])
                        let products = x.rows(ids).multiplied(by: x, transposeOther: true)
                        for (a, i) in ids.enumerated() {
                            let scale = 1 / (rho?[i] ?? 1)
                            for j in 0..<n where j != i {
                                let d2 = Swift.max(0, norms[i] + norms[j] - 2 * products.storage[a * n + j])
                                h.add(rho == nil ? d2 : d2 * scale / rho![j])
                            }
                        }
                    }
                    out[g] = h
                }
            }
        }
        var total = PairHistogram()
        for h in partial { total.merge(h) }
        try monitor.checkCancellation()
        try self.init(pairHistogram: total, selfPairs: Double(selected.count))
    }
}

/// Squared distances pooled by magnitude: 256 bins per octave (the exponent and the top 8
/// mantissa bits of the Float64), each keeping its count and sum, so that a bin's mean is within
/// 0.3% of every value in it.
public struct PairHistogram: Sendable {
    static let binCount = 1 << 19
    var counts: [Double] = []
    var sums: [Double] = []
    public private(set) var zeros = 0.0
    public private(set) var smallest: Double?
    public private(set) var largest: Double?

    public init() {}

    public mutating func add(_ d2: Double) {
        guard d2 > 0 else { zeros += 1; return }
        if counts.isEmpty {
            counts = [Double](repeating: 0, count: Self.binCount)
            sums = [Double](repeating: 0, count: Self.binCount)
        }
        let key = Int(truncatingIfNeeded: (d2.bitPattern >> 44) & UInt64(Self.binCount - 1))
        counts[key] += 1
        sums[key] += d2
        if d2 < (smallest ?? .infinity) { smallest = d2 }
        if d2 > (largest ?? 0) { largest = d2 }
    }

    public mutating func merge(_ other: PairHistogram) {
        if !other.counts.isEmpty {
            if counts.isEmpty { counts = other.counts; sums = other.sums } else {
                for k in 0..<Self.binCount where other.counts[k] > 0 {
                    counts[k] += other.counts[k]
                    sums[k] += other.sums[k]
                }
            }
        }
        zeros += other.zeros
        if let s = other.smallest { smallest = Swift.min(smallest ?? s, s) }
        if let l = other.largest { largest = Swift.max(largest ?? l, l) }
    }

    /// (mean d², count) of every non-empty bin, in increasing d².
    var nonEmptyBins: [(Double, Double)] {
        counts.indices.compactMap { counts[$0] > 0 ? (sums[$0] / counts[$0], counts[$0]) : nil }
    }
}
