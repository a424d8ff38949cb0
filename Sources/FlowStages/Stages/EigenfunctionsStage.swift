import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN

/// `kind: eigenfunctions` — the K leading eigenfunctions of the generator of overdamped Langevin
/// dynamics, L = β⁻¹Δ − ∇V·∇, learned by neural networks from samples of μ ∝ e^{−βV} (Zhang, Li &
/// Schütte, J. Comput. Phys. 2022; DESIGN §6). Minimizes
///
///     Σᵢ ωᵢ β⁻¹ E|∇f_{σ(i)}|² / Var f_{σ(i)} + α Σ_{i≤j} (Cov(fᵢ, fⱼ) − δᵢⱼ)²
///
/// (`EigenfunctionLoss`) with expectations weighted by the samples' `/weights` when present. The
/// reported λᵢ = β⁻¹E|∇fᵢ|²/Var fᵢ are positive: λ = −(eigenvalue of L), 0 < λ₁ ≤ … ≤ λ_K (the
/// trivial constant eigenfunction, λ₀ = 0, is excluded by the variance normalization).
///
/// With `friction` γ the generator is that of the overdamped limit of Langevin dynamics with
/// masses, L = γ⁻¹(β⁻¹M⁻¹Δ − M⁻¹∇V·∇), and λ = β⁻¹E[∇f·M⁻¹∇f]/(γ Var f) in the system's
/// 1/time (`MassWeightedGenerator`): the time scales of a molecule's Cartesian coordinates
/// (aligned by a `features` chain), masses those of the charmm system's atoms.
enum EigenfunctionsStage: StageKind {
    static let name = "eigenfunctions"
    static let version = 1
    static let summary = "NN eigenfunctions of the overdamped Langevin generator (Zhang, Li & Schütte 2022)"
    static let system = SystemRequirement.optional
    /// One core: these networks are narrow, so a second BLAS thread gains little (it loses on a
    /// busy machine) and two training stages run side by side instead.
    static let cpus = 1
    static let inputs = [InputSpec("data", help: "samples of μ ∝ e^{−βV}: /x (n × D), optional /weights")]
    enum Output {
        static let network = SharedDatasets.network.documented("f₁…f_K as one network on raw coordinates, output k = eigenfunction of λ_k")
        static let eigenvalues = OutputDataset.float64("/eigenvalues", "epochs × K",
            "λ₁ ≤ … ≤ λ_K estimated on the epoch's batches (validation batches with a split)")
        static let eigenvaluesFinal = OutputDataset.float64("/eigenvalues_final", "K", units: "1/time",
            "λ = β⁻¹E|∇f|²/Var f of the final network on all samples, eigenvalues of −L in increasing order")
        static let values = OutputDataset.float64("/values", "n × K", "f_k at every sample (normalized to Cov ≈ I; the sign is arbitrary)")
        static let grid = SharedDatasets.grid
    }
    static let outputs = [Output.network, Output.eigenvalues, Output.eigenvaluesFinal, Output.values, Output.grid]
        + LossHistoryLayout.prefixed("loss").outputs

    typealias Defaults = EigenLearningDefaults

    enum NetworkLayout: String, ParameterEnum { case separate, shared }

    struct Parameters: Decodable {
        var count: Int
        var network: NetworkSpec<Defaults>
        var networks: NetworkLayout
        var weights: [Double]
        var penalty: Double
        var sort: Bool
        var beta: Double?
        var standardize: Bool
        var useWeights: Bool
        var gridPoints: Int
        var friction: Double?
        var masses: [Double]?
        var training: TrainingSpec<Defaults>

