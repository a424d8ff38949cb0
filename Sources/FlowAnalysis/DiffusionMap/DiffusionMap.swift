import Foundation
import FlowLinalg

/// Diffusion maps (Coifman & Lafon 2006) and the target-measure diffusion map (TMDmap; Banisch,
/// Trstanova, Bittracher, Klus & Koltai 2020), with the kernel convention of `DiffusionKernel`
/// (k_ε = exp(−d²/(4ερ_iρ_j))) and an optional variable bandwidth ρ (Berry & Harlim 2016).
///
/// Construction: K_ij = k_ε(x_i, x_j) for i ≠ j (the diagonal is left out: an isolated sample
/// would otherwise keep weight 1 on itself and become a spurious near-absorbing state, while the
/// continuum limit is the same); Σ_j K_ij; right weights w_j; P = D⁻¹ K W with D = diag(K·w);
/// L_ε = R⁻²(P − I)/ε with R = diag(ρ). Expanding the kernel to O(ε) (Berry & Harlim 2016,
/// Lemma 3.1; for ρ ≡ 1 Coifman & Lafon 2006) gives, for sampling density q and a manifold of
/// dimension d, L_ε f → Δf + (2∇log(w q) + (d + 2)∇log ρ)·∇f. The weights make that drift the wanted
/// one (Σ_j K_ij below is floored at `kernelMassFloor`, see there):
/// - TMDmap, target π: w = π^{1/2} ρ^{(d−2)/2} / Σ_j K_ij (with ρ ≡ 1 this is Banisch et al.'s
///   π^{1/2}/q with α = 1 built in), limit Δ + ∇log π·∇; for π ∝ e^{−βV} that is
///   β(β⁻¹Δ − ∇V·∇), so `generatorEigenvalues` = (λ − 1)/(βε) estimate the eigenvalues of the
///   Langevin generator β⁻¹Δ − ∇V·∇.
/// - α-map: w = q^{−α} ρ^{−(d+2)/2} with q = Σ_j K_ij/ρ_i^d (the variable-bandwidth density
///   estimate), limit Δ + 2(1 − α)∇log q·∇: α = 1 gives the Laplace–Beltrami operator (pass β = 1),
///   α = ½ with q ∝ e^{−βV} the same Langevin limit as TMDmap.
///
/// P is reversible with respect to μ_i = w_i D_i, and L_ε is self-adjoint in the inner product
/// weighted by m_i ∝ μ_i ρ_i² (which estimates π for TMDmap). Its eigenproblem is solved through the
/// symmetric matrix H = T K T + I − R⁻², T = diag((w/D)^{1/2}/ρ), whose eigenvalues are 1 + εν
/// for the eigenvalues ν of L_ε and whose eigenvectors are ψ = (μ^{1/2}ρ)φ (LAPACK dense, ARPACK
/// sparse). With ρ ≡ 1, H is the usual symmetric conjugate of P and 1 + εν its eigenvalues.
public enum DiffusionMap {
    public enum Method: Sendable {
        /// TMDmap with target density π given per sample as log π(x_i) up to a constant
        /// (e.g. −βV(x_i), or log reweighting weights + log sampling density). α = 1 is built in.
        case targetMeasure(logTarget: [Double])
        /// TMDmap whose target is the sampling density times reweighting weights, π = q·w, given
        /// as log w per sample (biased simulations, or features whose π is unknown in closed
        /// form). q is the kernel density estimate Σ_j K_ij/ρ_i^d, so the right weights become
        /// w^{1/2} ρ⁻¹ (Σ_j K_ij)^{−1/2} ((w/q)^{1/2} for a fixed bandwidth, as in the Cameron group's codes).
        case reweighted(logWeights: [Double])
        /// The α-normalized map (α = 0: graph Laplacian, ½: Fokker–Planck, 1: Laplace–Beltrami).
        case alpha(Double)
    }

    public enum KernelStorage: Sendable, Equatable {
        /// Dense up to `denseLimit` samples, k-nearest-neighbour sparse above.
        case automatic
        case dense
        /// Union-symmetrized kNN graph: K_ij ≠ 0 when j is among the k nearest of i or i of j.
        case nearestNeighbors
    }

