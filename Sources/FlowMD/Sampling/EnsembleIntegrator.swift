import Foundation
import FlowLinalg

/// A stochastic dynamics for blocks of independent walkers with unit masses at inverse
/// temperature β. `step` advances every walker of a batch by one time step and leaves the
/// batch's cached forces (V, B, ∇(V + B)) consistent with the new positions. Each walker draws
/// only from its own random stream, so results do not depend on how walkers are split into
/// batches and threads.
public protocol EnsembleIntegrator: Sendable {
    var timeStep: Double { get }
    var beta: Double { get }
    /// Whether the dynamics carries velocities (underdamped).
    var usesVelocities: Bool { get }
    /// Whether proposals can be rejected (Metropolis-adjusted), so acceptance is worth reporting.
    var reportsAcceptance: Bool { get }
    func step(_ batch: inout WalkerBatch)
    /// Starting velocities of one walker (empty when the dynamics has none).
    func initialVelocities(dimension: Int, _ rng: inout RandomSource) -> [Double]
}

public extension EnsembleIntegrator {
    var usesVelocities: Bool { false }
    var reportsAcceptance: Bool { false }
    func initialVelocities(dimension: Int, _ rng: inout RandomSource) -> [Double] { [] }
}

/// Overdamped Langevin dynamics dX = −∇U dt + √(2/β) dW (U = V + B) by Euler–Maruyama:
/// xₙ₊₁ = xₙ − ∇U(xₙ) Δt + √(2Δt/β) ξₙ. Its invariant measure tends to ∝ e^{−βU} as Δt → 0, with
/// an O(Δt) bias that `MALA` removes.
public struct EulerMaruyama: EnsembleIntegrator {
    public let timeStep: Double
    public let beta: Double

    public init(timeStep: Double, beta: Double) {
        precondition(timeStep > 0 && beta > 0)
        self.timeStep = timeStep
        self.beta = beta
    }

    public func step(_ b: inout WalkerBatch) {
        propose(b, into: b.positions, noise: b.scratch.noise)
        b.time += timeStep
        b.forces.evaluate(b.positions, count: b.count, firstWalker: b.firstWalker, time: b.time, energies: b.energies, biases: b.biases, gradients: b.gradients)
    }

    /// y = x − ∇U(x)Δt + √(2Δt/β) ξ for every walker of the batch, written to `target` (which may be
    /// the positions themselves); the noise √(2Δt/β) ξ is kept in `noise`. Each walker draws its
    /// D normals from its own stream.
    @inline(__always)
    func propose(_ b: WalkerBatch, into target: UnsafeMutablePointer<Double>, noise: UnsafeMutablePointer<Double>) {
        let dt = timeStep, sigma = (2 * timeStep / beta).squareRoot()
        let d = b.dimension
        ZigguratNormal.fill(noise, walkers: b.count, perWalker: d, scale: sigma, streams: b.random)
        for i in 0..<(b.count * d) { target[i] = b.positions[i] - dt * b.gradients[i] + noise[i] }
    }
}

/// The Metropolis-adjusted Langevin algorithm (Roberts & Tweedie, Bernoulli 2, 341 (1996)): the
/// Euler–Maruyama move y = x − ∇U(x)Δt + √(2Δt/β) ξ is a proposal, accepted with probability
/// min(1, e^{−β[U(y) − U(x)]} q(x|y)/q(y|x)), q(y|x) ∝ exp(−β|y − x + Δt∇U(x)|²/(4Δt)). It samples
/// e^{−βU} exactly at any Δt (between bias updates); the acceptance rate says whether Δt is sane.
public struct MALA: EnsembleIntegrator {
    /// The Euler–Maruyama move that makes the proposals.
    public let proposal: EulerMaruyama
    public var timeStep: Double { proposal.timeStep }
    public var beta: Double { proposal.beta }
    public var reportsAcceptance: Bool { true }

