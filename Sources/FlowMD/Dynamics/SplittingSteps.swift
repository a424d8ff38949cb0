import Foundation
import FlowLinalg

/// The elementary updates that splitting integrators compose (Leimkuhler & Matthews, "Molecular
/// Dynamics", Springer 2015, ch. 7): B (kick with the force), A (drift with the velocity, with
/// SHAKE/RATTLE when constrained) and O (exact Ornstein–Uhlenbeck update of the velocities).
struct SplittingSteps {
    /// 418.4 / m per coordinate: turns −∇U in kcal/mol/Å into Å/ps² (`MDUnits`).
    let accelerationScale: [Double]
    let masses: [Double]
    let constraints: Constraints?

    init(masses: [Double], constraints: Constraints?) {
        precondition(masses.allSatisfy { $0 > 0 }, "masses must be positive")
        self.masses = masses
        accelerationScale = masses.map { MDUnits.accelerationFactor / $0 }
        self.constraints = constraints
    }

    /// B: v ← v − dt · ∇U / m, then RATTLE.
    func kick(_ s: inout DynamicsState, _ dt: Double) {
        let n = s.velocities.count
        s.velocities.withUnsafeMutableBufferPointer { v in s.gradient.withUnsafeBufferPointer { g in
        accelerationScale.withUnsafeBufferPointer { a in
            for i in 0..<n { v[i] -= dt * a[i] * g[i] }
        }}}
        constraints?.rattleVelocities(&s.velocities, positions: s.positions)
    }

    /// A: x ← x + dt · v, with SHAKE and the matching velocity correction when constrained.
    func drift(_ s: inout DynamicsState, _ dt: Double) {
        if let c = constraints {
            c.constrainedDrift(&s.positions, &s.velocities, dt: dt)
            return
        }
        let n = s.positions.count
        s.positions.withUnsafeMutableBufferPointer { x in s.velocities.withUnsafeBufferPointer { v in
            for i in 0..<n { x[i] += dt * v[i] }
        }}
    }

    /// O: v ← c1 v + c2 σ ξ with c1 = e^{−γ dt}, c2 = sqrt(1 − c1²), σ² = k_B T / m per
    /// coordinate (`noise` holds σ), then RATTLE.
    func thermostat(_ s: inout DynamicsState, c1: Double, c2: Double, noise: [Double], _ random: inout RandomSource) {
        let n = s.velocities.count
        s.velocities.withUnsafeMutableBufferPointer { v in noise.withUnsafeBufferPointer { sigma in
            for i in 0..<n { v[i] = c1 * v[i] + c2 * sigma[i] * ZigguratNormal.sample(&random) }
        }}
        constraints?.rattleVelocities(&s.velocities, positions: s.positions)
    }

    /// Thermal velocity scale sqrt(k_B T / m) in Å/ps per coordinate.
    func thermalVelocities(temperature: Double) -> [Double] {
        accelerationScale.map { (MDUnits.boltzmann * temperature * $0).squareRoot() }
    }

    func prepare(_ s: inout DynamicsState) {
        constraints?.project(&s.positions, &s.velocities)
    }
}

/// Underdamped Langevin dynamics with the BAOAB splitting (Leimkuhler & Matthews, Appl. Math. Res.
/// Express 2013, 34; with constraints as g-BAOAB, Proc. R. Soc. A 472, 20160138 (2016)):
/// B(dt/2) A(dt/2) O(dt) A(dt/2) B(dt/2). Its configurational sampling error is O(dt²) with a
/// small constant, which is why it is the default thermostat for sampling here. Friction γ in 1/ps.
public struct LangevinIntegrator: Integrator {
    public let timeStep: Double
    public let temperature: Double
    public let friction: Double
    let steps: SplittingSteps
    let noise: [Double]
    let c1: Double, c2: Double

    /// `masses` per coordinate (`MDUnits.coordinateMasses` for molecules).
    public init(timeStep: Double, temperature: Double, friction: Double, masses: [Double], constraints: Constraints? = nil) {
        self.timeStep = timeStep
        self.temperature = temperature
        self.friction = friction
        steps = SplittingSteps(masses: masses, constraints: constraints)
        noise = steps.thermalVelocities(temperature: temperature)
        c1 = exp(-friction * timeStep)
        c2 = (1 - c1 * c1).squareRoot()
    }

    public var constraintCount: Int { steps.constraints?.count ?? 0 }

    public mutating func prepare(_ state: inout DynamicsState) { steps.prepare(&state) }

