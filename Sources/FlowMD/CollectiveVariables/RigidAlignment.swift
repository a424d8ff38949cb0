import Foundation

/// Optimal superposition of a configuration onto a reference (Wahba's problem / Kabsch): the
/// rotation R minimizing Σ‖R xᵢ − yᵢ‖² over centred point sets. In 2D the optimal angle is
/// θ = atan2(Σ xᵢ × yᵢ, Σ xᵢ · yᵢ); in 3D the optimal rotation is the unit quaternion of the
/// largest eigenvalue of Davenport's 4 × 4 symmetric matrix (Davenport's q-method; Horn, J. Opt.
/// Soc. Am. A 4, 629 (1987)), found here by cyclic Jacobi rotations — no reflections, no SVD sign
/// fix-ups.
public enum RigidAlignment {
    /// Subtracts the centroid (unweighted centre of mass) of the rows.
    public static func centered(_ rows: [[Double]]) -> [[Double]] {
        guard let first = rows.first else { return rows }
        let n = Double(rows.count)
        let c = first.indices.map { a in rows.reduce(0) { $0 + $1[a] } / n }
        return rows.map { r in r.indices.map { r[$0] - c[$0] } }
    }

    /// `rows` (centred) rotated onto `reference` (centred), both 2D or both 3D, same length.
    public static func align(_ rows: [[Double]], onto reference: [[Double]]) -> [[Double]] {
        precondition(rows.count == reference.count && !rows.isEmpty)
        if rows[0].count == 2 {
            var cross = 0.0, dot = 0.0
            for (x, y) in zip(rows, reference) {
                cross += x[0] * y[1] - x[1] * y[0]
                dot += x[0] * y[0] + x[1] * y[1]
            }
            let t = atan2(cross, dot), c = cos(t), s = sin(t)
            return rows.map { [c * $0[0] - s * $0[1], s * $0[0] + c * $0[1]] }
        }
        precondition(rows[0].count == 3, "alignment in 2D or 3D")
        let r = rotation(quaternion(rows, onto: reference).q)
        return rows.map { x in (0..<3).map { i in r[i][0] * x[0] + r[i][1] * x[1] + r[i][2] * x[2] } }
    }

    /// Davenport's 4 × 4 symmetric matrix of the 3 × 3 correlation S = Σ xᵢ yᵢᵀ: its largest
    /// eigenvector is the optimal rotation's unit quaternion (Horn 1987). Linear in S.
    static func davenport(_ m: [[Double]]) -> [[Double]] {
        let (sxx, sxy, sxz) = (m[0][0], m[0][1], m[0][2])
        let (syx, syy, syz) = (m[1][0], m[1][1], m[1][2])
        let (szx, szy, szz) = (m[2][0], m[2][1], m[2][2])
        return [
            [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
            [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
            [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
            [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
        ]
    }

    /// The optimal rotation's quaternion q for centred 3D rows onto a centred reference, with
    /// Davenport's matrix K and its full eigen-decomposition (what the derivative of q needs).
    static func quaternion(_ rows: [[Double]], onto reference: [[Double]])
        -> (q: [Double], k: [[Double]], values: [Double], vectors: [[Double]]) {
        var m = [[Double]](repeating: [0, 0, 0], count: 3)
        for (x, y) in zip(rows, reference) {
            for i in 0..<3 { for j in 0..<3 { m[i][j] += x[i] * y[j] } }
        }
        let k = davenport(m)
        let (values, vectors) = symmetricEigen(k)
        let best = values.indices.max { values[$0] < values[$1] }!
        return (vectors[best], k, values, vectors)
    }

    /// The rotation matrix of the unit quaternion q = (w, a, b, c); with a second quaternion p it
    /// is the symmetric bilinear form B(q, p), so that R(q) = B(q, q) and dR = 2 B(q, dq).
    static func rotation(_ q: [Double], _ p: [Double]? = nil) -> [[Double]] {
        let p = p ?? q
        func s(_ i: Int, _ j: Int) -> Double { (q[i] * p[j] + p[i] * q[j]) / 2 }
        return [
            [s(0, 0) + s(1, 1) - s(2, 2) - s(3, 3), 2 * (s(1, 2) - s(0, 3)), 2 * (s(1, 3) + s(0, 2))],
            [2 * (s(1, 2) + s(0, 3)), s(0, 0) - s(1, 1) + s(2, 2) - s(3, 3), 2 * (s(2, 3) - s(0, 1))],
            [2 * (s(1, 3) - s(0, 2)), 2 * (s(2, 3) + s(0, 1)), s(0, 0) - s(1, 1) - s(2, 2) + s(3, 3)],
        ]
    }

    /// Root-mean-square deviation between two equally long point sets.
    public static func rmsd(_ a: [[Double]], _ b: [[Double]]) -> Double {
        var s = 0.0
        for (x, y) in zip(a, b) { for k in x.indices { s += (x[k] - y[k]) * (x[k] - y[k]) } }
        return (s / Double(a.count)).squareRoot()
    }

    /// Eigenvalues and eigenvectors (one array per eigenvalue) of a small symmetric matrix by
    /// cyclic Jacobi sweeps.
    static func symmetricEigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        var a = matrix
        let n = a.count
        var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for _ in 0..<50 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<n { off += a[i][j] * a[i][j] } }
            if off < 1e-30 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p][q] != 0 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k][p], akq = a[k][q]
                        a[k][p] = c * akp - s * akq
                        a[k][q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p][k], aqk = a[q][k]
                        a[p][k] = c * apk - s * aqk
                        a[q][k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k][p], vkq = v[k][q]
                        v[k][p] = c * vkp - s * vkq
                        v[k][q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0][$0] }, (0..<n).map { e in (0..<n).map { v[$0][e] } })
    }
}
