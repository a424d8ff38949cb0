import Foundation
import FlowCore
import FlowMD

/// The integrators of a molecular `simulate` run, chosen by `params.integrator` and checked
/// against the molecule's stiffest vibration with its constraints rigid (`TimeStepLimit`) before anything runs:
/// `langevin-baoab` (= `baoab`), `velocity-verlet` (NVE), `brownian` (= `euler-maruyama`).
/// Equilibration always uses Langevin BAOAB at the same dt and friction (velocity Verlet does
/// not thermalize; Brownian positions thermalize either way).
struct MolecularDynamicsChoice {
    enum Kind { case langevin, verlet, brownian }

    let kind: Kind
    let dt: Double
    let friction: Double
    let model: CharmmModel
    let masses: [Double]

    init(_ p: DynamicsParameters, model: CharmmModel, equilibrates: Bool, stage: String) throws {
        switch p.integrator {
        case .baoab, .langevinBAOAB: kind = .langevin
        case .velocityVerlet: kind = .verlet
        case .brownian, .eulerMaruyama: kind = .brownian
        case .mala:
            throw FlowError.stageFailed(stage: stage, message: "params.integrator: mala samples model systems; charmm systems use langevin-baoab, velocity-verlet or brownian")
        }
        dt = p.dt
        friction = p.friction
        self.model = model
        masses = model.molecule.coordinateMasses
        try checkTimeStep(inertial: kind != .brownian || equilibrates, stage: stage)
    }

    var name: String {
        switch kind {
        case .langevin: return "Langevin BAOAB"
        case .verlet: return "velocity Verlet"
        case .brownian: return "Brownian"
        }
    }

    /// Refuses a dt beyond the stability/accuracy limit of the stiffest vibration, saying
    /// what constraining bonds to hydrogen would allow.
    func checkTimeStep(inertial: Bool, stage: String) throws {
        do {
            let constrained = model.constraints?.pairs ?? []
            guard let fastest = try TimeStepLimit(system: model.molecule, constrained: constrained) else { return }
            let fs = { (t: Double) in String(format: "%.3g fs", t * 1000) }
            var hint = ""
            if model.constraints == nil, let h = try TimeStepLimit(system: model.molecule, constrained: try model.molecule.hydrogenBondConstraints().pairs) {
                hint = " or set constraints: h-bonds in the system (then dt ≤ \(fs(inertial ? h.inertialLimit : h.brownianLimit(friction: friction))))"
            }
            let constraintNote = model.constraints == nil ? "without constraints" : "with H-bond constraints"
            if inertial, dt > fastest.inertialLimit * (1 + 1e-9) {
                throw FlowError.stageFailed(stage: stage, message:
                    "params.dt = \(fs(dt)) is too large \(constraintNote): the stiffest vibration, \(fastest.label), has a period of \(fs(fastest.period)) and Langevin/Verlet steps need dt ≤ period/8 = \(fs(fastest.inertialLimit)); lower dt\(hint)")
            }
            let brownian = fastest.brownianLimit(friction: friction)
            if kind == .brownian, dt > brownian * (1 + 1e-9) {
                throw FlowError.stageFailed(stage: stage, message:
                    "params.dt = \(fs(dt)) is too large for Brownian dynamics \(constraintNote): the stiffest vibration, \(fastest.label), relaxes in τ = γ/ω² = \(fs(2 * brownian)) at friction \(friction)/ps and Euler–Maruyama needs dt ≤ τ/2 = \(fs(brownian)); lower dt\(hint)")
            }
        } catch let e as MolecularInputError {
            throw FlowError.stageFailed(stage: stage, message: "\(e)")
        }
    }

    func productionIntegrator() -> any Integrator {
        let c = model.freshConstraints()
        switch kind {
        case .langevin: return thermalizer()
        case .verlet: return VelocityVerletIntegrator(timeStep: dt, masses: masses, constraints: c)
        case .brownian: return BrownianIntegrator(timeStep: dt, temperature: model.temperature, friction: friction, masses: masses, constraints: c)
        }
    }

    func equilibrationIntegrator() -> any Integrator { thermalizer() }

    /// Langevin BAOAB at the system's temperature (also draws Maxwell–Boltzmann velocities).
    func thermalizer() -> LangevinIntegrator {
        LangevinIntegrator(timeStep: dt, temperature: model.temperature, friction: friction, masses: masses,
                           constraints: model.freshConstraints())
    }
}
