import FlowLinalg

/// One step of a stochastic dynamics for one walker. Each walker owns its integrator (scratch
/// buffers) and its random stream, so walkers run on any number of threads with identical
/// results.
public protocol StochasticIntegrator {
    /// Advances `x` by one step; returns V at the new position.
    mutating func step(_ x: inout [Double], rng: inout RandomSource) -> Double
    /// The integrator's own state beyond positions (velocities, acceptance counts), for
    /// checkpoints; empty for memoryless integrators.
    var auxiliaryState: [Double] { get set }
}

/// Overdamped Langevin dynamics dX = −∇V dt + √(2/β) dW by Euler–Maruyama:
/// xₙ₊₁ = xₙ − ∇V(xₙ) Δt + √(2Δt/β) ξₙ, ξₙ ~ N(0, I). Its invariant measure tends to
/// ∝ e^{−βV} as Δt → 0 (with an O(Δt) bias; MALA removes it).
public struct EulerMaruyama: StochasticIntegrator {
    public let potential: Potential
    public let dt: Double
    public let beta: Double
    private var gradient: [Double]
    private let noise: Double

    public init(potential: Potential, dt: Double, beta: Double) {
        self.potential = potential
        self.dt = dt
        self.beta = beta
        gradient = [Double](repeating: 0, count: potential.dimension)
        noise = (2 * dt / beta).squareRoot()
    }

    public var auxiliaryState: [Double] {
        get { [] }
        set {}
    }

    public mutating func step(_ x: inout [Double], rng: inout RandomSource) -> Double {
        _ = potential.energy(x, gradient: &gradient)
        for i in 0..<x.count {
            x[i] += -gradient[i] * dt + noise * rng.normal()
        }
        return potential.energy(x)
    }
}
