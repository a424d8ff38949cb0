extension SortedCoordinationNumbers: BatchedCollectiveVariable {
    /// Used inside learned CVs' block evaluators, not on its own: a bias directly on the sorted
    /// coordination numbers keeps the walker-by-walker path.
    public var prefersBlocks: Bool { false }

    public func makeBatchEvaluator() -> any CVBatchEvaluator { SortedCoordinationBatch(self) }
}

/// Sorted coordination numbers for a block of configurations without allocating: per pair the
/// switching value and the factor ∂s/∂(xᵢ − xⱼ) are kept, so the pullback Σ_c ḡ_c ∂c_(c)/∂x runs
/// over the pairs, ḡ placed on the particles by the sort order, instead of through a D × n
/// Jacobian per configuration.
final class SortedCoordinationBatch: CVBatchEvaluator {
    let layout: ParticleLayout
    let inverseCutoff2: Double
    let particles: Int, pairs: Int, spatial: Int
    /// Per configuration and pair: the factor of xᵢ − xⱼ in ∂s/∂xᵢ, and xᵢ − xⱼ.
    private var factors = UnsafeMutablePointer<Double>.allocate(capacity: 0)
    private var deltas = UnsafeMutablePointer<Double>.allocate(capacity: 0)
    /// Per configuration: the particle at each sorted position.
    private var order = UnsafeMutablePointer<Int>.allocate(capacity: 0)
    /// One configuration's coordination numbers during the sort, then cotangents per particle.
    private let scratch: UnsafeMutablePointer<Double>
    private var capacity = 0, rows = 0

    init(_ cv: SortedCoordinationNumbers) {
        layout = cv.coordination.layout
        inverseCutoff2 = 1 / (cv.coordination.cutoff * cv.coordination.cutoff)
        particles = layout.particles
        pairs = particles * (particles - 1) / 2
        spatial = layout.spatialDimension
        scratch = .allocate(capacity: particles)
    }

    deinit {
        factors.deallocate()
        deltas.deallocate()
        order.deallocate()
        scratch.deallocate()
    }

    private func reserve(_ count: Int) {
        guard count > capacity else { return }
        factors.deallocate()
        deltas.deallocate()
        order.deallocate()
        factors = .allocate(capacity: count * pairs)
        deltas = .allocate(capacity: count * pairs * spatial)
        order = .allocate(capacity: count * particles)
        capacity = count
    }

    func evaluate(_ x: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>) {
        reserve(count)
        rows = count
        let n = particles, sd = spatial, dim = layout.dimension
        for k in 0..<count {
            let xk = x + k * dim, c = values + k * n, ok = order + k * n
            for i in 0..<n { c[i] = 0 }
            var p = k * pairs
            for i in 0..<(n - 1) {
                for j in (i + 1)..<n {
                    var r2 = 0.0
                    for a in 0..<sd {
                        let u = xk[layout.index(i, a)] - xk[layout.index(j, a)]
                        deltas[p * sd + a] = u
                        r2 += u * u
                    }
                    // s = 1/(1 + q⁴), q = r²/r₀²: ∂s/∂xᵢ = −8q³s²/r₀² (xᵢ − xⱼ), as CoordinationNumbers.
                    let q = r2 * inverseCutoff2, q2 = q * q
                    let s = 1 / (1 + q2 * q2)
                    c[i] += s
                    c[j] += s
                    factors[p] = -8 * q2 * q * s * s * inverseCutoff2
                    p += 1
                }
            }
            // Insertion sort of the particles by (cᵢ, i), the order of SortedCoordinationNumbers.
            for i in 0..<n { ok[i] = i }
            for i in 1..<n {
                let m = ok[i]
                var j = i
                while j > 0, c[ok[j - 1]] > c[m] {
                    ok[j] = ok[j - 1]
                    j -= 1
                }
                ok[j] = m
            }
            for i in 0..<n { scratch[i] = c[ok[i]] }
            for i in 0..<n { c[i] = scratch[i] }
        }
    }

    func pullback(_ cotangents: UnsafePointer<Double>, addingTo gradients: UnsafeMutablePointer<Double>) {
        let n = particles, sd = spatial, dim = layout.dimension
        for k in 0..<rows {
            let g = gradients + k * dim
            for i in 0..<n { scratch[order[k * n + i]] = cotangents[k * n + i] }
            var p = k * pairs
            for i in 0..<(n - 1) {
                for j in (i + 1)..<n {
                    let w = (scratch[i] + scratch[j]) * factors[p]
                    for a in 0..<sd {
                        let u = w * deltas[p * sd + a]
                        g[layout.index(i, a)] += u
                        g[layout.index(j, a)] -= u
                    }
                    p += 1
                }
            }
        }
    }
}
