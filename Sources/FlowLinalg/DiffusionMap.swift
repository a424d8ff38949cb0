import Foundation

/// Diffusion maps (Coifman & Lafon 2006) and the target-measure diffusion map (TMDmap; Banisch,
/// Trstanova, Bittracher, Klus & Koltai 2018), with the kernel convention of `DiffusionKernel`
/// (k_ε = exp(−d²/4ε)).
///
/// Construction: K_ij = k_ε(x_i, x_j) for i ≠ j (the diagonal is left out: an isolated sample
/// would otherwise keep weight 1 on itself and become a spurious near-absorbing state, while the
/// continuum limit is the same); density q = K·1; right weights w_j (TMDmap: π_j^{1/2}/q_j,
/// α-map: q_j^{−α}); P = D⁻¹ K D_w with D = diag(K·w); L_ε = (P − I)/ε. P is solved through its
/// symmetric conjugate S = D^{−1/2} D_w^{1/2} K D_w^{1/2} D^{−1/2} (LAPACK dense, ARPACK sparse).
///
/// Limits as n → ∞, ε → 0: TMDmap L_ε → Δ + ∇log π·∇, so for π ∝ e^{−βV}
/// L_ε → β(β⁻¹Δ − ∇V·∇) and `generatorEigenvalues` = (λ − 1)/(βε) estimate the eigenvalues of the
/// Langevin generator β⁻¹Δ − ∇V·∇. The α-map tends to Δ + 2(1 − α)∇log ρ·∇ for sampling density
/// ρ: α = 1 gives the Laplace–Beltrami operator (pass β = 1), α = ½ with ρ ∝ e^{−βV} gives the
/// same Langevin limit as TMDmap.
public enum DiffusionMap {
    public enum Method: Sendable {
        /// TMDmap with target density π given per sample as log π(x_i) up to a constant
        /// (e.g. −βV(x_i), or log reweighting weights). α = 1 is built in.
        case targetMeasure(logTarget: [Double])
        /// The α-normalized map (α = 0: graph Laplacian, ½: Fokker–Planck, 1: Laplace–Beltrami).
        case alpha(Double)
    }

    public enum KernelStorage: Sendable, Equatable {
        /// Dense up to `denseLimit` samples, k-nearest-neighbour sparse above.
        case automatic(neighbors: Int)
        case dense
        /// Union-symmetrized kNN graph: K_ij ≠ 0 when j is among the k nearest of i or i of j.
        case nearestNeighbors(Int)
    }

    public enum Bandwidth: Sendable, Equatable {
        case fixed(Double)
        /// Berry–Giannakis–Harlim (see `DiffusionKernel.automaticEpsilon`).
        case automatic
    }

    public struct Options: Sendable {
        public var method: Method
        public var kernel: KernelStorage
        public var epsilon: Bandwidth
        /// Number of non-trivial eigenpairs returned.
        public var components: Int
        /// β used to scale `generatorEigenvalues` (1 for the Laplace–Beltrami map).
        public var beta: Double
        public var denseLimit: Int
        /// Extra eigenpairs ARPACK iterates on beyond components + 1 (DESIGN §10: near-degenerate
        /// slow modes converge with ~20 pairs and ncv ≈ 80 where 4 pairs with a small ncv fail).
        public var extraPairs: Int
        public var lanczos: LanczosEigensolver.Options

        public init(method: Method, kernel: KernelStorage = .automatic(neighbors: 64), epsilon: Bandwidth = .automatic,
                    components: Int = 3, beta: Double = 1, denseLimit: Int = 2000, extraPairs: Int = 8,
                    lanczos: LanczosEigensolver.Options = LanczosEigensolver.Options(tolerance: 1e-10)) {
            self.method = method
            self.kernel = kernel
            self.epsilon = epsilon
            self.components = components
            self.beta = beta
            self.denseLimit = denseLimit
            self.extraPairs = extraPairs
            self.lanczos = lanczos
        }
    }