    public enum Bandwidth: Sendable, Equatable {
        case fixed(Double)
        /// The kernel-sum criterion (`KernelSum`): ε at the steepest slope of log S(ε), over the
        /// full kernel (not the stored neighbours), with S from up to `kernelSumRows` rows against
        /// all samples. For the sparse kernel ε is capped at the `neighborReach` value, the largest
        /// the stored neighbours resolve; the model records both (`kernelSum.epsilon`).
        case kernelSum
        /// ε such that the `neighbors`-th neighbour of the median sample sits where the Gaussian
        /// is cut with a relative error `reachTolerance` in L_ε (see `DiffusionKernel.reach`):
        /// the largest ε, hence the smallest variance, that the stored neighbours can resolve.
        case neighborReach
    }

    /// How the eigenpairs of the sparse kernel are computed (the dense kernel uses LAPACK dsyevr).
    public enum SparseEigensolver: Sendable {
        /// `ChebyshevEigensolver` with the trivial mode deflated exactly; nil tolerance means a
        /// residual of 10⁻⁶ε (10⁻⁶ in the units of L_ε).
        case chebyshev(blockSize: Int?, degree: Int, tolerance: Double?)
        /// ARPACK dsaupd with components + 1 + `extraPairs` pairs and `lanczos` settings.
        case arpack

        public static let defaultChebyshev = SparseEigensolver.chebyshev(blockSize: nil, degree: 32, tolerance: nil)
    }

    /// What the fit does with an eigenvector localized on a few isolated samples (see
    /// `DiffusionMapModel.modes`, `isolatedSampleLimit`).
    public enum LocalizedModes: Sendable, Equatable {
        /// Keep it; its diagnostics say where it lives and what mass it carries.
        case keep
        /// Throw an error that names the mode, its support and where it lives.
        case refuse
    }

    public enum BandwidthProfile: Sendable, Equatable {
        /// ρ ≡ 1: the classical kernel.
        case fixed
        /// ρ from the distances to this many nearest neighbours (`BandwidthFunction`).
        case variable(neighbors: Int)
    }

    public struct Options: Sendable {
        public var method: Method
        public var kernel: KernelStorage
        /// k: neighbours stored per sample by the sparse kernel, and the reach the automatic ε is
        /// tied to (also for the dense kernel, so that both give the same ε).
        public var neighbors: Int
        public var epsilon: Bandwidth
        public var bandwidth: BandwidthProfile
        /// Relative error of L_ε allowed from cutting the kernel at the k-th neighbour (automatic ε).
        public var reachTolerance: Double
        /// Manifold dimension d for the variable-bandwidth weights, the reach and the density; nil
        /// means the nearest-neighbour likelihood estimate, rounded.
        public var dimension: Int?
        /// Number of non-trivial eigenpairs returned.
        public var components: Int
        /// β used to scale `generatorEigenvalues` (1 for the Laplace–Beltrami map).
        public var beta: Double
        public var denseLimit: Int
        /// Extra eigenpairs ARPACK iterates on beyond components + 1 (DESIGN §10: near-degenerate
        /// slow modes converge with ~20 pairs and ncv ≈ 80 where 4 pairs with a small ncv fail).
        public var extraPairs: Int
        public var lanczos: LanczosEigensolver.Options
        public var eigensolver: SparseEigensolver
        public var localizedModes: LocalizedModes
        /// Rows (a seeded random subset when there are more samples) of the kernel sum.
        public var kernelSumRows: Int
        /// Chebyshev only: approximate eigenvectors φ at the samples (n × m, e.g. a map on a δ-net
        /// extended by Nyström) to start the subspace iteration from (the two-level start block),
        /// completed with seeded random columns; nil: a seeded random block.
        public var startVectors: Matrix?

