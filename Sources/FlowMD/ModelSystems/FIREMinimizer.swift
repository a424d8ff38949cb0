/// The outcome of a quench.
public struct QuenchResult: Sendable {
    public var positions: [Double]
    public var energy: Double
    /// Largest |∂V/∂xᵢ| at the end.
    public var maxGradient: Double
    public var iterations: Int
    public var converged: Bool
}

/// Local minimization by FIRE, the fast inertial relaxation engine (Bitzek, Koskinen, Gähler,
/// Moseler & Gumbsch, Phys. Rev. Lett. 97, 170201 (2006)): damped MD that mixes the velocity
/// towards the force direction and restarts whenever the power F·v turns negative. No line search
/// and no Hessian model, robust on Lennard-Jones clusters; a few steps of it make the short
/// quenches that assign core sets, and a full run refines reference minima. (The molecular
/// branch's L-BFGS serves large systems; either minimizes a `Potential`.)
public struct FIREMinimizer: Sendable {
    /// Stop when every |∂V/∂xᵢ| is at most this.
    public var tolerance: Double
    public var maxIterations: Int
    public var initialStep: Double
    public var maxStep: Double

    public init(tolerance: Double = 1e-9, maxIterations: Int = 100_000, initialStep: Double = 0.002, maxStep: Double = 0.02) {
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.initialStep = initialStep
        self.maxStep = maxStep
    }

    public func minimize(_ potential: any Potential, from start: [Double]) -> QuenchResult {
        let n = start.count
        var x = start
        var g = [Double](repeating: 0, count: n)
        var v = [Double](repeating: 0, count: n)
        var energy = potential.energy(x, gradient: &g)
        var dt = initialStep, alpha = 0.1
        var positiveSteps = 0
        var iteration = 0
        func largest(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }
        while iteration < maxIterations && largest(g) > tolerance {
            iteration += 1
            var power = 0.0, vv = 0.0, ff = 0.0
            for i in 0..<n {
                power -= g[i] * v[i]
                vv += v[i] * v[i]
                ff += g[i] * g[i]
            }
            if power > 0 {
                let scale = alpha * (vv / ff).squareRoot()
                for i in 0..<n { v[i] = (1 - alpha) * v[i] - scale * g[i] }
                positiveSteps += 1
                if positiveSteps > 5 {
                    dt = min(dt * 1.1, maxStep)
                    alpha *= 0.99
                }
            } else {
                for i in 0..<n { v[i] = 0 }
                dt *= 0.5
                alpha = 0.1
                positiveSteps = 0
            }
            // Semi-implicit Euler with unit masses.
            for i in 0..<n {
                v[i] -= dt * g[i]
                x[i] += dt * v[i]
            }
            energy = potential.energy(x, gradient: &g)
        }
        return QuenchResult(positions: x, energy: energy, maxGradient: largest(g), iterations: iteration,
                            converged: largest(g) <= tolerance)
    }
}
