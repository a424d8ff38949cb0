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
        var m = [[Double]](repeating: [0, 0, 0], count: 3)
        for (x, y) in zip(rows, reference) {
            for i in 0..<3 { for j in 0..<3 { m[i][j] += x[i] * y[j] } }
        }
        let (sxx, sxy, sxz) = (m[0][0], m[0][1], m[0][2])
        let (syx, syy, syz) = (m[1][0], m[1][1], m[1][2])
        let (szx, szy, szz) = (m[2][0], m[2][1], m[2][2])
        let k: [[Double]] = [
            [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
            [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
            [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
            [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
        ]
        let q = largestEigenvector(k)
        let (w, a, b, c) = (q[0], q[1], q[2], q[3])
        let r: [[Double]] = [
            [w * w + a * a - b * b - c * c, 2 * (a * b - w * c), 2 * (a * c + w * b)],
            [2 * (a * b + w * c), w * w - a * a + b * b - c * c, 2 * (b * c - w * a)],
            [2 * (a * c - w * b), 2 * (b * c + w * a), w * w - a * a - b * b + c * c],
        ]
        return rows.map { x in (0..<3).map { i in r[i][0] * x[0] + r[i][1] * x[1] + r[i][2] * x[2] } }
    }

    /// Root-mean-square deviation between two equally long point sets.
    public static func rmsd(_ a: [[Double]], _ b: [[Double]]) -> Double {
        var s = 0.0
        for (x, y) in zip(a, b) { for k in x.indices { s += (x[k] - y[k]) * (x[k] - y[k]) } }
        return (s / Double(a.count)).squareRoot()
    }

    /// Eigenvector of the largest eigenvalue of a small symmetric matrix by cyclic Jacobi sweeps.
    static func largestEigenvector(_ matrix: [[Double]]) -> [Double] {
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
        let best = (0..<n).max { a[$0][$0] < a[$1][$1] }!
        return (0..<n).map { v[$0][best] }
    }
}
