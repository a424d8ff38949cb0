import Foundation
import FlowCore
import FlowMD

/// `simulate` on a `charmm` system: minimization (L-BFGS), unbiased Langevin equilibration, then
/// production with Langevin BAOAB, velocity Verlet or Brownian dynamics under steered,
/// tethered, restraint and metadynamics biases — several independent replicas in parallel, each
/// with its own random stream (`replica-<r>`), so results do not depend on the thread count.
/// Long runs checkpoint and resume bit-identically through `ReplicaSet`. The output contract is
/// in `MolecularTrajectoryWriter`.
enum MolecularSimulateRunner {
    /// Whether `simulate` should run this stage as a molecular simulation. Throws when
    /// molecular-only parameters are given for a model system.
    static func applies(to p: SimulateStage.Parameters, in context: StageContext) throws -> Bool {
        if context.system?.kind == CharmmSystem.name { return true }
        let molecularOnly = [("replicas", p.replicas != nil), ("minimization", p.minimization != nil),
                             ("equilibration_steps", p.equilibrationSteps != nil),
                             ("bias.steered", p.bias?.steered != nil), ("bias.tethered", p.bias?.tethered != nil)]
        if let (key, _) = molecularOnly.first(where: { $0.1 }) {
            throw FlowError.stageFailed(stage: context.stageName, message: "params.\(key) applies to charmm systems; model systems use walkers, initial and bias.restraints")
        }
        return false
    }

    /// The stage's `charmm` system, loaded or built.
    static func model(in context: StageContext) throws -> CharmmModel {
        guard let definition = context.system, let sp = definition.parameters as? CharmmSystem.Parameters else {
            throw FlowError.stageFailed(stage: context.stageName, message: "this stage needs system: naming a charmm system")
        }
        return try CharmmSystem.model(sp, system: definition.name, stage: context.stageName)
    }

    static func run(_ p: SimulateStage.Parameters, in context: StageContext) throws {
        let stage = context.stageName
        let model = try model(in: context)
        let replicas = p.replicas ?? 1
        let equilibration = p.equilibrationSteps ?? 0
        let masses = model.molecule.coordinateMasses
        let dynamics = try MolecularDynamicsChoice(p.dynamics, model: model, equilibrates: equilibration > 0, stage: stage)
        let biases = try MolecularBiases(p.bias, model: model, duration: Double(p.dynamics.steps) * p.dynamics.dt, stage: stage)
        let measure = MolecularFrameMeasure(biases: biases)
        var phases: [DynamicsPhase] = []
        if equilibration > 0 {
            phases.append(DynamicsPhase(name: "equilibration", steps: equilibration, integrator: dynamics.equilibrationIntegrator))
        }
        phases.append(DynamicsPhase(name: "production", steps: p.dynamics.steps, stride: p.stride, integrator: dynamics.productionIntegrator,
                                    biases: { _, start in try biases.make(start: start) }))
        let mine = try context.partItems(of: replicas, items: "replicas")
        context.log("\(model.source.summary): \(model.topology.atoms.count) atoms, \(model.forceField.options.nonbonded.summary), "
                    + "\(model.constraints.map { "\($0.count) H-bond constraints" } ?? "no constraints"), T = \(model.temperature) K")
        if let parts = context.gatheredParts {
            return try MolecularTrajectoryWriter(frames: ReplicaFrames.gathered(parts, stage: stage), set: nil, model: model, biases: biases,
                                                 measure: measure, parameters: p, context: context).write()
        }
        let set = ReplicaSet(replicas: mine.count, phases: phases, masses: masses, valueNames: measure.names,
                             potential: { model.forceField.independentCopy() }, measure: { _, s in measure.values(s) })
        set.firstReplica = mine.lowerBound
        context.log("\(StageShard.describe(mine, of: replicas, "replica(s)")) "
                    + "× (\(equilibration) equilibration + \(p.dynamics.steps) production steps), "
                    + "\(dynamics.name) dt \(p.dynamics.dt) ps, friction \(p.dynamics.friction)/ps, frame every \(p.stride) steps")
        do {
            try set.run(starts: { Array(try starts(initial: p.dynamics.initial, minimization: p.minimization, model: model, replicas: replicas,
                                                   dynamics: dynamics, context: context)[mine]) },
                        threads: context.cpus, monitor: context.monitor, checkpoints: context.checkpoints)
        } catch let e as ReplicaDiverged {
            throw FlowError.stageFailed(stage: stage, message: e.description)
        } catch let e as CheckpointMismatch {
            throw FlowError.stageFailed(stage: stage, message: "cannot resume: \(e.description)")
        }
        if context.isPart { return try ReplicaFrames(set).write(to: context.output.root) }
        try MolecularTrajectoryWriter(frames: ReplicaFrames(set), set: set, model: model, biases: biases, measure: measure, parameters: p,
                                      context: context).write()
    }

    /// Starting states of every replica, in replica order (a part of a sharded run takes its
    /// share): the configurations of `params.initial` (default: the system's structure),
    /// minimized once per distinct configuration, with Maxwell–Boltzmann velocities drawn from
    /// each replica's stream.
    static func starts(initial: InitialState, minimization: MinimizationSpec?, model: CharmmModel, replicas: Int,
                       dynamics: MolecularDynamicsChoice, context: StageContext) throws -> [ReplicaStart] {
        let initial: InitialState = initial == .random ? .named("structure") : initial
        var configurations = try initial.configurations(walkers: replicas, in: model.simulationSystem, context: context)
        if let m = minimization {
            var minimized: [[Double]: [Double]] = [:]
            let minimizer = LBFGSMinimizer(tolerance: m.tolerance, maxIterations: m.maxSteps)
            for x in configurations where minimized[x] == nil {
                let before = model.forceField.energy(x)
                let result = try minimizer.minimize(model.forceField, from: x, monitor: context.monitor)
                guard result.energy.isFinite else {
                    throw FlowError.stageFailed(stage: context.stageName, message: "minimization: the energy is not finite; check the structure")
                }
                context.log(String(format: "minimization: %.4f → %.4f kcal/mol in %d steps, RMS gradient %.4f kcal/mol/Å",
                                   before, result.energy, result.iterations, result.gradientRMS)
                            + (result.converged ? "" : " (not converged: raise max_steps or tolerance)"))
                minimized[x] = result.positions
            }
            configurations = configurations.map { minimized[$0]! }
        }
        return configurations.enumerated().map { r, x in
            var random = context.random("replica-\(r)")
            var state = DynamicsState(positions: x)
            dynamics.thermalizer().maxwellBoltzmannVelocities(for: &state, &random)
            return ReplicaStart(positions: x, velocities: state.velocities, random: random)
        }
    }
}
