import FlowLinalg

/// Second derivatives of a potential from finite differences of its analytic gradient:
/// Hessian–vector products (H v ≈ (∇V(x + εv) − ∇V(x − εv)) / 2ε), the largest curvature by
/// power iteration, and the full symmetrized Hessian for small and medium dimension.
struct HessianProbe {
    let potential: Potential
    /// Relative step of the central differences.
    let relativeStep = 1e-5

    func step(at x: [Double]) -> Double {
        relativeStep * max(1, x.map(abs).max() ?? 1)
    }

    func product(at x: [Double], _ v: [Double]) -> [Double] {
        let eps = step(at: x)
        let plus = potential.gradient(zip(x, v).map { $0 + eps * $1 })
        let minus = potential.gradient(zip(x, v).map { $0 - eps * $1 })
        return zip(plus, minus).map { ($0 - $1) / (2 * eps) }
    }

    /// The largest |eigenvalue| of the Hessian at `x` (power iteration from a fixed start vector,
    /// so the estimate is reproducible).
    func largestCurvature(at x: [Double], iterations: Int = 30) -> Double {
        let d = x.count
        var v = (0..<d).map { 1 / Double(d).squareRoot() * (1 + 0.1 * Double($0 % 7)) }
        var lambda = 0.0
        for _ in 0..<iterations {
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { break }
            v = v.map { $0 / norm }
            let hv = product(at: x, v)
            lambda = hv.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = hv
        }
        return lambda
    }

    /// The symmetrized finite-difference Hessian (D × D), 2D gradient evaluations.
    func hessian(at x: [Double]) -> Matrix {
        let d = x.count
        let eps = step(at: x)
        var h = Matrix(rows: d, cols: d)
        var xp = x
        for k in 0..<d {
            xp[k] = x[k] + eps
            let gp = potential.gradient(xp)
            xp[k] = x[k] - eps
            let gm = potential.gradient(xp)
            xp[k] = x[k]
            for j in 0..<d { h[j, k] = (gp[j] - gm[j]) / (2 * eps) }
        }
        for j in 0..<d {
            for k in (j + 1)..<max(j + 1, d) {
                let s = 0.5 * (h[j, k] + h[k, j])
                h[j, k] = s
                h[k, j] = s
            }
        }
        return h
    }
}
