import FlowLinalg

/// The dynamical state of a simulation — OpenMM's `State`: positions, velocities and the total
/// gradient at the current time, with the energies and accumulated work that go with them.
public struct DynamicsState: Sendable {
    /// Coordinates (flat, as for `Potential`).
    public var positions: [Double]
    /// Velocities in coordinate units per ps.
    public var velocities: [Double]
    /// ∇(U + Σ biases) at `positions` and `time`.
    public var gradient: [Double]
    /// U(positions) of the potential, without biases.
    public var potentialEnergy: Double = 0
    /// Σ biases at (positions, time).
    public var biasEnergy: Double = 0
    /// Time in ps.
    /// The integrator's kinetic-energy estimate (kcal/mol) for this step: for BAOAB the
    /// mid-step velocities (after the O update), whose distribution is exact for harmonic systems
    /// and far more accurate than the end-of-step velocities, which underestimate the temperature
    /// by O(dt²ω²) (Leimkuhler & Matthews, Appl. Math. Res. Express 2013, 34); for velocity Verlet
    /// the end-of-step value; 0 for Brownian dynamics.
    public var kineticEnergy: Double = 0
    public var time: Double = 0
    public var step: Int = 0
    /// Non-equilibrium work W = ∫ ∂U_bias/∂t dt done on the system by time-dependent biases
    /// (kcal/mol): Jarzynski, Phys. Rev. Lett. 78, 2690 (1997).
    public var work: Double = 0

    public init(positions: [Double], velocities: [Double]? = nil) {
        self.positions = positions
        self.velocities = velocities ?? [Double](repeating: 0, count: positions.count)
        gradient = [Double](repeating: 0, count: positions.count)
    }
}

/// Computes the total gradient and energies of a state at its positions and time (the
/// `Simulation` does it: potential plus biases, with the work of time-dependent biases).
public protocol ForceComputer: AnyObject {
    func computeForces(_ state: inout DynamicsState)
}

/// A time-stepping scheme. Integrators are built for one system (masses, constraints) and advance
/// a state by one step, calling `forces` whenever they need the gradient at new positions/time.
public protocol Integrator {
    /// Time step in ps.
    var timeStep: Double { get }
    /// Number of holonomic constraints (removed from the degrees of freedom).
    var constraintCount: Int { get }
    /// Makes a state consistent with the integrator before the first step (constrained positions
    /// and velocities); the caller computes forces afterwards.
    mutating func prepare(_ state: inout DynamicsState)
    mutating func step(_ state: inout DynamicsState, _ forces: ForceComputer, _ random: inout RandomSource)
}