        public init(method: Method, kernel: KernelStorage = .automatic, neighbors: Int = 64,
                    epsilon: Bandwidth = .kernelSum, bandwidth: BandwidthProfile = .variable(neighbors: 8),
                    reachTolerance: Double = 0.01, dimension: Int? = nil, components: Int = 3, beta: Double = 1,
                    denseLimit: Int = 2000, extraPairs: Int = 8,
                    lanczos: LanczosEigensolver.Options = LanczosEigensolver.Options(tolerance: 1e-10),
                    eigensolver: SparseEigensolver = .defaultChebyshev, localizedModes: LocalizedModes = .keep,
                    kernelSumRows: Int = 512) {
            self.method = method
            self.kernel = kernel
            self.neighbors = neighbors
            self.epsilon = epsilon
            self.bandwidth = bandwidth
            self.reachTolerance = reachTolerance
            self.dimension = dimension
            self.components = components
            self.beta = beta
            self.denseLimit = denseLimit
            self.extraPairs = extraPairs
            self.lanczos = lanczos
            self.eigensolver = eigensolver
            self.localizedModes = localizedModes
            self.kernelSumRows = kernelSumRows
            self.startVectors = nil
        }
    }

    /// Fits the map to the rows of `data`.
    public static func fit(_ data: Matrix, options: Options, monitor: WorkMonitor = SilentMonitor()) throws -> DiffusionMapModel {
        let n = data.rows
        try validate(options, samples: n)
        let k = options.neighbors
        let dense: Bool
        switch options.kernel {
        case .dense: dense = true
        case .nearestNeighbors: dense = false
        case .automatic: dense = n <= options.denseLimit
        }
        monitor.log("diffusion map: \(n) samples, dimension \(data.cols), \(k) neighbours, " + (dense ? "dense kernel" : "sparse kernel"))
        let list = try NearestNeighbors.search(data, k: k, monitor: monitor)
        monitor.log("diffusion map: neighbour search done")
        let graph = dense ? KernelGraph(denseDistancesOf: data) : KernelGraph(n: n, neighbors: list)
        try monitor.checkCancellation()

        let likelihood = DiffusionKernel.likelihoodDimension(squaredDistances: list.squaredDistances, stride: k,
                                                             neighbors: Swift.min(k, 20), count: n)
        guard let estimate = likelihood else {
            throw LinalgError.invalidArgument("every sample has exact duplicates among its nearest neighbours; remove duplicate rows")
        }
        let d = Double(options.dimension ?? Swift.max(1, Int(estimate.rounded())))
        var bandwidth: BandwidthFunction?
        if case .variable(let k0) = options.bandwidth {
            bandwidth = try BandwidthFunction(squaredDistances: list.squaredDistances, indices: list.indices,
                                              stride: k, neighbors: Swift.min(k0, k), count: n,
                                              exponent: BandwidthFunction.exponent(dimension: d))
        }
        let rho = bandwidth?.values ?? [Double](repeating: 1, count: n)
        let reachDistances = (0..<n).map { i -> Double in
            let e = i * k + k - 1
            return list.squaredDistances[e] / (rho[i] * rho[Int(list.indices[e])])
        }.sorted()
        let medianReach = reachDistances[n / 2]
        guard medianReach > 0 else {
            throw LinalgError.invalidArgument("more than half of the samples have \(k) or more exact duplicates; remove duplicate rows or use more neighbours")
        }
        var rows: [Int]? = nil
        if n > options.kernelSumRows {
            var rng = RandomSource(seed: 0x4B53_554D, stream: "kernel-sum rows")
            rows = Array(rng.permutation(n).prefix(options.kernelSumRows)).sorted()
        }
        let kernelSum = try KernelSum(data: data, bandwidth: bandwidth?.values, rows: rows, monitor: monitor)
        let reachEpsilon = medianReach / (4 * DiffusionKernel.reach(dimension: d, tolerance: options.reachTolerance))
        let epsilon: Double
        switch options.epsilon {
        case .fixed(let e): epsilon = e
        case .neighborReach:
            epsilon = reachEpsilon
            monitor.log(String(format: "diffusion map: ε = %.4g from the reach of the %d-th neighbour", epsilon, k))
        case .kernelSum:
            epsilon = Swift.min(kernelSum.epsilon, reachEpsilon)
            if kernelSum.epsilon > reachEpsilon {
                let needed = Double(k) * pow(kernelSum.epsilon / reachEpsilon, d / 2)
                monitor.log(String(format: "diffusion map: kernel-sum ε = %.4g exceeds what %d stored neighbours resolve (%.4g; about %.0f would resolve it): ε = %.4g", kernelSum.epsilon, k, reachEpsilon, needed, epsilon))
            } else {
                monitor.log(String(format: "diffusion map: ε = %.4g by the kernel-sum criterion", epsilon))
            }
        }
        monitor.log(String(format: "diffusion map: intrinsic dimension %.2f (nearest-neighbour likelihood), %.2f (kernel-sum slope), d = %.0f used", estimate, kernelSum.dimension, d))

        let normalized = try NormalizedKernel(graph: graph, epsilon: epsilon, bandwidth: rho, method: options.method,
                                              dimension: d, variableBandwidth: bandwidth != nil, neighbors: k)
        if normalized.flooredCount > 0 {
            monitor.log(String(format: "diffusion map: %d samples (%.2g%%) have less than %.3g kernel mass among their neighbours; their density estimate is floored there", normalized.flooredCount, 100 * Double(normalized.flooredCount) / Double(n), normalized.floor))
        }
        let (kernelSums, rightWeights) = (normalized.kernelSums, normalized.rightWeights)
        let symmetric = normalized.symmetricConjugate
        let diagonal = rho.map { 1 - 1 / ($0 * $0) }
        let stationary = normalized.stationary
        monitor.progress(done: 0, total: 1, note: "diffusion map: eigensolve")
        let (decomposition, solver) = try eigenpairs(symmetric, diagonal: diagonal, trivial: stationary.map { $0.squareRoot() },
                                                     dense: dense, epsilon: epsilon, options: options, monitor: monitor)
        try monitor.checkCancellation()

        let wanted = options.components + 1
        let m = decomposition.values.count
        let order = (0..<m).reversed().prefix(wanted)
        guard order.count == wanted else {
            throw LinalgError.notConverged("only \(m) of \(wanted) diffusion-map eigenpairs converged")
        }
        var vectors = Matrix(rows: n, cols: options.components)
        var eigenvalues = [Double]()
        for (c, j) in order.dropFirst().enumerated() {
            eigenvalues.append(decomposition.values[j])
            var phi = (0..<n).map { decomposition.vectors[$0, j] / stationary[$0].squareRoot() }
            let norm = (0..<n).reduce(0.0) { $0 + stationary[$1] * phi[$1] * phi[$1] }.squareRoot()
            let peak = phi.max { abs($0) < abs($1) } ?? 1
            let sign: Double = peak < 0 ? -1 : 1
            phi = phi.map { sign * $0 / norm }
            for i in 0..<n { vectors[i, c] = phi[i] }
        }
        // Logged before the checks below, so that a refused fit still shows what it found.
        let trivial = decomposition.values[order.first!]
        monitor.log(String(format: "diffusion map: trivial eigenvalue %.12f, leading non-trivial %@", trivial,
                           eigenvalues.map { String(format: "%.8f", $0) }.joined(separator: ", ")))
        let modes = (0..<options.components).map { ModeDiagnostics(eigenvector: vectors.column($0), measure: stationary, points: data) }
        for (c, mode) in modes.enumerated() where mode.isLocalized {
            monitor.log("diffusion map: warning: eigenvector \(c + 1) is localized: \(mode.summary)")
        }
        // An eigenvector carried by a handful of samples may be a few samples the kernel barely
        // reaches (a gap wider than √(4ερρ) in a sparse tail), or a real slow mode that the data
        // sample only in a few points (Müller–Brown's plateau mode, DESIGN §10). The diagnostics
        // above tell which; refusing is the caller's choice.
        if options.localizedModes == .refuse, let c = modes.firstIndex(where: { $0.isIsolated(samples: n) }) {
            throw LinalgError.invalidArgument(String(format: "diffusion-map eigenvector %d (eigenvalue %.8f) is localized: %@ at ε = %.4g; if it is not a slow process, use more neighbours (now %d), a larger epsilon, or drop outlying samples", c + 1, eigenvalues[c], modes[c].summary, epsilon, k))
        }
        let volume = pow(4 * Double.pi * epsilon, d / 2) * Double(n)
        return DiffusionMapModel(
            data: data, epsilon: epsilon, neighbors: dense ? nil : k, intrinsicDimension: estimate, kernelSum: kernelSum,
            dimension: Int(d), bandwidth: bandwidth, beta: options.beta, rightWeights: rightWeights,
            density: (0..<n).map { kernelSums[$0] / (volume * pow(rho[$0], d)) },
            stationary: stationary, eigenvalues: eigenvalues, eigenvectors: vectors,
            modes: modes, trivialEigenvalue: trivial, solver: solver)
    }