        enum CodingKeys: String, CodingKey {
            case count, network, networks, weights, penalty, sort, beta, standardize, training, friction, masses
            case useWeights = "use_weights"
            case gridPoints = "grid_points"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            count = try p(.count, default: 3, in: .atLeast(1), help: "K, the number of non-trivial eigenfunctions")
            network = try p.group(.network, help: "hidden layers of each network")
            networks = try p(.networks, default: .separate,
                             help: "separate: one scalar network per eigenfunction (Zhang's colvars-finder); shared: one network with K outputs")
            (weights, penalty, sort) = try p.eigenLoss(count: count, weights: .weights, penalty: .penalty, sort: .sort,
                                                       functions: "eigenfunctions")
            beta = try p.optional(.beta, unit: "1/energy", in: .positive, help: "β of the generator (default: the system's)")
            standardize = try p(.standardize, default: true, help: "standardize the inputs (mean 0, variance 1 per coordinate, stored in the network)")
            useWeights = try p(.useWeights, default: true, help: "weight expectations by the input's /weights when it has them")
            gridPoints = try p(.gridPoints, default: 101, in: .atLeast(2), help: "2-D data: grid nodes per axis for /grid")
            try p.checkAllocation(.gridPoints, [gridPoints, gridPoints], what: "grid_points × grid_points nodes", fix: "lower grid_points")
            friction = try p.optional(.friction, unit: "1/time (1/ps for charmm systems)", in: .positive,
                                      help: "γ: learn the generator of overdamped Langevin with friction γ and masses, L = γ⁻¹(β⁻¹M⁻¹Δ − M⁻¹∇V·∇), λ = β⁻¹E[∇f·M⁻¹∇f]/(γ Var f) in 1/time (charmm: 1/ps); default: the unit-mass generator β⁻¹Δ − ∇V·∇")
            masses = try p.optional(.masses, unit: "mass (amu for charmm)", help: "with friction: the mass of every input coordinate (default: a charmm system's atom masses, three coordinates per atom, for inputs of all its atoms' Cartesian coordinates)")
            try p.check(masses == nil || friction != nil, .masses, "masses enter only the friction generator; set friction: γ too or drop masses")
            try p.check(masses?.allSatisfy { $0 > 0 } ?? true, .masses, "masses must be positive")
            training = try p.group(.training, help: "optimizer, epochs, minibatches (see the training keys)")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let system = try context.system.map { try SystemFactory.simulationSystem(for: $0, stage: context.stageName) }
        let beta = try EigenLossSettings.beta(parameter: p.beta, system: system, stage: context.stageName)
        let input = try LearningInput.samples("data", of: context, useWeights: p.useWeights, system: system)
        let generator = try massWeighting(p, dimension: input.dimension, context: context)
        let samples = generator.map { SampleSet(x: $0.massWeighted(input.x), weights: input.weights) } ?? input
        if let generator { context.log(generator.description) }
        var rng = context.random("init")
        let model = EigenfunctionModel(count: p.count, inputs: samples.dimension, network: p.network,
                                       separate: p.networks == .separate,
                                       input: p.standardize ? .standardizing(samples.x) : .identity(samples.dimension), rng: &rng)
        context.log("\(p.count) eigenfunctions from \(samples.count) samples in \(samples.dimension)-D, β = \(beta)"
                    + (samples.weights == nil ? "" : ", weighted"))
        let training = EigenfunctionTraining(loss: EigenfunctionLoss(beta: generator?.effectiveBeta(beta) ?? beta, weights: p.weights,
                                                                     penalty: p.penalty, sortsByEigenvalue: p.sort),
                                             training: p.training, seed: context.seed)
        try context.learning { session in
            let result = try training.run(model, on: samples, session: session)
            generator?.takingCartesianInputs(result.network)
            try write(result, parameters: p, samples: input, system: system, beta: beta, generator: generator, to: context.output.root)
            context.log("eigenvalues " + result.eigenvalues.map { String(format: "%.5g", $0) }.joined(separator: ", "))
        }
    }

    /// Writes the network, the eigenvalues per epoch and final, the values at the samples, the
    /// loss history and, for 2-D data, the eigenfunctions on a grid.
    static func write(_ result: EigenfunctionTraining.Result, parameters p: Parameters, samples: SampleSet,
                      system: SimulationSystem?, beta: Double, generator: MassWeightedGenerator?, to out: HDF5Group) throws {
        try result.network.save(to: out.createGroup(Output.network))
        let epochs = result.eigenvaluesPerEpoch
        try out.write(Output.eigenvalues, values: epochs.flatMap { $0 }, shape: [epochs.count, p.count])
        try out.write(Output.eigenvaluesFinal, vector: result.eigenvalues)
        try out.write(Output.values, matrix: result.values)
        try result.history.write(to: out, layout: .prefixed("loss"))
        try PlaneGrid.writeIfPlanar(result.network, samples: samples.x, system: system, points: p.gridPoints,
                                    to: out, description: "eigenfunctions f_1…f_K")
        try out.setAttribute("beta", .double(beta))
        try out.setAttribute("sign_convention", .string("eigenvalues are λ > 0 with L f = −λ f, "
            + (generator.map { "L = γ⁻¹(β⁻¹M⁻¹Δ − M⁻¹∇V·∇), γ = \($0.friction), in 1/time" } ?? "L = β⁻¹Δ − ∇V·∇")))
    }

    /// The mass-weighted generator of `friction`, with the masses given or those of the charmm
    /// system's atoms; nil without friction.
    static func massWeighting(_ p: Parameters, dimension: Int, context: StageContext) throws -> MassWeightedGenerator? {
        guard let friction = p.friction else { return nil }
        let stage = context.stageName
        var masses = p.masses
        var unitFactor = 1.0
        if let definition = context.system, let sp = definition.parameters as? CharmmSystem.Parameters {
            let model = try CharmmSystem.model(sp, system: definition.name, stage: stage)
            masses = masses ?? model.molecule.coordinateMasses
            unitFactor = MDUnits.accelerationFactor
        }
        guard let masses else {
            throw FlowError.stageFailed(stage: stage, message: "params.friction needs masses: give params.masses (one per coordinate) or a charmm system")
        }
        guard masses.count == dimension else {
            throw FlowError.stageFailed(stage: stage, message: "params.friction: \(masses.count) masses (\(p.masses == nil ? "the system's atoms × 3" : "params.masses")) for inputs of \(dimension) coordinates; feed all atoms' Cartesian coordinates or give params.masses")
        }
        return MassWeightedGenerator(masses: masses, friction: friction, unitFactor: unitFactor)
    }
}
