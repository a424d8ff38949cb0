import Foundation
import FlowCore
import FlowLinalg
import FlowMD

/// `transition-rates` on a `charmm` system: the walkers are replicas of the molecule (one
/// `ReplicaSet` replica each, its own random stream `replica-<r>`), started from the system's
/// structure (or `initial`), minimized, optionally equilibrated with Langevin BAOAB, then run
/// with `integrator` (Brownian dynamics, Langevin BAOAB or velocity Verlet, dt in ps; the step is
/// checked against the stiffest vibration, `MolecularDynamicsChoice`). A last-visit
/// tracker per replica assigns the state every `interval` steps, so no frame is kept; states are
/// regions of molecular CVs, e.g. the anti and gauche ranges of butane's C–C–C–C dihedral, which
/// wrap around ±π. Rates and their bootstrap intervals over replicas are those of
/// `TransitionRateEstimate`, in 1/ps. Sharded, a part runs a contiguous range of replicas
/// (`RatesPart`), as on model systems.
///
/// Convention: with `integrator: brownian` at friction γ the rates are those of
/// γ m dx = −∇V dt + √(2γ m k_BT) dW (OpenMM's `BrownianIntegrator`), the dynamics whose
/// overdamped limit the molecular effective dynamics describes (`MolecularWindows`, same γ).
/// Langevin rates equal them only at high friction.
enum MolecularRatesRunner {
    /// Whether this stage runs on a molecule. Throws when charmm-only parameters are given for a
    /// model system.
    static func applies(to p: TransitionRatesStage.Parameters, in context: StageContext) throws -> Bool {
        if context.system?.kind == CharmmSystem.name { return true }
        if let key = [("minimization", p.minimization != nil), ("equilibration_steps", p.equilibrationSteps != nil)].first(where: \.1)?.0 {
            throw FlowError.stageFailed(stage: context.stageName, message: "params.\(key) applies to charmm systems; model systems start from params.initial")
        }
        return false
    }

    static func run(_ p: TransitionRatesStage.Parameters, in context: StageContext) throws {
        let stage = context.stageName
        let model = try MolecularSimulateRunner.model(in: context)
        guard !p.states.isEmpty else {
            throw FlowError.stageFailed(stage: stage, message: "params.states: a charmm system has no default states; give regions of molecular CVs, e.g. {name: anti, cvs: [{dihedral: [0, 4, 7, 10]}], lower: [2.94159], upper: [3.34159]}")
        }
        let assignment: any StateAssignment
        do { assignment = try StateSpec.assignment(p.states, quench: p.quench, system: model.simulationSystem) } catch {
            throw FlowError.stageFailed(stage: stage, message: "params.\(error)")
        }
        let names = assignment.stateNames
        guard names.count >= 2 else {
            throw FlowError.stageFailed(stage: stage, message: "params.states: give at least two distinct state names (regions with the same name are one state)")
        }
        let d = p.dynamics
        let equilibration = p.equilibrationSteps ?? 0
        let dynamics = try MolecularDynamicsChoice(d, model: model, equilibrates: equilibration > 0, stage: stage)
        var phases: [DynamicsPhase] = []
        if equilibration > 0 {
            phases.append(DynamicsPhase(name: "equilibration", steps: equilibration, integrator: dynamics.equilibrationIntegrator))
        }
        phases.append(DynamicsPhase(name: "production", steps: d.steps, observationInterval: p.interval, integrator: dynamics.productionIntegrator))
        let trackers: [LastVisitTracker]
        if let parts = context.gatheredParts {
            trackers = try RatesPart.gathered(parts, stage: stage) { [LastVisitTracker(assignment: assignment)] }.map { $0[0] }
        } else {
            let mine = try context.partItems(of: d.walkers, items: "walkers")
            let set = ReplicaSet(replicas: mine.count, phases: phases, masses: model.molecule.coordinateMasses, valueNames: [],
                                 potential: { model.forceField.independentCopy() }, measure: { _, _ in [] })
            set.firstReplica = mine.lowerBound
            trackers = mine.map { _ in LastVisitTracker(assignment: assignment) }
            set.observers = trackers
            context.log("\(model.source.summary): \(model.topology.atoms.count) atoms, "
                        + "\(model.constraints.map { "\($0.count) H-bond constraints" } ?? "no constraints"), T = \(model.temperature) K")
            context.log("\(StageShard.describe(mine, of: d.walkers, "replicas")) "
                        + "× (\(equilibration) equilibration + \(d.steps) counted steps), \(dynamics.name) dt \(d.dt) ps "
                        + "(\(Double(d.steps) * d.dt) ps each), friction \(d.friction)/ps, states \(names.joined(separator: ", ")) every \(p.interval) steps")
            do {
                try set.run(starts: { Array(try MolecularSimulateRunner.starts(initial: d.initial, minimization: p.minimization, model: model,
                                                                                replicas: d.walkers, dynamics: dynamics, context: context)[mine]) },
                            threads: context.cpus, monitor: context.monitor, checkpoints: context.checkpoints)
            } catch let e as ReplicaDiverged {
                throw FlowError.stageFailed(stage: stage, message: e.description)
            } catch let e as CheckpointMismatch {
                throw FlowError.stageFailed(stage: stage, message: "cannot resume: \(e.description)")
            }
            if context.isPart { return try RatesPart.write(trackers.map { [$0] }, to: context.output.root) }
        }
        var rng = context.random("bootstrap")
        let estimate = TransitionRateEstimate(trackers: trackers, names: names, confidence: p.confidence, resamples: p.resamples, random: &rng)
        try TransitionRatesStage.write(estimate, names: names, confidence: p.confidence, to: context.output.root)
        for r in estimate.rows {
            context.log(String(format: "%@ %@ → %@: %.4e [%.4e, %.4e] 1/ps (%d events, time %.4e ps)",
                               r.quantity.rawValue, r.from, r.to, r.value, r.low, r.high, r.events, r.time))
        }
    }
}