    /// Fits the map to the rows of `data`.
    public static func fit(_ data: Matrix, options: Options, monitor: WorkMonitor = SilentMonitor()) throws -> DiffusionMapModel {
        let n = data.rows
        guard options.components >= 1 && options.components + 1 < n else {
            throw LinalgError.invalidArgument("\(options.components) components need more than \(options.components + 1) samples, got \(n)")
        }
        guard options.beta > 0 else { throw LinalgError.invalidArgument("β must be positive, got \(options.beta)") }
        if case let .targetMeasure(logTarget) = options.method {
            guard logTarget.count == n else {
                throw LinalgError.dimensionMismatch("target log-density has \(logTarget.count) values for \(n) samples")
            }
            guard logTarget.allSatisfy({ $0.isFinite }) else {
                throw LinalgError.invalidArgument("target log-density must be finite for every sample")
            }
        }
        if case let .alpha(a) = options.method, !(a >= 0 && a <= 1) {
            throw LinalgError.invalidArgument("α must lie in [0, 1], got \(a)")
        }
        var neighbors: Int?
        switch options.kernel {
        case .dense: neighbors = nil
        case .nearestNeighbors(let k): neighbors = k
        case .automatic(let k): neighbors = n <= options.denseLimit ? nil : k
        }
        if let k = neighbors, k < 1 || k >= n {
            throw LinalgError.invalidArgument("\(k) neighbours for \(n) samples")
        }

        // Pairs (i, j, d²) of the kernel graph, i ≠ j.
        monitor.log("diffusion map: \(n) samples, dimension \(data.cols), " + (neighbors.map { "\($0) neighbours" } ?? "dense kernel"))
        let pairs: KernelPairs
        if let k = neighbors {
            let list = try NearestNeighbors.search(data, k: k, monitor: monitor)
            pairs = KernelPairs(n: n, neighbors: list)
        } else {
            pairs = KernelPairs(denseDistancesOf: data)
        }
        try monitor.checkCancellation()

        var intrinsicDimension: Double?
        let epsilon: Double
        switch options.epsilon {
        case .fixed(let e):
            guard e > 0 else { throw LinalgError.invalidArgument("ε must be positive, got \(e)") }
            epsilon = e
        case .automatic:
            let stride = Swift.max(1, pairs.squaredDistances.count / 200_000)
            let sample = Swift.stride(from: 0, to: pairs.squaredDistances.count, by: stride).map { pairs.squaredDistances[$0] }
            let chosen = try DiffusionKernel.automaticEpsilon(squaredDistances: sample, selfPairs: sample.count * n / Swift.max(1, pairs.squaredDistances.count))
            (epsilon, intrinsicDimension) = (chosen.epsilon, chosen.dimension)
            monitor.log(String(format: "diffusion map: automatic ε = %.4g, estimated intrinsic dimension %.2f", epsilon, chosen.dimension))
        }

        let kernel = try pairs.kernel(epsilon: epsilon)
        let components = ConnectedComponents(kernel)
        if components.count > 1 {
            throw LinalgError.disconnectedGraph(
                components: components.count, largest: components.largestSize,
                advice: "the diffusion-map kernel graph is disconnected; use more neighbours (now \(neighbors.map(String.init) ?? "all")) or a larger ε (now \(epsilon))")
        }
        let density = kernel.rowSums
        let rightWeights: [Double]
        switch options.method {
        case .targetMeasure(let logTarget):
            let top = logTarget.max() ?? 0
            rightWeights = (0..<n).map { exp((logTarget[$0] - top) / 2) / density[$0] }
        case .alpha(let a):
            rightWeights = density.map { pow($0, -a) }
        }
        let rowNormalizer = kernel.multiplied(by: rightWeights)
        let s = (0..<n).map { (rightWeights[$0] / rowNormalizer[$0]).squareRoot() }
        if let bad = (0..<n).first(where: { !(s[$0].isFinite && s[$0] > 0 && rightWeights[$0].isFinite) }) {
            throw LinalgError.invalidArgument("the kernel row of sample \(bad) underflows (density \(density[bad])) at ε = \(epsilon): the normalized operator is not representable; use a larger ε or more neighbours")
        }
        let symmetric = kernel.scaled(left: s, right: s)
        monitor.progress(done: 0, total: 1, note: "diffusion map: eigensolve")

        let wanted = options.components + 1
        let decomposition: SymmetricEigenDecomposition
        if neighbors == nil {
            decomposition = try symmetric.dense.symmetricEigen(.largest(wanted))
        } else {
            let nev = Swift.min(n - 2, wanted + Swift.max(0, options.extraPairs))
            var lanczos = options.lanczos
            if lanczos.ncv == nil { lanczos.ncv = Swift.min(n - 1, Swift.max(3 * nev, 40)) }
            decomposition = try symmetric.symmetricEigen(count: nev, target: .largestAlgebraic, options: lanczos, monitor: monitor)
        }
        try monitor.checkCancellation()
        // Largest first; column 0 is the trivial pair (λ = 1, φ = 1).
        let m = decomposition.values.count
        let order = (0..<m).reversed().prefix(wanted)
        guard order.count == wanted else {
            throw LinalgError.notConverged("only \(m) of \(wanted) diffusion-map eigenpairs converged")
        }
        let measure = (0..<n).map { rowNormalizer[$0] * rightWeights[$0] }
        let total = measure.reduce(0, +)
        var vectors = Matrix(rows: n, cols: options.components)
        var eigenvalues = [Double]()
        for (c, j) in order.dropFirst().enumerated() {
            eigenvalues.append(decomposition.values[j])
            var phi = (0..<n).map { decomposition.vectors[$0, j] / (measure[$0] / total).squareRoot() }
            let norm = (0..<n).reduce(0.0) { $0 + measure[$1] / total * phi[$1] * phi[$1] }.squareRoot()
            let peak = phi.max { abs($0) < abs($1) } ?? 1
            let sign: Double = peak < 0 ? -1 : 1
            phi = phi.map { sign * $0 / norm }
            for i in 0..<n { vectors[i, c] = phi[i] }
        }
        // A mode carried by a handful of isolated samples (a nearly disconnected cluster) has a
        // large fourth moment Σμφ⁴ (≈ 3 for a spread-out mode, ≈ 1/μ(cluster) for a localized one).
        for c in 0..<options.components {
            let kurtosis = (0..<n).reduce(0.0) { $0 + measure[$1] / total * pow(vectors[$1, c], 4) }
            if kurtosis > 100 {
                monitor.log(String(format: "diffusion map: warning: eigenvector %d is localized on few samples (Σμφ⁴ = %.3g); the kernel graph is nearly disconnected — use a larger ε or more neighbours", c + 1, kurtosis))
            }
        }
        let trivial = decomposition.values[order.first!]
        monitor.log(String(format: "diffusion map: trivial eigenvalue %.12f, leading non-trivial %@", trivial,
                           eigenvalues.map { String(format: "%.6f", $0) }.joined(separator: ", ")))
        return DiffusionMapModel(
            data: data, epsilon: epsilon, neighbors: neighbors, intrinsicDimension: intrinsicDimension,
            beta: options.beta, rightWeights: rightWeights, density: density,
            stationary: measure.map { $0 / total }, eigenvalues: eigenvalues, eigenvectors: vectors,
            trivialEigenvalue: trivial)
    }
}

