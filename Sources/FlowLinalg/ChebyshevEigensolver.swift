import Foundation

/// The largest eigenpairs of a symmetric operator by Chebyshev-filtered subspace iteration
/// (Zhou & Saad 2007, "A Chebyshev–Davidson algorithm for large symmetric eigenproblems", SIAM J.
/// Matrix Anal. Appl. 29, 954–971; Zhou, Saad, Tiago & Chelikowsky 2006, J. Comput. Phys. 219,
/// 172–184, Algorithm 4.1 with the scaled filter of their eq. 3.4).
///
/// Each iteration applies to a block X the polynomial p_m(A) = T_m((A − c)/e)/T_m((τ − c)/e), which
/// is bounded by 1 on the unwanted interval [a, b] (c, e its centre and half-width) and grows like
/// exp(m·acosh((λ − c)/e)) above it, τ the current top Ritz value; then orthonormalizes X
/// (Householder QR) and does a Rayleigh–Ritz step. The lower end a comes from a short Lanczos run
/// (θ_min − ‖f‖, Zhou & Li 2011), the cutoff b is the block's smallest Ritz value. Why this and
/// not ARPACK for diffusion maps: the operator is applied to a whole block at once (one pass over
/// the sparse matrix per product instead of one per vector), there is no restart logic that can
/// stall on near-degenerate slow modes (DESIGN §10), and known eigenvectors (the trivial mode) are
/// deflated exactly by projecting them out of every product. The start block is seeded
/// pseudo-random (or given), so results are reproducible.
public enum ChebyshevEigensolver {
    public struct Options: Sendable {
        /// Vectors iterated on; nil means max(count + 8, ⌈1.5·count⌉). A larger block moves the
        /// cutoff away from the wanted eigenvalues and so speeds up the filter.
        public var blockSize: Int?
        /// Degree m of the Chebyshev filter per iteration.
        public var degree: Int
        /// A pair counts as converged when ‖A v − θ v‖₂ ≤ tolerance (v of unit norm).
        public var tolerance: Double
        public var maxIterations: Int
        /// Seed of the pseudo-random start block.
        public var seed: UInt64
        /// Start block (n × blockSize, any scaling; completed with seeded random columns if narrower).
        public var startBlock: Matrix?
        /// A lower bound of the spectrum, when known (e.g. −1 for a symmetric Markov conjugate); nil
        /// means a 20-step Lanczos estimate.
        public var lowerBound: Double?

        public init(blockSize: Int? = nil, degree: Int = 16, tolerance: Double = 1e-9, maxIterations: Int = 2000,
                    seed: UInt64 = 0x4348_4542_5953_4900, startBlock: Matrix? = nil, lowerBound: Double? = nil) {
            self.blockSize = blockSize
            self.degree = degree
            self.tolerance = tolerance
            self.maxIterations = maxIterations
            self.seed = seed
            self.startBlock = startBlock
            self.lowerBound = lowerBound
        }
    }

    public struct Statistics: Sendable, Equatable {
        public var iterations: Int
        /// Block products A·X (each with `blockSize` columns).
        public var blockProducts: Int
        public var blockSize: Int
        /// The unwanted interval [lower, cutoff] of the last filter.
        public var lowerBound: Double
        public var cutoff: Double
        /// Largest residual norm among the returned pairs.
        public var residual: Double
    }

