import Foundation
import FlowLinalg

public extension GridGenerator {
    /// Linear (1D) or bilinear (2D) interpolation between cell centres of per-state values (e.g. an
    /// eigenfunction column) at arbitrary points (one per row). Points beyond the outermost cell
    /// centres take the boundary value along that axis. Removed cells carry no value: the weights of
    /// the retained corners are renormalized, and a point whose corners are all removed takes the
    /// value of the nearest retained cell centre.
    func interpolate(_ values: [Double], at points: Matrix) -> [Double] {
        precondition(values.count == stateCount, "\(values.count) values for \(stateCount) states")
        precondition(points.cols == axes.count, "points of dimension \(points.cols) on a \(axes.count)-D grid")
        let n1 = axes.count == 2 ? axes[1].count : 1
        /// Lower cell index and the weight of the upper one along an axis.
        func bracket(_ x: Double, _ axis: GridAxis) -> (Int, Double) {
            let u = (x - axis.lower) / axis.spacing - 0.5
            if u <= 0 { return (0, 0) }
            if u >= Double(axis.count - 1) { return (axis.count - 2, 1) }
            let i = Int(u)
            return (i, u - Double(i))
        }
        let centres = stateCoordinates
        return (0..<points.rows).map { p in
            let (i0, t0) = bracket(points[p, 0], axes[0])
            let (i1, t1) = axes.count == 2 ? bracket(points[p, 1], axes[1]) : (0, 0)
            var total = 0.0, weight = 0.0
            for a in 0...1 {
                for b in 0...(axes.count == 2 ? 1 : 0) {
                    let w = (a == 0 ? 1 - t0 : t0) * (axes.count == 2 ? (b == 0 ? 1 - t1 : t1) : 1)
                    let state = stateOfCell[(i0 + a) * n1 + (i1 + b)]
                    if state >= 0 && w > 0 {
                        total += w * values[state]
                        weight += w
                    }
                }
            }
            if weight > 0 { return total / weight }
            var best = 0, bestDistance = Double.infinity
            for s in 0..<stateCount {
                var d = 0.0
                for c in 0..<axes.count { d += (centres[s, c] - points[p, c]) * (centres[s, c] - points[p, c]) }
                if d < bestDistance { (best, bestDistance) = (s, d) }
            }
            return values[best]
        }
    }
}
