/// Euclidean distances between points and polylines (curves given by their vertices), and the
/// two curve distances the autoencoder diagnostics report.
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

    /// The Hausdorff distance between two polylines, from the vertices of each to the other
    /// polyline: the largest distance of a point of either curve from the other curve.
    static func hausdorff(_ a: [[Double]], _ b: [[Double]]) -> Double {
        Swift.max(a.map { toPolyline($0, b) }.max()!, b.map { toPolyline($0, a) }.max()!)
    }

    /// The mean over the vertices of `path` of their distance to the polyline `curve`: with
    /// vertices equally spaced in arc length (a `string` stage's /path), the arc-length average
    /// of how far `curve` is from `path`. Unlike the Hausdorff distance it ignores parts of
    /// `curve` beyond the ends of `path` (a decoder curve runs on into the tails of the data).
    static func meanDistance(of path: [[Double]], to curve: [[Double]]) -> Double {
        path.map { toPolyline($0, curve) }.reduce(0, +) / Double(path.count)
    }
}
