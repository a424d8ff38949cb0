extension SortedCoordinationNumbers: BatchedCollectiveVariable {
    /// Used inside learned CVs' block evaluators, not on its own: a bias directly on the sorted
    /// coordination numbers keeps the walker-by-walker path.
    public var prefersBlocks: Bool { false }

    public func makeBatchEvaluator() -> any CVBatchEvaluator { SortedCoordinationBatch(self) }
}

/// Sorted coordination numbers for a block of configurations, four configurations at a time in
/// the lanes of SIMD vectors, without allocating. Per pair the switching value and the factor
/// ∂s/∂(xᵢ − xⱼ) are kept, so the pullback Σ_c ḡ_c ∂c_(c)/∂x runs over the pairs, ḡ placed on the
/// particles by the sort order, instead of through a D × n Jacobian per configuration.
///
/// The sort is an odd–even transposition network (n rounds of compare–exchanges, Knuth, TAOCP
/// vol. 3, §5.3.4, exercise 37) on the key (cᵢ, i), the order `SortedCoordinationNumbers` sorts
/// by, so every lane sorts without branches. Each lane does the arithmetic of the single
/// configuration's path in the same order, so values and gradients are the same bits.
final class SortedCoordinationBatch: CVBatchEvaluator {
    typealias Lanes = SIMD4<Double>
    static let lanes = Lanes.scalarCount

    let layout: ParticleLayout
    let inverseCutoff2: Double
    let particles: Int, pairs: Int, spatial: Int
    /// Per group of four configurations and pair: the factor of xᵢ − xⱼ in ∂s/∂xᵢ, and xᵢ − xⱼ.
    private var factors = UnsafeMutablePointer<Lanes>.allocate(capacity: 0)
    private var deltas = UnsafeMutablePointer<Lanes>.allocate(capacity: 0)
    /// Per group and sorted position: the particle there, lane by lane.
    private var order = UnsafeMutablePointer<Lanes>.allocate(capacity: 0)
    /// One group's coordinates during `evaluate`, its gradients during `pullback`.
    private let coordinates: UnsafeMutablePointer<Lanes>
    /// One group's coordination numbers during `evaluate`, cotangents per particle during `pullback`.
    private let numbers: UnsafeMutablePointer<Lanes>
    /// The particle index carried through the sort.
    private let keys: UnsafeMutablePointer<Lanes>
    /// During `pullback`: each particle's sorted position, lane by lane (lanes × particles).
    private let ranks: UnsafeMutablePointer<Int>
    /// Zeros standing in for the cotangents and gradients of lanes past the block.
    private let zeros: UnsafeMutablePointer<Double>
    /// During `pullback`: each lane's cotangent row, then its gradient row.
    private let lanePointers: UnsafeMutablePointer<UnsafePointer<Double>>
    private var capacity = 0, rows = 0

    init(_ cv: SortedCoordinationNumbers) {
        layout = cv.coordination.layout
        inverseCutoff2 = 1 / (cv.coordination.cutoff * cv.coordination.cutoff)
        particles = layout.particles
        pairs = particles * (particles - 1) / 2
        spatial = layout.spatialDimension
        coordinates = .allocate(capacity: layout.dimension)
        numbers = .allocate(capacity: particles)
        keys = .allocate(capacity: particles)
        ranks = .allocate(capacity: Self.lanes * particles)
        zeros = .allocate(capacity: layout.dimension)
        zeros.initialize(repeating: 0, count: layout.dimension)
        lanePointers = .allocate(capacity: 2 * Self.lanes)
    }

    deinit {
        factors.deallocate()
        deltas.deallocate()
        order.deallocate()
        coordinates.deallocate()
        numbers.deallocate()
        keys.deallocate()
        ranks.deallocate()
        zeros.deallocate()
        lanePointers.deallocate()
    }

    private func reserve(_ groups: Int) {
        guard groups > capacity else { return }
        factors.deallocate()
        deltas.deallocate()
        order.deallocate()
        factors = .allocate(capacity: groups * pairs)
        deltas = .allocate(capacity: groups * pairs * spatial)
        order = .allocate(capacity: groups * particles)
        capacity = groups
    }

