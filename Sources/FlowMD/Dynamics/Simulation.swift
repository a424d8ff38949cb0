import Foundation
import FlowLinalg
import FlowHDF5

/// A checkpoint that does not belong to this simulation.
public struct CheckpointMismatch: Error, CustomStringConvertible {
    public let description: String
}

/// A simulation stopped because a quantity became NaN or infinite.
public struct SimulationDiverged: Error, CustomStringConvertible {
    public let step: Int
    public let quantity: String
    public var description: String { "simulation diverged at step \(step): \(quantity) is not finite" }
}

/// OpenMM's Context: a potential (the System), biases, an integrator, the random stream and the
/// current state. It computes forces for the integrator — potential gradient plus biases — and
/// accumulates the work of time-dependent biases whenever time advances.
public final class Simulation: ForceComputer {
    public let potential: any Potential
    public var biases: [any Bias]
    public var integrator: any Integrator
    public var random: RandomSource
    public private(set) var state: DynamicsState
    /// Masses per coordinate (for kinetic energy and temperature).
    public let masses: [Double]
    private var forceTime: Double

    /// `masses` per coordinate; velocities default to zero.
    public init(potential: any Potential, masses: [Double], integrator: any Integrator, positions: [Double],
                velocities: [Double]? = nil, biases: [any Bias] = [], random: RandomSource) {
        precondition(positions.count == potential.dimension && masses.count == potential.dimension,
                     "positions and masses must have the potential's dimension")
        self.potential = potential
        self.biases = biases
        self.integrator = integrator
        self.random = random
        self.masses = masses
        state = DynamicsState(positions: positions, velocities: velocities)
        forceTime = 0
        self.integrator.prepare(&state)
        computeForces(&state)
    }

    public func computeForces(_ s: inout DynamicsState) {
        s.potentialEnergy = potential.energy(s.positions, gradient: &s.gradient)
        if s.time != forceTime {
            for b in biases { s.work += b.work(s.positions, from: forceTime, to: s.time) }
            forceTime = s.time
        }
        var biasEnergy = 0.0
        for b in biases { biasEnergy += b.energy(s.positions, time: s.time, addingGradientTo: &s.gradient) }
        s.biasEnergy = biasEnergy
    }

    /// Replaces the velocities (e.g. Maxwell–Boltzmann draws); constrained components are removed
    /// by the integrator's `prepare`.
    public func setVelocities(_ v: [Double]) {
        state.velocities = v
        integrator.prepare(&state)
    }

    /// The integrator's kinetic-energy estimate of the last step (kcal/mol; see
    /// `DynamicsState.kineticEnergy`), or ½ m v² of the current velocities before the first step.
    public var kineticEnergy: Double {
        state.step == 0 ? MDUnits.kineticEnergy(masses: masses, velocities: state.velocities) : state.kineticEnergy
    }

    /// Degrees of freedom: coordinates minus constraints (Langevin and Brownian dynamics do not
    /// conserve total momentum, so nothing else is removed).
    public var degreesOfFreedom: Int { masses.count - integrator.constraintCount }

    public var temperature: Double {
        MDUnits.temperature(kineticEnergy: kineticEnergy, degreesOfFreedom: degreesOfFreedom)
    }

    /// Advances `steps` steps. `observe` is called after every `stride`-th step; cancellation is
    /// checked about every 1000 steps; NaN/∞ energies stop the run with the step and quantity.
    public func run(steps: Int, stride: Int = 0, monitor: any WorkMonitor = SilentMonitor(),
                    observe: (DynamicsState) throws -> Void = { _ in }) throws {
        guard steps > 0 else { return }
        for n in 1...steps {
            integrator.step(&state, self, &random)
            for b in biases.indices { biases[b].didStep(state.positions, time: state.time, step: state.step) }
            if !state.potentialEnergy.isFinite {
                throw SimulationDiverged(step: state.step, quantity: "potential energy")
            }
            if !state.biasEnergy.isFinite { throw SimulationDiverged(step: state.step, quantity: "bias energy") }
            if stride > 0 && n % stride == 0 {
                if !state.kineticEnergy.isFinite { throw SimulationDiverged(step: state.step, quantity: "kinetic energy") }
                try observe(state)
            }
            if n % 1000 == 0 {
                try monitor.checkCancellation()
                monitor.progress(done: n, total: steps, note: "")
            }
        }
    }

    /// Writes everything needed to continue exactly where the run is (DESIGN.md §4 intra-stage
    /// checkpoints): positions, velocities, time, step, work, the integrator's kinetic-energy
    /// estimate, the random stream and each bias's own state. Forces are recomputed on restore.
    public func save(to group: HDF5Group) throws {
        try group.write("positions", state.positions, shape: [state.positions.count])
        try group.write("velocities", state.velocities, shape: [state.velocities.count])
        try group.write("scalars", [state.time, state.work, state.kineticEnergy], shape: [3])
        try group.write("step", [Int64(state.step)], shape: [])
        try group.write("rng", random.stateWords.map { Int64(bitPattern: $0) }, shape: [4])
        try group.write("spare_normal", [random.spareNormal ?? .nan], shape: [1])
        for (n, b) in biases.enumerated() { try b.saveState(to: try group.createGroup("bias\(n)")) }
    }

    /// Continues from a checkpoint written by `save(to:)` for the same system and biases; the
    /// trajectory that follows is identical to the uninterrupted one.
    public func restore(from group: HDF5Group) throws {
        let x = try group.read("positions", as: Double.self).values
        let v = try group.read("velocities", as: Double.self).values
        let scalars = try group.read("scalars", as: Double.self).values
        let words = try group.read("rng", as: Int64.self).values
        guard x.count == masses.count, v.count == masses.count, scalars.count == 3, words.count == 4 else {
            throw CheckpointMismatch(description: "checkpoint has \(x.count) coordinates, this simulation \(masses.count)")
        }
        let spare = try group.read("spare_normal", as: Double.self).values[0]
        state.positions = x
        state.velocities = v
        state.time = scalars[0]
        state.work = scalars[1]
        state.kineticEnergy = scalars[2]
        state.step = Int(try group.read("step", as: Int64.self).values[0])
        random = RandomSource(stateWords: words.map { UInt64(bitPattern: $0) }, spareNormal: spare.isNaN ? nil : spare)
        for n in biases.indices { try biases[n].restoreState(from: try group.group("bias\(n)")) }
        forceTime = state.time
        computeForces(&state)
    }
}
