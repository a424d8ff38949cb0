import Foundation
import FlowLinalg

/// The zero-temperature string method (E, Ren & Vanden-Eijnden, J. Chem. Phys. 126, 164103
/// (2007), "simplified and improved string method"): images between two minima move down the
/// gradient, φᵢ ← φᵢ − h∇V(φᵢ), and are redistributed at equal arc length after every step, so the
/// string converges to the minimum-energy path (∇V parallel to the path). The highest image is then
/// refined to the saddle point by Newton's method on ∇V = 0 with a finite-difference Hessian, and
/// the saddle's index (number of negative curvatures) is reported.
///
/// The step h = 0.5/λ_max uses the largest curvature at the endpoint minima (power iteration on
/// Hessian–vector products), so the method needs no tuning across potentials of very different
/// energy scales (Müller–Brown scaled or not, LJ clusters, molecules in kcal/mol).
public struct ZeroTemperatureString: Sendable {
    public var images: Int
    /// Convergence: the string has stopped moving — no image moved more than tolerance × |b − a|
    /// over the last 20 iterations. (The perpendicular gradient is reported too, but it plateaus
    /// at the discretization error of the tangent and is not a stopping rule.)
    public var tolerance: Double
    public var maxIterations: Int
    /// Minimize the endpoints first (they are then held fixed).
    public var relaxEndpoints: Bool
    public var refineSaddle: Bool

    public init(images: Int = 50, tolerance: Double = 1e-8, maxIterations: Int = 200_000,
                relaxEndpoints: Bool = true, refineSaddle: Bool = true) {
        self.images = images
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.relaxEndpoints = relaxEndpoints
        self.refineSaddle = refineSaddle
    }

    public func run(_ potential: Potential, from start: [Double], to end: [Double],
                    monitor: WorkMonitor = SilentMonitor()) throws -> MinimumEnergyPath {
        guard images >= 3 else { throw PathError.invalid("a string needs at least 3 images") }
        guard start.count == potential.dimension, end.count == potential.dimension else {
            throw PathError.invalid("the endpoints have \(start.count) and \(end.count) coordinates; the system has \(potential.dimension)")
        }
        var a = start, b = end
        if relaxEndpoints {
            let minimizer = LBFGSMinimizer(tolerance: 1e-8, maxIterations: 5_000)
            a = try minimizer.minimize(potential, from: a).positions
            b = try minimizer.minimize(potential, from: b).positions
        }
        let span = Self.distance(a, b)
        guard span > 1e-12 else { throw PathError.invalid("the two endpoints relax to the same minimum; choose two different states") }
        let probe = HessianProbe(potential: potential)
        let lambda = max(probe.largestCurvature(at: a), probe.largestCurvature(at: b), 1e-12)
        let h = 0.5 / lambda
        let moveTolerance = tolerance * span
        let maxMove = span / Double(images)

        var phi = (0..<images).map { i -> [Double] in
            let s = Double(i) / Double(images - 1)
            return zip(a, b).map { $0 + s * ($1 - $0) }
        }
        var iteration = 0
        var lastCheck = phi
        var movement = Double.infinity
        while iteration < maxIterations {
            iteration += 1
            for i in 1..<(images - 1) {
                let g = potential.gradient(phi[i])
                var scale = h
                let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot() * h
                if norm > maxMove { scale *= maxMove / norm }
                for k in 0..<g.count { phi[i][k] -= scale * g[k] }
                if phi[i].contains(where: { !$0.isFinite }) {
                    throw PathError.diverged("image \(i) became non-finite at iteration \(iteration)")
                }
            }
            phi = Self.redistribute(phi)
            if iteration % 20 == 0 || iteration == maxIterations {
                movement = zip(phi, lastCheck).map { Self.distance($0, $1) }.max() ?? 0
                lastCheck = phi
                try monitor.checkCancellation()
                monitor.progress(done: iteration, total: maxIterations,
                                 note: String(format: "string moved %.2e (target %.1e)", movement, moveTolerance))
                if movement <= moveTolerance { break }
            }
        }
        let perpendicular = Self.maxPerpendicularGradient(phi, potential)
        let energies = phi.map { potential.energy($0) }
        let arc = Self.arcLengths(phi)
        let top = (1..<(images - 1)).max { energies[$0] < energies[$1] } ?? images / 2
        var saddle = phi[top]
        var index = -1
        if refineSaddle {
            (saddle, index) = try Self.refineSaddle(from: phi[top], probe: probe, maxStep: 2 * maxMove)
        }
        let g = potential.gradient(saddle)
        return MinimumEnergyPath(images: phi, energies: energies, arcLength: arc, saddle: saddle,
                                 saddleEnergy: potential.energy(saddle),
                                 saddleGradientNorm: g.reduce(0) { $0 + $1 * $1 }.squareRoot(),
                                 saddleIndex: index, highestImage: top, iterations: iteration,
                                 perpendicularGradient: perpendicular, converged: movement <= moveTolerance)
    }