/// The off-diagonal pairs of a diffusion-map kernel graph with their squared distances.
struct KernelPairs {
    let n: Int
    let rows: [Int]
    let cols: [Int]
    let squaredDistances: [Double]

    /// Every ordered pair i ≠ j; squared distances from one GEMM.
    init(denseDistancesOf data: Matrix) {
        n = data.rows
        let gram = data.gram(transposeFirst: false)
        let norms = gram.diagonal
        var r = [Int](), c = [Int](), d = [Double]()
        r.reserveCapacity(n * (n - 1)); c.reserveCapacity(n * (n - 1)); d.reserveCapacity(n * (n - 1))
        for i in 0..<n {
            for j in 0..<n where j != i {
                r.append(i); c.append(j)
                d.append(Swift.max(0, norms[i] + norms[j] - 2 * gram.storage[i * n + j]))
            }
        }
        (rows, cols, squaredDistances) = (r, c, d)
    }

    /// The kNN pairs (self excluded); symmetrization happens in `kernel`.
    init(n: Int, neighbors: NeighborList) {
        self.n = n
        rows = (0..<(n * neighbors.k)).map { $0 / neighbors.k }
        cols = neighbors.indices.map { Int($0) }
        squaredDistances = neighbors.squaredDistances
    }

    /// The union-symmetrized kernel matrix (exact for dense pairs, which are symmetric already).
    func kernel(epsilon: Double) throws -> SparseMatrix {
        let values = squaredDistances.map { DiffusionKernel.value(squaredDistance: $0, epsilon: epsilon) }
        return try SparseMatrix(rows: n, cols: n, rowIndices: rows, columnIndices: cols, values: values)
            .symmetrized(.union)
    }
}