    /// The `count` algebraically largest eigenpairs of the symmetric operator `apply` (Y ← A·X for
    /// row-major n × k blocks) restricted to the orthogonal complement of the orthonormal columns of
    /// `deflating` (known eigenvectors, e.g. the trivial mode; pass nil for none). Eigenvalues
    /// ascending, eigenvectors orthonormal in the columns of `vectors`.
    public static func largest(dimension n: Int, count nev: Int, deflating: Matrix? = nil, options: Options = Options(),
                               monitor: WorkMonitor = SilentMonitor(), statistics: ((Statistics) -> Void)? = nil,
                               apply: (Matrix, inout Matrix) throws -> Void) throws -> SymmetricEigenDecomposition {
        let p = deflating?.cols ?? 0
        guard nev >= 1, nev + p < n else {
            throw LinalgError.invalidArgument("\(nev) eigenpairs (+\(p) deflated) of a \(n)×\(n) operator; use the dense solver for tiny problems")
        }
        if let d = deflating, d.rows != n { throw LinalgError.dimensionMismatch("deflated vectors have \(d.rows) rows, expected \(n)") }
        let b = Swift.min(n - p, options.blockSize ?? Swift.max(nev + 8, (3 * nev + 1) / 2))
        guard b >= nev, options.degree >= 1 else {
            throw LinalgError.invalidArgument("block size \(b) < \(nev) pairs, or filter degree \(options.degree) < 1")
        }
        var products = 0
        func operate(_ x: Matrix) throws -> Matrix {
            var y = Matrix(rows: n, cols: x.cols)
            try apply(project(x, deflating), &y)
            products += 1
            return project(y, deflating)
        }

        // The deflated directions are eigenvectors of the projected operator with eigenvalue 0: the
        // interval the filter damps must contain 0 too, or roundoff along them would be amplified.
        let estimate = try options.lowerBound ?? lanczosLowerBound(n: n, deflating: deflating, seed: options.seed, operate: operate)
        let lower = p > 0 ? Swift.min(estimate, 0) : estimate
        var x = try project(startBlock(n: n, columns: b, options: options), deflating).orthonormalizedColumns()
        var ax = try operate(x)
        var (theta, residuals) = try rayleighRitz(&x, &ax)
        var iteration = 0
        while true {
            // Ritz values ascending: the wanted pairs are the last nev.
            let worst = residuals.suffix(nev).max() ?? 0
            if worst <= options.tolerance { break }
            iteration += 1
            guard iteration <= options.maxIterations else {
                throw LinalgError.notConverged("Chebyshev subspace iteration: residual \(String(format: "%.3g", worst)) > \(options.tolerance) after \(options.maxIterations) iterations (\(products) block products of \(b) vectors); raise the block size or the degree")
            }
            try monitor.checkCancellation()
            let cutoff = theta[0], top = theta[b - 1]
            guard top > cutoff, cutoff > lower else {
                throw LinalgError.notConverged("Chebyshev subspace iteration: the block's Ritz values [\(cutoff), \(top)] leave no interval to filter above the spectrum's lower bound \(lower)")
            }
            x = try filter(x, degree: options.degree, lower: lower, cutoff: cutoff, top: top, operate: operate)
            x = try x.orthonormalizedColumns()
            ax = try operate(x)
            (theta, residuals) = try rayleighRitz(&x, &ax)
            if iteration % 10 == 0 {
                monitor.progress(done: 0, total: 1, note: String(format: "Chebyshev filter: iteration %d, residual %.2e", iteration, worst))
            }
        }
        let keep = (b - nev)..<b
        let result = SymmetricEigenDecomposition(values: Array(theta[keep]), vectors: x.columns(keep))
        let stats = Statistics(iterations: iteration, blockProducts: products, blockSize: b, lowerBound: lower,
                               cutoff: theta[0], residual: residuals.suffix(nev).max() ?? 0)
        monitor.log(String(format: "Chebyshev subspace iteration: %d pairs in %d iterations, %d block products of %d vectors (degree %d), residual %.2e", nev, iteration, products, b, options.degree, stats.residual))
        statistics?(stats)
        return result
    }

    /// X − D(DᵀX): removes the deflated directions.
    static func project(_ x: Matrix, _ d: Matrix?) -> Matrix {
        guard let d, d.cols > 0 else { return x }
        let coefficients = d.multiplied(by: x, transposeSelf: true)
        return x - d.multiplied(by: coefficients)
    }

    static func startBlock(n: Int, columns b: Int, options: Options) throws -> Matrix {
        var rng = RandomSource(seed: options.seed)
        var x = Matrix(rows: n, cols: b)
        for i in 0..<x.count { x.storage[i] = rng.uniform(-1, 1) }
        if let given = options.startBlock {
            guard given.rows == n, given.cols <= b else {
                throw LinalgError.dimensionMismatch("start block is \(given.rows)×\(given.cols), expected \(n) rows and at most \(b) columns")
            }
            for i in 0..<n { for j in 0..<given.cols { x[i, j] = given[i, j] } }
        }
        return x
    }