    public init(timeStep: Double, beta: Double) {
        proposal = EulerMaruyama(timeStep: timeStep, beta: beta)
    }

    public func step(_ b: inout WalkerBatch) {
        let dt = timeStep, beta = beta
        let d = b.dimension, s = b.scratch
        proposal.propose(b, into: s.positions, noise: s.noise)
        b.time += dt
        b.forces.evaluate(s.positions, count: b.count, firstWalker: b.firstWalker, time: b.time, energies: s.energies, biases: s.biases, gradients: s.gradients)
        for k in 0..<b.count {
            var forward = 0.0, backward = 0.0
            for i in (k * d)..<((k + 1) * d) {
                forward += s.noise[i] * s.noise[i]
                let r = b.positions[i] - s.positions[i] + dt * s.gradients[i]
                backward += r * r
            }
            let du = (s.energies[k] + s.biases[k]) - (b.energies[k] + b.biases[k])
            let logAlpha = -beta * (du + (backward - forward) / (4 * dt))
            guard logAlpha >= 0 || log(b.random[k].uniformPositive()) < logAlpha else { continue }
            b.accepted[k] += 1
            b.energies[k] = s.energies[k]
            b.biases[k] = s.biases[k]
            for i in (k * d)..<((k + 1) * d) {
                b.positions[i] = s.positions[i]
                b.gradients[i] = s.gradients[i]
            }
        }
    }
}

/// Underdamped Langevin dynamics dX = V dt, dV = −∇U dt − γV dt + √(2γ/β) dW (unit masses) by the
/// BAOAB splitting (Leimkuhler & Matthews, Appl. Math. Res. Express 2013, 34): half kick, half
/// drift, exact Ornstein–Uhlenbeck velocity update v ← e^{−γΔt}v + √((1 − e^{−2γΔt})/β) ξ, half
/// drift, half kick. Its configurational error is O(Δt²) with a small constant (exact for
/// harmonic potentials in the high-friction limit). With γ = 0 the O step is the identity and the
/// scheme is velocity Verlet. The molecular `LangevinIntegrator` is the same scheme with masses
/// and constraints.
public struct BAOAB: EnsembleIntegrator {
    public let timeStep: Double
    public let beta: Double
    /// Friction γ (1/time).
    public let friction: Double
    public var usesVelocities: Bool { true }

    public init(timeStep: Double, beta: Double, friction: Double) {
        precondition(timeStep > 0 && beta > 0 && friction >= 0)
        self.timeStep = timeStep
        self.beta = beta
        self.friction = friction
    }

    public func step(_ b: inout WalkerBatch) {
        let h = timeStep
        let c1 = exp(-friction * h), c2 = ((1 - c1 * c1) / beta).squareRoot()
        let n = b.count * b.dimension, d = b.dimension
        for i in 0..<n {
            b.velocities[i] -= 0.5 * h * b.gradients[i]
            b.positions[i] += 0.5 * h * b.velocities[i]
        }
        for k in 0..<b.count {
            var rng = b.random[k]
            for i in (k * d)..<((k + 1) * d) {
                b.velocities[i] = c1 * b.velocities[i] + c2 * ZigguratNormal.sample(&rng)
                b.positions[i] += 0.5 * h * b.velocities[i]
            }
            b.random[k] = rng
        }
        b.time += h
        b.forces.evaluate(b.positions, count: b.count, firstWalker: b.firstWalker, time: b.time, energies: b.energies, biases: b.biases, gradients: b.gradients)
        for i in 0..<n { b.velocities[i] -= 0.5 * h * b.gradients[i] }
    }

    /// Maxwell–Boltzmann velocities at β (unit masses) for one walker.
    public func initialVelocities(dimension: Int, _ rng: inout RandomSource) -> [Double] {
        (0..<dimension).map { _ in ZigguratNormal.sample(&rng) / beta.squareRoot() }
    }
}