    static func validate(_ options: Options, samples n: Int) throws {
        guard options.components >= 1 && options.components + 1 < n else {
            throw LinalgError.invalidArgument("\(options.components) components need more than \(options.components + 1) samples, got \(n)")
        }
        guard options.beta > 0 else { throw LinalgError.invalidArgument("β must be positive, got \(options.beta)") }
        guard options.neighbors >= 1 && options.neighbors < n else {
            throw LinalgError.invalidArgument("\(options.neighbors) neighbours for \(n) samples; use between 1 and \(n - 1)")
        }
        if case .fixed(let e) = options.epsilon, !(e > 0 && e.isFinite) {
            throw LinalgError.invalidArgument("ε must be positive, got \(e)")
        }
        if case .variable(let k0) = options.bandwidth, k0 < 1 {
            throw LinalgError.invalidArgument("the variable bandwidth needs at least 1 neighbour, got \(k0)")
        }
        if let d = options.dimension, d < 1 { throw LinalgError.invalidArgument("manifold dimension must be ≥ 1, got \(d)") }
        guard options.reachTolerance > 0 && options.reachTolerance < 1 else {
            throw LinalgError.invalidArgument("reach tolerance must lie in (0, 1), got \(options.reachTolerance)")
        }
        switch options.method {
        case .targetMeasure(let logTarget), .reweighted(let logTarget):
            guard logTarget.count == n else {
                throw LinalgError.dimensionMismatch("target log-density (or log weights) has \(logTarget.count) values for \(n) samples")
            }
            guard logTarget.allSatisfy({ $0.isFinite }) else {
                throw LinalgError.invalidArgument("target log-density (or log weights) must be finite for every sample")
            }
        case .alpha(let a):
            guard a >= 0 && a <= 1 else { throw LinalgError.invalidArgument("α must lie in [0, 1], got \(a)") }
        }
    }

