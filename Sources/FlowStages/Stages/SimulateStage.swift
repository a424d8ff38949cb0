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
    static let version = 5
    static let summary = "sample a system with independent walkers (EM, MALA, BAOAB; metadynamics, restraints)"
    static let system = SystemRequirement.required
    static var cpus: Int { ProcessInfo.processInfo.activeProcessorCount }
    static let inputs = [
        InputSpec("initial", required: false, help: "frames to start from when params.initial is 'input'"),
        InputSpec("cv", required: false, help: "a learned CV (an orthogonal-cvs output) that biases name as {model: cv}"),
    ]
    /// The datasets of a run. Model systems write frames walker-major with `/walker`; charmm
    /// systems (`MolecularTrajectoryWriter`) write them replica-major with `/replica`, in Å, ps
    /// and kcal/mol.
    enum Output {
        static let x = SharedDatasets.x.documented(shape: "frames × D", units: "system length",
                                                   "configurations, walker- (replica-) major")
        static let time = OutputDataset.float64("/time", "frames", units: "system time", "time of each frame since the start of production")
        static let energy = OutputDataset.float64("/energy", "frames", units: "system energy", "potential energy V of each frame (no bias)")
        static let bias = OutputDataset.float64("/bias", "frames", units: "system energy", "total bias energy felt at each frame (0 without bias)")
        static let biasOffset = OutputDataset.float64("/bias_offset", "frames", units: "system energy", when: "model systems; charmm metadynamics runs",
                                                      "metadynamics c(t) at each frame (Tiwary & Parrinello 2015)")
        static let weights = SharedDatasets.weights.documented(shape: "frames", when: "always",
                                                               "e^{β(B − c(t))} per frame, normalized to mean 1 (1 for unbiased and steered runs)")
        static let walker = SharedDatasets.walker.documented(when: "model systems", "walker index of each frame")
        static let acceptance = OutputDataset.float64("/acceptance", "walkers", when: "MALA", "accepted fraction of proposals per walker")
        static let hills = OutputDataset.float64("/hills", "hills × (2 + CVs)", when: "metadynamics",
                                                 "one row per hill: time, height, centre (attribute columns)")
        static let hillReplica = OutputDataset.int64("/hill_replica", "hills", when: "charmm metadynamics runs", "replica that deposited each hill")
        static let biasGrid = OutputDataset.group("/bias_grid", when: "metadynamics",
                                                  "final bias: values on the grid (axis 0 slowest; charmm: one grid per replica) and axis{i} nodes")
        static let work = OutputDataset.float64("/work", "frames", units: "system energy", when: "moving restraints or steered MD",
                                                "work done on each frame's walker so far (Jarzynski)")
        static let replica = OutputDataset.int64("/replica", "frames", when: "charmm systems", "replica index of each frame")
        static let energyTerms = OutputDataset.float64("/energy_terms", "frames × terms", units: "kcal/mol", when: "charmm systems",
                                                       "energy per force-field term (names in attribute 'names')")
        static let cv = OutputDataset.float64("/cv", "frames × CVs", when: "charmm systems with biased CVs",
                                              "the biased CVs per frame: Å for distances, radians for angles (names in attribute 'names')")
        static let temperature = OutputDataset.float64("/temperature", "frames", units: "K", when: "charmm systems",
                                                       "kinetic temperature per frame (integrator estimate)")
        static let topology = SharedDatasets.topology
        static let summary = OutputDataset.group("/summary", when: "charmm pulling runs",
                                                 "per frame over replicas: time, distance_mean/std, work_mean/std, jarzynski, center")
    }
    static let outputs = [Output.x, Output.time, Output.energy, Output.bias, Output.biasOffset, Output.weights, Output.walker,
                          Output.acceptance, Output.hills, Output.hillReplica, Output.biasGrid, Output.work, Output.replica,
                          Output.energyTerms, Output.cv, Output.temperature, Output.topology, Output.summary]

    struct Parameters: Decodable {
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
            // Only when walkers alone fit, so that one cause gives one error.
            if InputLimits.allocationProblem([dynamics.walkers], what: "walkers") == nil {
                try p.checkAllocation(.stride, [dynamics.walkers, dynamics.steps / stride], what: "walkers × ⌊steps/stride⌋ frames",
                                      fix: "lower walkers or steps, or raise stride")
            }
        }
    }

    static let shardedItems: String? = "walkers (model systems) or replicas (charmm systems); not with metadynamics"

    /// Walkers (charmm replicas) are independent unless metadynamics couples them through its
    /// shared hills (charmm: each replica's bias grid goes into the output, which the parts do
    /// not hand on): a part computes a contiguous range of them, each on its own global random
    /// stream (`SimulationPart`, `ReplicaFrames`).
    static func shardProblem(_ p: Parameters, shards: Int) -> String? {
        if p.bias?.metadynamics != nil {
            return "metadynamics couples the walkers (they deposit hills into one shared bias; a charmm run writes each replica's bias), so this stage cannot run in shards; remove resources.shards"
        }
        return StageShard.tooManyParts(shards, for: p.replicas ?? p.dynamics.walkers, items: p.replicas == nil ? "walkers" : "replicas")
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        if try MolecularSimulateRunner.applies(to: p, in: context) { return try MolecularSimulateRunner.run(p, in: context) }
        var system = try SystemFactory.simulationSystem(for: context.system, stage: context.stageName)
        try system.addLearnedCVs(["cv"], from: context)
        let d = p.dynamics
        try DynamicsParameters.checkFits(rows: d.walkers * (d.steps / p.stride), dimension: system.potential.dimension,
                                         what: "frames", fix: "lower walkers or steps, or raise stride", stage: context.stageName)
        let restraintSpecs = p.bias?.restraints ?? []
        if case .gather(let files)? = context.shard {
            let parts = try SimulationPart.read(files, stage: context.stageName)
            return try write(SimulationPart.concatenated(parts), acceptance: parts.first?.acceptance == nil ? nil : parts.flatMap { $0.acceptance! },
                             metadynamics: nil, system: system, restraints: restraintSpecs, context: context)
        }
        var walkers = 0..<d.walkers
        if case .part(let i, let n)? = context.shard { walkers = StageShard.range(of: d.walkers, part: i, count: n) }
        // Every walker's start as in the whole run (drawn in walker order from one stream), then this part's.
        let initial = Array(try d.initial.configurations(walkers: d.walkers, in: system, context: context)[walkers])
        let metadynamics = try p.bias?.metadynamics.map { try $0.build(system: system, stage: context.stageName) }
        let restraints = restraintSpecs
        _ = try restraints.enumerated().map { try $1.build(system: system, stage: context.stageName, index: $0) }
        let stage = context.stageName
        let moving = restraints.contains { $0.moves }
        let settings = EnsembleSettings(steps: d.steps, stride: p.stride, seed: context.seed,
                                        depositionSteps: p.bias?.metadynamics?.depositSteps, tracksWork: moving)
        let ensemble = WalkerEnsemble(potential: system.potential, integrator: d.integrator(beta: system.beta),
                                      initial: initial, settings: settings,
                                      biases: { restraints.enumerated().compactMap { try? $1.build(system: system, stage: stage, index: $0) } },
                                      metadynamics: metadynamics, firstWalker: walkers.lowerBound)
        context.log("\(StageShard.describe(walkers, of: d.walkers, "walkers")) × \(d.steps) steps, \(d.integrator.rawValue) dt \(d.dt), β \(system.beta)")
        do {
            try ensemble.run(monitor: context.monitor, checkpoints: context.checkpoints, threads: context.cpus)
        } catch let e as SamplingError {
            throw FlowError.stageFailed(stage: stage, message: e.description)
        }
        let acceptance = ensemble.integrator.reportsAcceptance ? ensemble.acceptanceRates : nil
        if case .part? = context.shard {
            return try SimulationPart(trajectory: ensemble.trajectory(), acceptance: acceptance).write(to: context.output.root)
        }
        try write(ensemble.trajectory(), acceptance: acceptance, metadynamics: ensemble.metadynamics, system: system,
                  restraints: restraints, context: context)
    }

    /// The output from the frames of every walker (`acceptance`: MALA's per-walker rates), from
    /// one ensemble or gathered from the parts of a sharded run: the same datasets either way.
    static func write(_ t: EnsembleTrajectory, acceptance: [Double]?, metadynamics: WellTemperedMetadynamics?,
                      system: SimulationSystem, restraints: [RestraintSpec], context: StageContext) throws {
        let out = context.output.root
        try out.write(Output.x, matrix: t.x)
        try out.write(Output.time, vector: t.time)
        try out.write(Output.energy, vector: t.energy)
        try out.write(Output.bias, vector: t.bias)
        try out.write(Output.biasOffset, vector: t.offset)
        try out.write(Output.walker, integers: t.walker.map(Int64.init))
        // A moving restraint makes the run non-equilibrium: no reweighting weights (all 1), work instead.
        let steered = restraints.contains { $0.moves }
        if steered { context.log("moving restraint: /weights are 1 (non-equilibrium run); see /work") }
        let weights = steered ? t.bias.map { _ in 1.0 } : ReweightingWeights.weights(beta: system.beta, bias: t.bias, offset: t.offset)
        guard weights.allSatisfy({ $0.isFinite }) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "the reweighting weights overflowed; the bias grew beyond exp range (lower height or raise bias_temperature)")
        }
        try out.write(Output.weights, vector: weights)
        if steered { try out.write(Output.work, vector: t.work) }
        if let rates = acceptance {
            try out.write(Output.acceptance, vector: rates)
            context.log(String(format: "MALA acceptance: mean %.4f, min %.4f", rates.reduce(0, +) / Double(rates.count), rates.min() ?? 0))
            // Below 1 % the walkers barely move: the samples are correlated far beyond their count.
            let low = rates.enumerated().filter { $0.element < 0.01 }
            if !low.isEmpty {
                try context.warn(String(format: "MALA acceptance below 1%% for %d of %d walkers (lowest %.4f, walker %d); lower dt",
                                        low.count, rates.count, low.map(\.element).min()!, low.min { $0.element < $1.element }!.offset))
            }
        }
        if let m = metadynamics {
            let d = m.grid.rank
            try out.write(Output.hills, values: m.hills.flatMap { [$0.time, $0.height] + $0.center }, shape: [m.hills.count, 2 + d])
            try out.dataset(Output.hills.name).setAttribute("columns", .strings(["time", "height"] + m.cv.componentNames))
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
