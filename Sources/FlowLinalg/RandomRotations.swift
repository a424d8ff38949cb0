import Foundation

/// Uniform (Haar-distributed) random rotations, for data augmentation of molecular frames.
public extension RandomSource {
    /// A uniform rotation of the plane as a row-major 2 × 2 matrix (angle uniform in [0, 2π)).
    mutating func rotation2D() -> Matrix {
        let theta = 2 * Double.pi * uniform()
        let (c, s) = (cos(theta), sin(theta))
        return Matrix(rows: 2, cols: 2, storage: [c, -s, s, c])
    }

    /// A uniform rotation of space as a row-major 3 × 3 matrix: a unit quaternion from four
    /// standard normals is uniform on S³, and S³ → SO(3) carries that to the Haar measure
    /// (Shoemake 1992).
    mutating func rotation3D() -> Matrix {
        var q = [normal(), normal(), normal(), normal()]
        var n = q.norm2
        while n < 1e-12 {
            q = [normal(), normal(), normal(), normal()]
            n = q.norm2
        }
        let (w, x, y, z) = (q[0] / n, q[1] / n, q[2] / n, q[3] / n)
        return Matrix(rows: 3, cols: 3, storage: [
            1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
            2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
            2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
        ])
    }

    /// One independent generator per work item (walker, block, replica): item i always gets
    /// `stream(i)` of this generator, whatever thread runs it, so parallel results do not depend
    /// on the thread count.
    func streams(_ count: Int) -> [RandomSource] { (0..<count).map { stream($0) } }
}