    /// The smallest kernel row sum Σ_j K_ij (in effective neighbours) that the density estimate in
    /// the right weights may use: half a neighbour, or half the median sample's sum if that is
    /// smaller. The leave-one-out estimate is pure noise where a sample has much less kernel mass
    /// than a typical one (a sample out in a sparse tail), and every method divides by it: such a
    /// sample's weight explodes, it becomes a sink of the Markov chain, and the slow eigenvectors
    /// sit on it. On 6000 samples of a 5-D Gaussian (test `testTMDmapInFiveDimensions…`, median
    /// sum 1.0) the floor turns generator eigenvalues −0.89…−0.96 with eigenvectors on a few tail
    /// samples (Σmφ⁴ up to 300) into −0.99…−1.11 with Σmφ⁴ ≈ 3, the value of the exact linear
    /// eigenfunctions. The median term matters in high dimension, where the automatic ε leaves
    /// every sample far less than one neighbour (median 0.03 for LJ7's 14 coordinates, d = 10):
    /// an absolute floor there would replace every density estimate by a constant.
    static func kernelMassFloor(_ kernelSums: [Double]) -> Double {
        let sorted = kernelSums.sorted()
        return Swift.min(0.5, 0.5 * sorted[sorted.count / 2])
    }

    /// The right weights w_j (see the type's documentation); `kernelSums` are already floored.
    static func weights(_ method: Method, kernelSums: [Double], bandwidth rho: [Double], dimension d: Double) -> [Double] {
        switch method {
        case .targetMeasure(let logTarget):
            let top = logTarget.max() ?? 0
            return (0..<rho.count).map { exp((logTarget[$0] - top) / 2) * pow(rho[$0], (d - 2) / 2) / kernelSums[$0] }
        case .reweighted(let logWeights):
            let top = logWeights.max() ?? 0
            return (0..<rho.count).map { exp((logWeights[$0] - top) / 2) / (rho[$0] * kernelSums[$0].squareRoot()) }
        case .alpha(let a):
            return (0..<rho.count).map { pow(kernelSums[$0], -a) * pow(rho[$0], d * a - (d + 2) / 2) }
        }
    }