    func evaluate(_ x: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>) {
        let w = Self.lanes, groups = (count + w - 1) / w
        reserve(groups)
        rows = count
        let n = particles, sd = spatial, dim = layout.dimension
        for g in 0..<groups {
            // Lanes past the block repeat its last configuration; their results are not stored.
            // Vectors are assembled in registers: lane stores followed by a vector load would
            // stall on store forwarding.
            let x0 = x + g * w * dim, x1 = x + min(g * w + 1, count - 1) * dim
            let x2 = x + min(g * w + 2, count - 1) * dim, x3 = x + min(g * w + 3, count - 1) * dim
            for i in 0..<dim { coordinates[i] = Lanes(x0[i], x1[i], x2[i], x3[i]) }
            for i in 0..<n { numbers[i] = .zero }
            var p = g * pairs
            for i in 0..<(n - 1) {
                for j in (i + 1)..<n {
                    var r2 = Lanes.zero
                    for a in 0..<sd {
                        let u = coordinates[layout.index(i, a)] - coordinates[layout.index(j, a)]
                        deltas[p * sd + a] = u
                        r2 += u * u
                    }
                    // s = 1/(1 + q⁴), q = r²/r₀²: ∂s/∂xᵢ = −8q³s²/r₀² (xᵢ − xⱼ), as CoordinationNumbers.
                    let q = r2 * inverseCutoff2, q2 = q * q
                    let s = 1 / (1 + q2 * q2)
                    numbers[i] += s
                    numbers[j] += s
                    factors[p] = -8 * q2 * q * s * s * inverseCutoff2
                    p += 1
                }
            }
            sort()
            for i in 0..<n { order[g * n + i] = keys[i] }
            for l in 0..<min(w, count - g * w) {
                let c = values + (g * w + l) * n
                for i in 0..<n { c[i] = numbers[i][l] }
            }
        }
    }

    /// Sorts `numbers` lane by lane by (cᵢ, i), carrying i in `keys`.
    private func sort() {
        let n = particles
        for i in 0..<n { keys[i] = Lanes(repeating: Double(i)) }
        for round in 0..<n {
            var i = round & 1
            while i + 1 < n {
                let a = numbers[i], b = numbers[i + 1], ka = keys[i], kb = keys[i + 1]
                let swap = (a .> b) .| ((a .== b) .& (ka .> kb))
                numbers[i] = a.replacing(with: b, where: swap)
                numbers[i + 1] = b.replacing(with: a, where: swap)
                keys[i] = ka.replacing(with: kb, where: swap)
                keys[i + 1] = kb.replacing(with: ka, where: swap)
                i += 2
            }
        }
    }

    func pullback(_ cotangents: UnsafePointer<Double>, addingTo gradients: UnsafeMutablePointer<Double>) {
        let w = Self.lanes, groups = (rows + w - 1) / w
        let n = particles, sd = spatial, dim = layout.dimension
        for g in 0..<groups {
            let live = min(w, rows - g * w)
            // Per lane: where each particle sits in the sorted order; lanes past the block read zeros.
            let c = lanePointers, x = lanePointers + w
            for l in 0..<w {
                guard l < live else {
                    c[l] = UnsafePointer(zeros)
                    x[l] = UnsafePointer(zeros)
                    for i in 0..<n { ranks[l * n + i] = i }
                    continue
                }
                let k = g * w + l
                c[l] = cotangents + k * n
                x[l] = UnsafePointer(gradients + k * dim)
                for i in 0..<n { ranks[l * n + Int(order[g * n + i][l])] = i }
            }
            for i in 0..<n {
                numbers[i] = Lanes(c[0][ranks[i]], c[1][ranks[n + i]], c[2][ranks[2 * n + i]], c[3][ranks[3 * n + i]])
            }
            for i in 0..<dim { coordinates[i] = Lanes(x[0][i], x[1][i], x[2][i], x[3][i]) }
            var p = g * pairs
            for i in 0..<(n - 1) {
                for j in (i + 1)..<n {
                    let s = (numbers[i] + numbers[j]) * factors[p]
                    for a in 0..<sd {
                        let u = s * deltas[p * sd + a]
                        coordinates[layout.index(i, a)] += u
                        coordinates[layout.index(j, a)] -= u
                    }
                    p += 1
                }
            }
            for l in 0..<live {
                let k = g * w + l
                for i in 0..<dim { gradients[k * dim + i] = coordinates[i][l] }
            }
        }
    }
}