    /// Newton's method on ∇V = 0 in the eigenbasis of the Hessian, steps limited to `maxStep`.
    static func refineSaddle(from x0: [Double], probe: HessianProbe, maxStep: Double) throws -> ([Double], Int) {
        var x = x0
        var negative = -1
        for _ in 0..<100 {
            let g = probe.potential.gradient(x)
            let eig = try probe.hessian(at: x).symmetricEigen()
            negative = eig.values.filter { $0 < 0 }.count
            var step = [Double](repeating: 0, count: x.count)
            let largest = eig.values.map(abs).max() ?? 1
            for (j, lambda) in eig.values.enumerated() where abs(lambda) > 1e-12 * largest {
                let v = eig.vectors.column(j)
                let coefficient = zip(v, g).reduce(0) { $0 + $1.0 * $1.1 } / lambda
                for k in 0..<x.count { step[k] -= coefficient * v[k] }
            }
            let norm = step.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > maxStep { step = step.map { $0 * maxStep / norm } }
            x = zip(x, step).map(+)
            if norm < 1e-13 * max(1, x.map(abs).max() ?? 1) { break }
        }
        let eig = try probe.hessian(at: x).symmetricEigen(computeVectors: false)
        negative = eig.values.filter { $0 < 0 }.count
        return (x, negative)
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    static func arcLengths(_ phi: [[Double]]) -> [Double] {
        var s = [0.0]
        for i in 1..<phi.count { s.append(s[i - 1] + distance(phi[i - 1], phi[i])) }
        let total = s.last! > 0 ? s.last! : 1
        return s.map { $0 / total }
    }

    /// Images at equal arc length along the piecewise-linear path through `phi`.
    static func redistribute(_ phi: [[Double]]) -> [[Double]] {
        let s = arcLengths(phi)
        let n = phi.count
        var out = phi
        var j = 1
        for i in 1..<(n - 1) {
            let target = Double(i) / Double(n - 1)
            while j < n - 1, s[j] < target { j += 1 }
            let w = s[j] > s[j - 1] ? (target - s[j - 1]) / (s[j] - s[j - 1]) : 0
            out[i] = zip(phi[j - 1], phi[j]).map { $0 + w * ($1 - $0) }
        }
        return out
    }

    /// max over interior images of |∇V − (∇V·τ)τ| with τ the central-difference unit tangent.
    static func maxPerpendicularGradient(_ phi: [[Double]], _ potential: Potential) -> Double {
        var worst = 0.0
        for i in 1..<(phi.count - 1) {
            var tau = zip(phi[i + 1], phi[i - 1]).map { $0 - $1 }
            let tn = tau.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard tn > 0 else { continue }
            tau = tau.map { $0 / tn }
            let g = potential.gradient(phi[i])
            let along = zip(g, tau).reduce(0) { $0 + $1.0 * $1.1 }
            let perp = zip(g, tau).reduce(0) { $0 + ($1.0 - along * $1.1) * ($1.0 - along * $1.1) }.squareRoot()
            worst = max(worst, perp)
        }
        return worst
    }
}

public enum PathError: Error, CustomStringConvertible {
    case invalid(String)
    case diverged(String)

    public var description: String {
        switch self {
        case .invalid(let m): return m
        case .diverged(let m): return "the string diverged: \(m)"
        }
    }
}
