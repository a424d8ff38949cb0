import CARPACK
import Foundation

/// A few eigenpairs of a large symmetric operator by the implicitly restarted Lanczos method of
/// ARPACK (Lehoucq, Sorensen & Yang 1998), driven through reverse communication (dsaupd/dseupd):
/// the operator is only ever applied to vectors, so it can be a sparse matrix, a matrix-free
/// kernel product or a linear solve (shift-invert).
public enum LanczosEigensolver {
    /// Which part of the spectrum to compute.
    public enum Target {
        /// The algebraically largest eigenvalues (ARPACK "LA").
        case largestAlgebraic
        /// The algebraically smallest eigenvalues (ARPACK "SA").
        case smallestAlgebraic
        /// The eigenvalues nearest `sigma`, by shift-invert (mode 3): Lanczos runs on (A − σI)⁻¹ and
        /// `solve(b, x)` must write x = (A − σI)⁻¹ b. Converges in a few dozen solves when σ is
        /// close to the wanted eigenvalues; the factorization behind `solve` is the caller's choice
        /// (DESIGN §10: avoid sparse LU in high dimension, where fill-in makes it slow and large).
        case nearest(sigma: Double, solve: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) throws -> Void)
    }

    /// Tuning knobs; the defaults suit well-separated eigenvalues. For diffusion-map operators
    /// with near-degenerate slow modes, ask for more pairs than needed with a larger Krylov space
    /// (e.g. 20 pairs with ncv ≈ 80, DESIGN §10).
    public struct Options: Sendable {
        /// Krylov subspace size; nil means max(2·count + 1, 20), capped at the dimension.
        public var ncv: Int?
        /// Relative accuracy of the Ritz values; 0 means machine precision.
        public var tolerance: Double
        /// Maximum number of implicit restarts.
        public var maxIterations: Int
        /// Start vector; nil means a fixed pseudo-random vector (seeded, so runs are reproducible).
        public var startVector: [Double]?

        public init(ncv: Int? = nil, tolerance: Double = 0, maxIterations: Int = 10_000,
                    startVector: [Double]? = nil) {
            self.ncv = ncv
            self.tolerance = tolerance
            self.maxIterations = maxIterations
            self.startVector = startVector
        }
    }

    /// What a solve cost, for logs and output attributes.
    public struct Statistics: Sendable, Equatable {
        public var converged: Int
        public var restarts: Int
        public var operatorApplications: Int
        public var ncv: Int
    }

    /// ARPACK keeps its state in Fortran SAVE variables, so two solves may not run at once in one
    /// process (stages can run concurrently): every solve holds this lock.
    private static let lock = NSLock()

    /// The `count` eigenpairs of the symmetric operator `apply` (y ← A·x, dimension n) selected by
    /// `target`, eigenvalues ascending, eigenvectors orthonormal in the columns of `vectors`.
    public static func solve(dimension n: Int, count nev: Int, target: Target, options: Options = Options(),
                             monitor: WorkMonitor = SilentMonitor(), statistics: ((Statistics) -> Void)? = nil,
                             apply: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) throws -> Void) throws
        -> SymmetricEigenDecomposition {
        guard nev >= 1 && nev < n else {
            throw LinalgError.invalidArgument("ARPACK needs 1 ≤ count < dimension, got \(nev) pairs of a \(n)×\(n) operator; use the dense solver for tiny problems")
        }
        let ncv = Swift.min(n, options.ncv ?? Swift.max(2 * nev + 1, 20))
        guard ncv > nev else {
            throw LinalgError.invalidArgument("ncv = \(ncv) must exceed the number of eigenpairs \(nev)")
        }
        var resid: [Double]
        if let v0 = options.startVector {
            guard v0.count == n else { throw LinalgError.dimensionMismatch("start vector has \(v0.count) elements, expected \(n)") }
            resid = v0
        } else {
            var rng = RandomSource(seed: 0x4C41_4E43_5A4F_5300)
            resid = (0..<n).map { _ in rng.uniform(-1, 1) }
        }
        let which: String, mode: Int32, sigma: Double
        var shiftSolve: ((UnsafePointer<Double>, UnsafeMutablePointer<Double>) throws -> Void)?
        switch target {
        case .largestAlgebraic: (which, mode, sigma) = ("LA", 1, 0)
        case .smallestAlgebraic: (which, mode, sigma) = ("SA", 1, 0)
        case let .nearest(s, solve): (which, mode, sigma, shiftSolve) = ("LM", 3, s, solve)
        }

        lock.lock()
        defer { lock.unlock() }
        var v = [Double](repeating: 0, count: n * ncv)
        var workd = [Double](repeating: 0, count: 3 * n)
        let lworkl = ncv * (ncv + 8)
        var workl = [Double](repeating: 0, count: lworkl)
        var iparam = [Int32](repeating: 0, count: 11)
        var ipntr = [Int32](repeating: 0, count: 14)
        iparam[0] = 1
        iparam[2] = Int32(options.maxIterations)
        iparam[6] = mode
        var ido: Int32 = 0
        var info: Int32 = 1
        var applications = 0
        while true {
            dsaupd_c(&ido, "I", Int32(n), which, Int32(nev), options.tolerance, &resid, Int32(ncv), &v, Int32(n),
                     &iparam, &ipntr, &workd, &workl, Int32(lworkl), &info)
            guard ido == -1 || ido == 1 else { break }
            try monitor.checkCancellation()
            let xOffset = Int(ipntr[0]) - 1, yOffset = Int(ipntr[1]) - 1
            try workd.withUnsafeMutableBufferPointer { w in
                let x = UnsafePointer(w.baseAddress! + xOffset), y = w.baseAddress! + yOffset
                if let solve = shiftSolve { try solve(x, y) } else { try apply(x, y) }
            }
            applications += 1
            if applications % 50 == 0 {
                // The number of restarts ARPACK will need is unknown in advance: report a note only.
                monitor.progress(done: 0, total: 1, note: "Lanczos: \(applications) operator applications")
            }
        }
        if info == 1 {
            throw LinalgError.arpack(routine: "dsaupd", info: 1, meaning: "no convergence after \(options.maxIterations) restarts (\(iparam[4]) of \(nev) Ritz values converged); raise maxIterations, ask for more pairs with a larger ncv (now \(ncv)), or use shift-invert")
        }
        if info != 0 { throw LinalgError.arpack(routine: "dsaupd", info: Int(info), meaning: saupdMeaning(info, ncv: ncv)) }

        var d = [Double](repeating: 0, count: nev)
        var z = [Double](repeating: 0, count: n * nev)
        var select = [Int32](repeating: 0, count: ncv)
        dseupd_c(1, "A", &select, &d, &z, Int32(n), sigma, "I", Int32(n), which, Int32(nev), options.tolerance,
                 &resid, Int32(ncv), &v, Int32(n), &iparam, &ipntr, &workd, &workl, Int32(lworkl), &info)
        if info != 0 { throw LinalgError.arpack(routine: "dseupd", info: Int(info), meaning: seupdMeaning(info, ncv: ncv)) }
        let converged = Int(iparam[4])
        monitor.log("ARPACK: \(converged) eigenpairs converged after \(iparam[2]) restarts, \(applications) operator applications, ncv = \(ncv)")
        statistics?(Statistics(converged: converged, restarts: Int(iparam[2]), operatorApplications: applications, ncv: ncv))
        // z holds eigenvector j as the contiguous column-major block z[j*n ..< (j+1)*n].
        let order = (0..<converged).sorted { d[$0] < d[$1] }
        var vectors = Matrix(rows: n, cols: converged)
        for (jj, j) in order.enumerated() {
            for i in 0..<n { vectors.storage[i * converged + jj] = z[j * n + i] }
        }
        return SymmetricEigenDecomposition(values: order.map { d[$0] }, vectors: vectors)
    }

    static func saupdMeaning(_ info: Int32, ncv: Int) -> String {
        switch info {
        case 3: return "no shifts could be applied during an implicit restart; increase ncv (now \(ncv)) relative to the number of pairs"
        case -1: return "the dimension must be positive"
        case -2: return "the number of eigenpairs must be positive"
        case -3: return "ncv must satisfy count < ncv ≤ dimension"
        case -4: return "maxIterations must be positive"
        case -7: return "workspace too small (internal error)"
        case -8: return "the tridiagonal eigenvalue computation (dsteqr) failed"
        case -9: return "the start vector is zero"
        case -9999: return "could not build a Lanczos factorization; the operator may not be symmetric, or the start vector lies in an invariant subspace"
        default: return "invalid input (see the dsaupd documentation)"
        }
    }

    static func seupdMeaning(_ info: Int32, ncv: Int) -> String {
        switch info {
        case -8: return "the tridiagonal eigenvalue computation (dsteqr) failed"
        case -9: return "the start vector is zero"
        case -14: return "dsaupd found no eigenvalue to sufficient accuracy; loosen the tolerance or raise maxIterations"
        case -17: return "dseupd found a different number of converged Ritz values than dsaupd; increase ncv (now \(ncv))"
        default: return "invalid input (see the dseupd documentation)"
        }
    }
}

public extension SparseMatrix {
    /// A few eigenpairs of this symmetric sparse matrix through ARPACK (eigenvalues ascending).
    func symmetricEigen(count: Int, target: LanczosEigensolver.Target,
                        options: LanczosEigensolver.Options = LanczosEigensolver.Options(),
                        monitor: WorkMonitor = SilentMonitor()) throws -> SymmetricEigenDecomposition {
        guard rows == cols else { throw LinalgError.dimensionMismatch("eigenpairs of a \(rows)×\(cols) matrix") }
        return try LanczosEigensolver.solve(dimension: rows, count: count, target: target, options: options,
                                            monitor: monitor) { x, y in multiply(x, into: y) }
    }
}