    /// Rotates the orthonormal block X (and AX) to Ritz vectors; Ritz values ascending and the
    /// residual norms ‖Ax − θx‖.
    static func rayleighRitz(_ x: inout Matrix, _ ax: inout Matrix) throws -> ([Double], [Double]) {
        var g = x.multiplied(by: ax, transposeSelf: true)
        let b = g.rows
        for i in 0..<b { for j in 0..<i { let s = 0.5 * (g[i, j] + g[j, i]); g[i, j] = s; g[j, i] = s } }
        let eig = try g.symmetricEigen()
        x = x.multiplied(by: eig.vectors)
        ax = ax.multiplied(by: eig.vectors)
        var r = [Double](repeating: 0, count: b)
        for i in 0..<x.rows {
            for j in 0..<b {
                let e = ax[i, j] - eig.values[j] * x[i, j]
                r[j] += e * e
            }
        }
        return (eig.values, r.map { $0.squareRoot() })
    }

    /// p_m(A)X with p_m(t) = T_m((t − c)/e)/T_m((τ − c)/e) by the scaled three-term recurrence
    /// (Zhou et al. 2006, Algorithm 3.2 mirrored to damp the lower end).
    static func filter(_ x: Matrix, degree m: Int, lower a: Double, cutoff b: Double, top: Double,
                       operate: (Matrix) throws -> Matrix) throws -> Matrix {
        let e = (b - a) / 2, c = (b + a) / 2
        let sigma1 = e / (top - c)
        var sigma = sigma1
        var previous = x
        var current = try operate(x)
        for i in 0..<current.count { current.storage[i] = (current.storage[i] - c * x.storage[i]) * sigma1 / e }
        if m == 1 { return current }
        for _ in 2...m {
            let next = 1 / (2 / sigma1 - sigma)
            var y = try operate(current)
            let f = 2 * next / e, g = sigma * next
            for i in 0..<y.count {
                y.storage[i] = f * (y.storage[i] - c * current.storage[i]) - g * previous.storage[i]
            }
            previous = current
            current = y
            sigma = next
        }
        return current
    }

    /// A lower bound of the spectrum: the smallest Ritz value of a 20-step Lanczos run with full
    /// reorthogonalization minus the norm of its last residual (Zhou & Li 2011, Linear Algebra
    /// Appl. 435, 480–493, who show that θ_min − ‖f‖ bounds λ_min in practice).
    static func lanczosLowerBound(n: Int, deflating: Matrix?, seed: UInt64, operate: (Matrix) throws -> Matrix) throws -> Double {
        let steps = Swift.min(20, n - (deflating?.cols ?? 0))
        var rng = RandomSource(seed: seed ^ 0x5A5A)
        var v = project(Matrix(rows: n, cols: 1, storage: (0..<n).map { _ in rng.uniform(-1, 1) }), deflating)
        var basis = [[Double]]()
        var alpha = [Double](), beta = [Double]()
        var norm = v.storage.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var residualNorm = 0.0
        for j in 0..<steps {
            let q = v.storage.map { $0 / norm }
            basis.append(q)
            var w = try operate(Matrix(rows: n, cols: 1, storage: q)).storage
            let a = zip(q, w).reduce(0) { $0 + $1.0 * $1.1 }
            alpha.append(a)
            for _ in 0..<2 {
                for u in basis {
                    let s = zip(u, w).reduce(0) { $0 + $1.0 * $1.1 }
                    for i in 0..<n { w[i] -= s * u[i] }
                }
            }
            norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            residualNorm = norm
            if j < steps - 1 {
                if norm < 1e-12 { break }
                beta.append(norm)
                v = Matrix(rows: n, cols: 1, storage: w)
            }
        }
        let k = alpha.count
        var t = Matrix(rows: k, cols: k)
        for i in 0..<k {
            t[i, i] = alpha[i]
            if i + 1 < k { t[i, i + 1] = beta[i]; t[i + 1, i] = beta[i] }
        }
        let smallest = try t.symmetricEigen(.smallest(1), computeVectors: false).values[0]
        return smallest - residualNorm
    }
}
