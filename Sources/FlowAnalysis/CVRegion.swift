import Foundation
import FlowLinalg

/// A metastable state as a region of CV space, turned into a set of grid nodes. Periodic axes are
/// handled by their nearest image, so a state may straddle the seam of an angle.
public enum CVRegion: Sendable, Equatable {
    /// lower ≤ z ≤ upper on every axis. On a periodic axis the interval runs upward from `lower`
    /// and may wrap: [5.5, 0.8] on an axis of period 2π is the arc through 0.
    case box(lower: [Double], upper: [Double])
    /// Σ_a (u_a / r_a)² ≤ 1 with u the displacement from `center` rotated by −`angle` (radians,
    /// counter-clockwise from the first axis; ignored in 1D) and r the semi-axes.
    case ellipse(center: [Double], semiAxes: [Double], angle: Double)
    /// The connected component of {F − F_min < level} (F_min over the retained nodes, axis
    /// neighbours joined) that contains the node nearest `point`: the basin of a minimum up to a
    /// free-energy level, with no size to calibrate.
    case sublevelSet(containing: [Double], level: Double)
}

public extension GridNodes {
    /// The nodes in `region`, in increasing order. `freeEnergy` (per node) is needed for a
    /// sub-level set only. An empty set is an error: a state must hold at least one node.
    func nodes(in region: CVRegion, freeEnergy: [Double]? = nil) throws -> [Int] {
        let d = axes.count
        let coordinates = self.coordinates
        var out: [Int]
        switch region {
        case let .box(lower, upper):
            guard lower.count == d, upper.count == d else {
                throw LinalgError.dimensionMismatch("a box with \(lower.count) lower and \(upper.count) upper bounds on a \(d)-D grid")
            }
            var width = zip(lower, upper).map { $1 - $0 }
            for a in 0..<d {
                if axes[a].periodic {
                    let period = axes[a].upper - axes[a].lower
                    if width[a] < 0 { width[a] -= period * (width[a] / period).rounded(.down) }
                } else if width[a] < 0 {
                    throw LinalgError.invalidArgument("box upper bound \(upper[a]) below its lower bound \(lower[a]) on non-periodic axis \(a)")
                }
            }
            out = (0..<count).filter { s in
                (0..<d).allSatisfy { a in
                    guard axes[a].periodic else { return coordinates[s, a] >= lower[a] && coordinates[s, a] <= upper[a] }
                    let period = axes[a].upper - axes[a].lower
                    var t = (coordinates[s, a] - lower[a]).truncatingRemainder(dividingBy: period)
                    if t < 0 { t += period }
                    return t <= width[a] || width[a] >= period
                }
            }
        case let .ellipse(center, semiAxes, angle):
            guard center.count == d, semiAxes.count == d else {
                throw LinalgError.dimensionMismatch("an ellipse with a \(center.count)-D centre and \(semiAxes.count) semi-axes on a \(d)-D grid")
            }
            guard semiAxes.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw LinalgError.invalidArgument("ellipse semi-axes must be positive, got \(semiAxes)")
            }
            let (c, s) = (cos(angle), sin(angle))
            out = (0..<count).filter { node in
                let u = (0..<d).map { displacement(center[$0], coordinates[node, $0], axis: $0) }
                if d == 1 { return abs(u[0]) <= semiAxes[0] }
                let r0 = (c * u[0] + s * u[1]) / semiAxes[0], r1 = (-s * u[0] + c * u[1]) / semiAxes[1]
                return r0 * r0 + r1 * r1 <= 1
            }
        case let .sublevelSet(point, level):
            guard point.count == d else {
                throw LinalgError.dimensionMismatch("a \(point.count)-D point on a \(d)-D grid")
            }
            guard let f = freeEnergy, f.count == count else {
                throw LinalgError.invalidArgument("a sub-level-set state needs the free energy at each of the \(count) nodes")
            }
            let fMin = f.min() ?? 0
            let start = nearestNode(to: point)
            guard f[start] - fMin < level else {
                throw LinalgError.invalidArgument("the node nearest \(point) has F − F_min = \(f[start] - fMin), not below the level \(level); raise the level or move the point into the basin")
            }
            var inside = [Bool](repeating: false, count: count)
            inside[start] = true
            var stack = [start]
            while let node = stack.popLast() {
                for c in axisNeighbours(ofCell: cells[node]) {
                    let other = nodeOfCell[c]
                    if other >= 0 && !inside[other] && f[other] - fMin < level {
                        inside[other] = true
                        stack.append(other)
                    }
                }
            }
            out = (0..<count).filter { inside[$0] }
        }
        guard !out.isEmpty else {
            throw LinalgError.invalidArgument("the region \(region) holds no retained grid node; enlarge it or refine the grid")
        }
        return out
    }
}
