import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: simulate` — sampling a system with independent walkers (DESIGN §6): overdamped
/// Langevin (Euler–Maruyama), MALA or underdamped Langevin (BAOAB), optionally under
/// well-tempered metadynamics and harmonic restraints on CVs. `steps` and `stride` count per
/// walker: the output has walkers × ⌊steps/stride⌋ frames, walker-major, and `/walker` gives each
/// frame's walker. Long runs checkpoint and resume bit-identically.
enum SimulateStage: StageKind {
    static let name = "simulate"
    /// 5: the Müller–Brown kernel's exponentials are `KernelExp.exp2` with log₂e folded into the
    /// exponent (4: fused multiply–adds; Benchmarks/README.md, Sampling), so its trajectories differ
    /// from version 4 in the last bits; cached outputs of earlier versions are not reused.
    static let version = 5
    static let summary = "sample a system with independent walkers (EM, MALA, BAOAB; metadynamics, restraints)"
    static let system = SystemRequirement.required
    static var cpus: Int { ProcessInfo.processInfo.activeProcessorCount }
    static let inputs = [InputSpec("initial", required: false, help: "frames to start from when params.initial is 'input'")]
    static let outputs: [OutputSpec] = [
        OutputSpec("/x", "frames × D configurations, walker-major"),
        OutputSpec("/time", "time of each frame since the start"),
        OutputSpec("/energy", "potential energy V of each frame"),
        OutputSpec("/bias", "total bias energy felt at each frame (0 without bias)"),
        OutputSpec("/bias_offset", "metadynamics c(t) at each frame (Tiwary & Parrinello 2015)"),
        OutputSpec("/weights", "reweighting weight e^{β(B − c(t))} per frame, normalized to mean 1 (1 for unbiased and steered runs)"),
        OutputSpec("/walker", "walker index of each frame (int64)"),
        OutputSpec("/acceptance", "MALA: accepted fraction of proposals per walker"),
        OutputSpec("/hills", "metadynamics: one row per hill (time, height, centre…)"),
        OutputSpec("/bias_grid/values", "metadynamics: final bias on the grid (axis 0 slowest)"),
        OutputSpec("/work", "moving restraints: work done on each frame's walker so far (Jarzynski)"),
        // charmm systems (MolecularTrajectoryWriter): frames are replica-major.
        OutputSpec("/replica", "charmm: replica index of each frame (int64)"),
        OutputSpec("/energy_terms", "charmm: frames × energy terms, kcal/mol (names in attribute 'names')"),
        OutputSpec("/cv", "charmm: the biased CVs per frame (names in attribute 'names')"),
        OutputSpec("/temperature", "charmm: kinetic temperature per frame (K)"),
        OutputSpec("/topology", "charmm: atoms (names, types, residues, masses, charges) and bonded lists"),
        OutputSpec("/summary", "charmm pulling runs: time, distance_mean/std, work_mean/std, jarzynski, center"),
    ]

    struct Parameters: Codable {
        var dynamics: DynamicsParameters
        var stride: Int
        var bias: BiasSpec?
        // charmm systems only (MolecularSimulateRunner); absent keys leave model-system cache keys unchanged.
        var replicas: Int?
        var minimization: MinimizationSpec?
        var equilibrationSteps: Int?

        enum CodingKeys: String, CodingKey {
            case stride, bias
            case replicas, minimization, equilibrationSteps = "equilibration_steps"
        }

        init(from decoder: Decoder) throws {
            dynamics = try DynamicsParameters(from: decoder)
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            stride = try p(.stride, default: 100, in: .atLeast(1), help: "save a frame every stride steps")
            bias = try p.optionalGroup(.bias, help: "biases: metadynamics and restraints on CVs")
            replicas = try p.optional(.replicas, in: .atLeast(1), help: "charmm systems: independent replicas, run in parallel (default 1)")
            minimization = try p.optionalGroup(.minimization, help: "charmm systems: L-BFGS minimization of the starting structure")
            equilibrationSteps = try p.optional(.equilibrationSteps, in: .atLeast(0), help: "charmm systems: unbiased Langevin steps before production (default 0)")
            try p.check(stride <= dynamics.steps, .stride, "must not exceed steps (\(dynamics.steps)); no frame would be saved")
        }

        func encode(to encoder: Encoder) throws {
            try dynamics.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(stride, forKey: .stride)
            try c.encodeIfPresent(bias, forKey: .bias)
            try c.encodeIfPresent(replicas, forKey: .replicas)
            try c.encodeIfPresent(minimization, forKey: .minimization)
            try c.encodeIfPresent(equilibrationSteps, forKey: .equilibrationSteps)
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        if try MolecularSimulateRunner.applies(to: p, in: context) { return try MolecularSimulateRunner.run(p, in: context) }
        let system = try SystemFactory.simulationSystem(for: context.system, stage: context.stageName)
        let d = p.dynamics
        let initial = try d.initial.configurations(walkers: d.walkers, in: system, context: context)
        let metadynamics = try p.bias?.metadynamics.map { try $0.build(system: system, stage: context.stageName) }
        let restraints = p.bias?.restraints ?? []
        _ = try restraints.enumerated().map { try $1.build(system: system, stage: context.stageName, index: $0) }
        let stage = context.stageName
        let moving = restraints.contains { $0.moves }
        let settings = EnsembleSettings(steps: d.steps, stride: p.stride, seed: context.seed,
                                        depositionSteps: p.bias?.metadynamics?.depositSteps, tracksWork: moving)
        let ensemble = WalkerEnsemble(potential: system.potential, integrator: d.integrator(beta: system.beta),
                                      initial: initial, settings: settings,
                                      biases: { restraints.enumerated().compactMap { try? $1.build(system: system, stage: stage, index: $0) } },
                                      metadynamics: metadynamics)
        context.log("\(d.walkers) walkers × \(d.steps) steps, \(d.integrator.rawValue) dt \(d.dt), β \(system.beta)")
        do {
            try ensemble.run(monitor: context.monitor, checkpoints: context.checkpoints, threads: context.cpus)
        } catch let e as SamplingError {
            throw FlowError.stageFailed(stage: stage, message: e.description)
        }
        try write(ensemble, system: system, restraints: restraints, context: context)
    }

    static func write(_ ensemble: WalkerEnsemble, system: SimulationSystem, restraints: [RestraintSpec], context: StageContext) throws {
        let t = ensemble.trajectory()
        let out = context.output.root
        try out.write("x", matrix: t.x, description: "configurations (" + system.coordinateNames.joined(separator: ", ") + ")")
        try out.write("time", vector: t.time, units: "time")
        try out.write("energy", vector: t.energy, units: "energy")
        try out.write("bias", vector: t.bias, units: "energy")
        try out.write("bias_offset", vector: t.offset, units: "energy")
        try out.write("walker", t.walker.map(Int64.init), shape: [t.walker.count])
        // A moving restraint makes the run non-equilibrium: no reweighting weights (all 1), work instead.
        let steered = restraints.contains { $0.moves }
        if steered { context.log("moving restraint: /weights are 1 (non-equilibrium run); see /work") }
        let weights = steered ? t.bias.map { _ in 1.0 } : ReweightingWeights.weights(beta: system.beta, bias: t.bias, offset: t.offset)
        guard weights.allSatisfy({ $0.isFinite }) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "the reweighting weights overflowed; the bias grew beyond exp range (lower height or raise bias_temperature)")
        }
        try out.write("weights", vector: weights, description: "e^{β(B − c(t))} normalized to mean 1 (ReweightingWeights)")
        if steered { try out.write("work", vector: t.work, units: "energy") }
        if ensemble.integrator.reportsAcceptance {
            let rates = ensemble.acceptanceRates
            try out.write("acceptance", vector: rates)
            context.log(String(format: "MALA acceptance: mean %.4f, min %.4f", rates.reduce(0, +) / Double(rates.count), rates.min() ?? 0))
        }
        if let m = ensemble.metadynamics {
            let d = m.grid.rank
            try out.write("hills", m.hills.flatMap { [$0.time, $0.height] + $0.center }, shape: [m.hills.count, 2 + d])
            try out.dataset("hills").setAttribute("columns", .strings(["time", "height"] + m.cv.componentNames))
            try out.write("bias_grid/values", m.grid.values, shape: m.grid.points)
            for a in 0..<d {
                try out.write("bias_grid/axis\(a)", (0..<m.grid.points[a]).map { m.grid.node($0, axis: a) }, shape: [m.grid.points[a]])
            }
            try out.group("bias_grid").setAttribute("cvs", .strings(m.cv.componentNames))
            try out.setAttribute("bias_factor", .double(m.biasFactor))
            context.log("\(m.hills.count) hills; final c(t) = \(m.offset)")
        }
        try out.setAttribute("beta", .double(system.beta))
        try out.setAttribute("coordinate_names", .strings(system.coordinateNames))
    }
}