    /// The largest eigenpairs of H = `symmetric` + diag(`diagonal`), ascending (the trivial pair,
    /// eigenvector `trivial` = √m up to normalization, last), and how they were found.
    static func eigenpairs(_ symmetric: SparseMatrix, diagonal: [Double], trivial: [Double], dense: Bool, epsilon: Double,
                           options: Options, monitor: WorkMonitor) throws -> (SymmetricEigenDecomposition, String) {
        let n = symmetric.rows
        let wanted = options.components + 1
        let variable = diagonal.contains { $0 != 0 }
        if dense {
            var h = symmetric.dense
            for i in 0..<n { h[i, i] += diagonal[i] }
            return (try h.symmetricEigen(.largest(wanted)), "LAPACK dsyevr (dense)")
        }
        switch options.eigensolver {
        case let .chebyshev(blockSize, degree, tolerance):
            let norm = trivial.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let psi0 = Matrix(rows: n, cols: 1, storage: trivial.map { $0 / norm })
            var statistics: ChebyshevEigensolver.Statistics?
            let chebyshev = ChebyshevEigensolver.Options(
                blockSize: blockSize ?? (options.components + Swift.max(20, options.extraPairs)), degree: degree,
                tolerance: tolerance ?? 1e-5 * epsilon,
                startBlock: try options.startVectors.map { phi -> Matrix in
                    guard phi.rows == n else { throw LinalgError.dimensionMismatch("start vectors have \(phi.rows) rows for \(n) samples") }
                    // ψ = √m φ: the eigenvectors of the symmetric H that the iteration works on.
                    return Matrix(rows: n, cols: phi.cols, storage: (0..<n).flatMap { i in (0..<phi.cols).map { trivial[i] * phi[i, $0] } })
                })
            let found = try ChebyshevEigensolver.largest(dimension: n, count: options.components, deflating: psi0, options: chebyshev,
                                                         monitor: monitor, statistics: { statistics = $0 }) { x, y in
                y = symmetric.multiplied(byBlock: x)
                if variable { for i in 0..<n { for j in 0..<x.cols { y[i, j] += diagonal[i] * x[i, j] } } }
            }
            var hPsi0 = symmetric.multiplied(by: psi0.storage)
            if variable { for i in 0..<n { hPsi0[i] += diagonal[i] * psi0.storage[i] } }
            let trivialValue = zip(psi0.storage, hPsi0).reduce(0) { $0 + $1.0 * $1.1 }
            var vectors = Matrix(rows: n, cols: options.components + 1)
            for i in 0..<n {
                for j in 0..<options.components { vectors[i, j] = found.vectors[i, j] }
                vectors[i, options.components] = psi0.storage[i]
            }
            let s = statistics.map { String(format: "Chebyshev subspace iteration: %d iterations, %d block products of %d vectors, degree %d, residual %.2e", $0.iterations, $0.blockProducts, $0.blockSize, degree, $0.residual) }
            return (SymmetricEigenDecomposition(values: found.values + [trivialValue], vectors: vectors), s ?? "Chebyshev subspace iteration")
        case .arpack:
            let nev = Swift.min(n - 2, wanted + Swift.max(0, options.extraPairs))
            var lanczos = options.lanczos
            if lanczos.ncv == nil { lanczos.ncv = Swift.min(n - 1, Swift.max(3 * nev, 40)) }
            var statistics: LanczosEigensolver.Statistics?
            let result = try LanczosEigensolver.solve(dimension: n, count: nev, target: .largestAlgebraic, options: lanczos,
                                                      monitor: monitor, statistics: { statistics = $0 }) { x, y in
                symmetric.multiply(x, into: y)
                if variable { for i in 0..<n { y[i] += diagonal[i] * x[i] } }
            }
            let s = statistics.map { "ARPACK dsaupd: \($0.converged) pairs, \($0.restarts) restarts, \($0.operatorApplications) products, ncv \($0.ncv)" }
            return (result, s ?? "ARPACK dsaupd")
        }
    }
}