    public mutating func step(_ s: inout DynamicsState, _ forces: ForceComputer, _ random: inout RandomSource) {
        let h = timeStep
        steps.kick(&s, h / 2)
        steps.drift(&s, h / 2)
        steps.thermostat(&s, c1: c1, c2: c2, noise: noise, &random)
        s.kineticEnergy = MDUnits.kineticEnergy(masses: steps.masses, velocities: s.velocities)
        steps.drift(&s, h / 2)
        s.time += h
        s.step += 1
        forces.computeForces(&s)
        steps.kick(&s, h / 2)
    }

    /// Draws velocities from the Maxwell–Boltzmann distribution at `temperature` (constrained
    /// components removed when the integrator has constraints).
    public func maxwellBoltzmannVelocities(for state: inout DynamicsState, _ random: inout RandomSource) {
        for i in 0..<noise.count { state.velocities[i] = noise[i] * ZigguratNormal.sample(&random) }
        steps.constraints?.rattleVelocities(&state.velocities, positions: state.positions)
    }
}

/// Velocity Verlet (Swope et al., J. Chem. Phys. 76, 637 (1982)), with RATTLE when constrained:
/// B(dt/2) A(dt) B(dt/2). Symplectic and time-reversible, so the energy error stays bounded
/// (no drift) for stable time steps: the NVE integrator that validates forces.
public struct VelocityVerletIntegrator: Integrator {
    public let timeStep: Double
    let steps: SplittingSteps

    public init(timeStep: Double, masses: [Double], constraints: Constraints? = nil) {
        self.timeStep = timeStep
        steps = SplittingSteps(masses: masses, constraints: constraints)
    }

    public var constraintCount: Int { steps.constraints?.count ?? 0 }

    public mutating func prepare(_ state: inout DynamicsState) { steps.prepare(&state) }

    public mutating func step(_ s: inout DynamicsState, _ forces: ForceComputer, _ random: inout RandomSource) {
        steps.kick(&s, timeStep / 2)
        steps.drift(&s, timeStep)
        s.time += timeStep
        s.step += 1
        forces.computeForces(&s)
        steps.kick(&s, timeStep / 2)
        s.kineticEnergy = MDUnits.kineticEnergy(masses: steps.masses, velocities: s.velocities)
    }
}

/// Brownian (overdamped Langevin) dynamics, Euler–Maruyama (Ermak & McCammon, J. Chem. Phys. 69,
/// 1352 (1978)): x ← x − dt D ∇U / (k_B T) + sqrt(2 D dt) ξ with D = k_B T / (m γ) per coordinate,
/// γ in 1/ps (so the mobility is 418.4/(mγ) Å²/ps per kcal/mol), then SHAKE when constrained.
/// Velocities are not part of this dynamics and stay zero.
public struct BrownianIntegrator: Integrator {
    public let timeStep: Double
    public let temperature: Double
    public let friction: Double
    let steps: SplittingSteps
    let mobilityStep: [Double]
    let noise: [Double]

    public init(timeStep: Double, temperature: Double, friction: Double, masses: [Double], constraints: Constraints? = nil) {
        self.timeStep = timeStep
        self.temperature = temperature
        self.friction = friction
        steps = SplittingSteps(masses: masses, constraints: constraints)
        mobilityStep = steps.accelerationScale.map { timeStep * $0 / friction }
        noise = mobilityStep.map { (2 * MDUnits.boltzmann * temperature * $0).squareRoot() }
    }

    public var constraintCount: Int { steps.constraints?.count ?? 0 }

    public mutating func prepare(_ state: inout DynamicsState) {
        steps.prepare(&state)
        for i in state.velocities.indices { state.velocities[i] = 0 }
    }

    public mutating func step(_ s: inout DynamicsState, _ forces: ForceComputer, _ random: inout RandomSource) {
        steps.constraints?.saveReference(s.positions)
        let n = s.positions.count
        s.positions.withUnsafeMutableBufferPointer { x in s.gradient.withUnsafeBufferPointer { g in
        mobilityStep.withUnsafeBufferPointer { mu in noise.withUnsafeBufferPointer { sigma in
            for i in 0..<n { x[i] += -mu[i] * g[i] + sigma[i] * ZigguratNormal.sample(&random) }
        }}}}
        steps.constraints?.shake(&s.positions)
        s.time += timeStep
        s.step += 1
        forces.computeForces(&s)
    }
}
