import Foundation

/// A CMAP correction surface E(φ, ψ) prepared for evaluation, as CHARMM does it (MacKerell, Feig &
/// Brooks, J. Comput. Chem. 25, 1400 (2004)): the derivatives ∂E/∂φ, ∂E/∂ψ and ∂²E/∂φ∂ψ at the
/// grid points come from periodic cubic splines through the grid, and each grid cell is a bicubic
/// Hermite patch matching values and those derivatives at its corners (Press et al., Numerical
/// Recipes §3.6, `bcucof`/`bcuint`). The surface is C¹ and reproduces the grid exactly.
struct CMAPTable: Sendable {
    let size: Int
    /// Grid spacing in radians.
    let spacing: Double
    /// 16 coefficients c[a][b] (row-major) of p(t, s) = Σ c[a][b] tᵃ sᵇ per cell (φ index major).
    let coefficients: [Double]

    init(_ grid: CMAPGrid) {
        let n = grid.size
        size = n
        spacing = 2 * .pi / Double(n)
        let e = grid.values
        let inverse = Self.periodicSplineInverse(n)
        func derivativeAlongPhi(_ f: [Double]) -> [Double] {
            var d = [Double](repeating: 0, count: n * n)
            for j in 0..<n {
                let column = Self.periodicSplineSlopes((0..<n).map { f[$0 * n + j] }, inverse, 2 * .pi / Double(n))
                for i in 0..<n { d[i * n + j] = column[i] }
            }
            return d
        }
        var dPsi = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            let row = Self.periodicSplineSlopes(Array(e[(i * n)..<((i + 1) * n)]), inverse, 2 * .pi / Double(n))
            for j in 0..<n { dPsi[i * n + j] = row[j] }
        }
        let dPhi = derivativeAlongPhi(e)
        let dPhiPsi = derivativeAlongPhi(dPsi)
        let h = 2 * Double.pi / Double(n)
        let a: [[Double]] = [[1, 0, 0, 0], [0, 0, 1, 0], [-3, 3, -2, -1], [2, -2, 1, 1]]
        var coefficients = [Double](repeating: 0, count: n * n * 16)
        for i in 0..<n {
            for j in 0..<n {
                let i1 = (i + 1) % n, j1 = (j + 1) % n
                let at = { (p: Int, q: Int) in p * n + q }
                let f: [[Double]] = [
                    [e[at(i, j)], e[at(i, j1)], h * dPsi[at(i, j)], h * dPsi[at(i, j1)]],
                    [e[at(i1, j)], e[at(i1, j1)], h * dPsi[at(i1, j)], h * dPsi[at(i1, j1)]],
                    [h * dPhi[at(i, j)], h * dPhi[at(i, j1)], h * h * dPhiPsi[at(i, j)], h * h * dPhiPsi[at(i, j1)]],
                    [h * dPhi[at(i1, j)], h * dPhi[at(i1, j1)], h * h * dPhiPsi[at(i1, j)], h * h * dPhiPsi[at(i1, j1)]],
                ]
                // C = A F Aᵀ
                for r in 0..<4 {
                    for c in 0..<4 {
                        var sum = 0.0
                        for p in 0..<4 { for q in 0..<4 { sum += a[r][p] * f[p][q] * a[c][q] } }
                        coefficients[(i * n + j) * 16 + r * 4 + c] = sum
                    }
                }
            }
        }
        self.coefficients = coefficients
    }

    /// E(φ, ψ) and its partial derivatives (per radian); angles in radians, any range.
    @inline(__always)
    func evaluate(phi: Double, psi: Double) -> (energy: Double, dPhi: Double, dPsi: Double) {
        let u = (phi + .pi) / spacing, w = (psi + .pi) / spacing
        let fu = u.rounded(.down), fw = w.rounded(.down)
        let t = u - fu, s = w - fw
        let i = ((Int(fu) % size) + size) % size, j = ((Int(fw) % size) + size) % size
        return coefficients.withUnsafeBufferPointer { c in
            let base = (i * size + j) * 16
            var e = 0.0, et = 0.0, es = 0.0
            var tp = 1.0
            for a in 0..<4 {
                let row = base + 4 * a
                let poly = ((c[row + 3] * s + c[row + 2]) * s + c[row + 1]) * s + c[row]
                let dPoly = (3 * c[row + 3] * s + 2 * c[row + 2]) * s + c[row + 1]
                e += tp * poly
                es += tp * dPoly
                if a > 0 { et += Double(a) * (a == 1 ? 1 : (a == 2 ? t : t * t)) * poly }
                tp *= t
            }
            return (e, et / spacing, es / spacing)
        }
    }

    /// Inverse of the n×n cyclic matrix of periodic cubic-spline second derivatives
    /// (M_{i−1} + 4 M_i + M_{i+1} = 6 (y_{i+1} − 2 y_i + y_{i−1}) / h²), by Gauss–Jordan elimination.
    static func periodicSplineInverse(_ n: Int) -> [Double] {
        var a = [Double](repeating: 0, count: n * n)
        var inv = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            a[i * n + i] += 4
            a[i * n + (i + 1) % n] += 1
            a[i * n + (i + n - 1) % n] += 1
            inv[i * n + i] = 1
        }
        for col in 0..<n {
            let pivot = a[col * n + col]
            for c in 0..<n { a[col * n + c] /= pivot; inv[col * n + c] /= pivot }
            for r in 0..<n where r != col {
                let factor = a[r * n + col]
                if factor == 0 { continue }
                for c in 0..<n {
                    a[r * n + c] -= factor * a[col * n + c]
                    inv[r * n + c] -= factor * inv[col * n + c]
                }
            }
        }
        return inv
    }

    /// First derivatives at the knots of the periodic cubic spline through y (spacing h).
    static func periodicSplineSlopes(_ y: [Double], _ inverse: [Double], _ h: Double) -> [Double] {
        let n = y.count
        let rhs = (0..<n).map { 6 * (y[($0 + 1) % n] - 2 * y[$0] + y[($0 + n - 1) % n]) / (h * h) }
        let m = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + inverse[i * n + $1] * rhs[$1] } }
        return (0..<n).map { (y[($0 + 1) % n] - y[$0]) / h - h * (2 * m[$0] + m[($0 + 1) % n]) / 6 }
    }
}

/// CMAP cross-terms: eight atom indices per term (φ torsion then ψ torsion) and the table each uses.
struct CMAPTerms: Sendable {
    var atoms: [Int32] = []
    var table: [Int32] = []
    var tables: [CMAPTable] = []

    func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) -> Double {
        var energy = 0.0
        for t in 0..<table.count {
            let q = atoms[(8 * t)..<(8 * t + 8)].map(Int.init)
            let phi = TorsionGeometry(x, q[0], q[1], q[2], q[3])
            let psi = TorsionGeometry(x, q[4], q[5], q[6], q[7])
            let v = tables[Int(table[t])].evaluate(phi: phi.phi, psi: psi.phi)
            energy += v.energy
            phi.addGradient(g, dVdPhi: v.dPhi)
            psi.addGradient(g, dVdPhi: v.dPsi)
        }
        return energy
    }
}
