/// Euclidean distances between points and polylines (curves given by their vertices), and the
/// distances of a minimum-energy path from a decoder curve that the autoencoder reports.
enum PolylineDistance {
    /// The distance from `p` to the segment [a, b].
    static func toSegment(_ p: [Double], _ a: [Double], _ b: [Double]) -> Double {
        var ab2 = 0.0, t = 0.0
        for i in p.indices {
            let d = b[i] - a[i]
            ab2 += d * d
            t += (p[i] - a[i]) * d
        }
        t = ab2 > 0 ? Swift.min(1, Swift.max(0, t / ab2)) : 0
        var s = 0.0
        for i in p.indices {
            let d = p[i] - (a[i] + t * (b[i] - a[i]))
            s += d * d
        }
        return s.squareRoot()
    }

    /// The distance from `p` to the polyline through `vertices` (to the vertex if there is one).
    static func toPolyline(_ p: [Double], _ vertices: [[Double]]) -> Double {
        guard vertices.count > 1 else { return toSegment(p, vertices[0], vertices[0]) }
        return (1..<vertices.count).map { toSegment(p, vertices[$0 - 1], vertices[$0]) }.min()!
    }

    /// How far `curve` strays from `path` at worst and on average, measured from the vertices of
    /// `path` (a `string` stage's /path, equally spaced in arc length) to the polyline `curve`:
    /// the one-sided Hausdorff distance max_v d(v, curve) and the arc-length mean of d(v, curve).
    /// One-sided, because a minimum-energy path joins two minima while a decoder curve runs on
    /// through the other minima and into the tails of the data; the symmetric Hausdorff distance
    /// would measure those extra parts, not whether the curve follows the path.
    static func distances(of path: [[Double]], to curve: [[Double]]) -> (max: Double, mean: Double) {
        let d = path.map { toPolyline($0, curve) }
        return (d.max()!, d.reduce(0, +) / Double(d.count))
    }
}
