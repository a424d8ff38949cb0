import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN

/// `kind: autoencoder` — encoder ξ: ℝᴰ → ℝᵐ and decoder trained on
/// γ₁·E‖dec(ξ(x)) − x‖² + γ₂·R(ξ), R the eigenfunction loss of small networks gᵢ∘ξ on the latent
/// space (Lelièvre, Pigeon, Stoltz & Zhang, J. Phys. Chem. B 2024; W. Zhang's Müller–Brown
/// experiment, DESIGN §8.1). With γ₁ = 0 the decoder is fitted afterwards with ξ fixed
/// (`AutoencoderTraining`). For m = 1 the outputs show which transition path the decoder follows:
/// its curve over the latent range, the conditional means, its highest energy on the system's
/// potential and its distance to minimum-energy paths given as inputs `mep1`…`mep4`.
enum AutoencoderStage: StageKind {
    static let name = "autoencoder"
    static let version = 1
    static let summary = "autoencoder CV with optional eigenfunction regularization (Lelièvre, Pigeon, Stoltz & Zhang 2024)"
    static let system = SystemRequirement.optional
    /// One core, as `eigenfunctions`: two trainings side by side beat one with two threads.
    static let cpus = 1
    static let pathInputs = (1...4).map { "mep\($0)" }
    static let inputs = [InputSpec("data", help: "samples: /x (n × D), optional /weights")]
        + pathInputs.map { InputSpec($0, required: false, help: "a minimum-energy path (a string stage: /path) to measure the decoder curve against") }
    enum Output {
        static let encoder = OutputDataset.group("/encoder", "ξ: ℝᴰ → ℝᵐ (flow-mlp/1) on raw coordinates")
        static let decoder = OutputDataset.group("/decoder", "ℝᵐ → ℝᴰ (flow-mlp/1)")
        static let regularizer = OutputDataset.group("/regularizer", when: "γ2 > 0",
                                                     "g_1…g_K on the latent space as one network, by increasing eigenvalue")
        static let regularizerEigenvalues = OutputDataset.float64("/regularizer_eigenvalues", "K", units: "1/time", when: "γ2 > 0",
                                                                  "λ = β⁻¹E|∇(g∘ξ)|²/Var(g∘ξ) of g_i∘ξ on all samples, increasing")
        static let latent = OutputDataset.float64("/latent", "n × m", "ξ at every sample")
        static let decoderCurve = OutputDataset.float64("/decoder_curve", "nodes × D", when: "m = 1",
                                                        "dec(z) on /decoder_curve_latent, equally spaced over the latent range")
        static let decoderCurveLatent = OutputDataset.float64("/decoder_curve_latent", "nodes", when: "m = 1", "the latent values of /decoder_curve")
        static let conditionalMean = OutputDataset.float64("/conditional_mean", "bins × D", when: "m = 1",
                                                           "E[x | ξ(x) ∈ bin] of the non-empty equal-width bins")
        static let conditionalMeanLatent = OutputDataset.float64("/conditional_mean_latent", "bins", when: "m = 1", "bin centres of /conditional_mean")
        static let conditionalMeanCounts = OutputDataset.int64("/conditional_mean_counts", "bins", when: "m = 1", "samples per bin of /conditional_mean")
        static let maxEnergyPoint = OutputDataset.float64("/max_energy_point", "D", when: "m = 1 with a system",
                                                          "the decoder-curve node of highest energy")
        static let diagnostics = OutputDataset.float64("/diagnostics", "named values",
            "named values (attribute names): reconstruction_error; max_energy (highest V on the decoder curve between the latent values of the system's minima), max_energy_latent (system, m = 1); per path input: <input>_max_distance, <input>_mean_distance (from the path's images to the curve)")
        static let grid = SharedDatasets.grid
    }
    static let outputs = [Output.encoder, Output.decoder, Output.regularizer, Output.regularizerEigenvalues, Output.latent,
                          Output.decoderCurve, Output.decoderCurveLatent, Output.conditionalMean, Output.conditionalMeanLatent,
                          Output.conditionalMeanCounts, Output.maxEnergyPoint, Output.diagnostics, Output.grid]
        + LossHistoryLayout.prefixed("loss").outputs
        + LossHistoryLayout.prefixed("decoder_loss").outputs.map { $0.documented(when: "γ1 = 0 (decoder fitted afterwards)", $0.help) }

    typealias Defaults = EigenLearningDefaults

    struct Regularizer: Decodable {
        var count: Int
        var hidden: [Int]
        var activation: Activation
        var weights: [Double]
        var penalty: Double
        var sort: Bool

        enum CodingKeys: String, CodingKey { case count, hidden, activation, weights, penalty, sort }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            count = try p(.count, default: 1, in: .atLeast(1), help: "K, the number of eigenfunctions g_i∘ξ")
            hidden = try p(.hidden, default: [20], help: "hidden layers of each g_i: ℝᵐ → ℝ (a function of m variables needs few units)")
            activation = try p(.activation, default: .tanh, help: "activation of the hidden layers of the g_i")
            try p.check(hidden.allSatisfy { $0 >= 1 }, .hidden, "every hidden layer needs width ≥ 1")
            (weights, penalty, sort) = try p.eigenLoss(count: count, weights: .weights, penalty: .penalty, sort: .sort, functions: "g_i∘ξ")
        }
    }

    struct Parameters: Decodable {
        var latent: Int
        var encoder: NetworkSpec<Defaults>
        var decoder: NetworkSpec<Defaults>
        var gamma1: Double
        var gamma2: Double
        var regularizer: Regularizer
        var beta: Double?
        var standardize: Bool
        var useWeights: Bool
        var training: TrainingSpec<Defaults>
        var decoderEpochs: Int?
        var bins: Int
        var curvePoints: Int
        var gridPoints: Int

        enum CodingKeys: String, CodingKey {
            case latent, encoder, decoder, gamma1, gamma2, regularizer, beta, standardize, training, bins
            case useWeights = "use_weights"
            case decoderEpochs = "decoder_epochs"
            case curvePoints = "curve_points"
            case gridPoints = "grid_points"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            latent = try p(.latent, default: 1, in: .atLeast(1), help: "m, the latent dimension (the number of CVs)")
            encoder = try p.group(.encoder, help: "hidden layers of the encoder")
            self.decoder = try p.group(.decoder, help: "hidden layers of the decoder")
            gamma1 = try p(.gamma1, default: 1, in: .nonNegative, help: "γ1, weight of the reconstruction E‖dec(ξ(x)) − x‖²")
            gamma2 = try p(.gamma2, default: 0, in: .nonNegative, help: "γ2, weight of the eigenfunction regularizer R(ξ)")
            regularizer = try p.group(.regularizer, help: "R(ξ): the eigenfunction loss of g_i∘ξ (used when gamma2 > 0)")
            beta = try p.optional(.beta, unit: "1/energy", in: .positive, help: "β of R(ξ) (default: the system's)")
            standardize = try p(.standardize, default: true,
                                help: "standardize the coordinates (stored as the encoder's input and the decoder's output normalization)")
            useWeights = try p(.useWeights, default: true, help: "weight expectations by the input's /weights when it has them")
            training = try p.group(.training, help: "optimizer, epochs, minibatches (see the training keys)")
            decoderEpochs = try p.optional(.decoderEpochs, in: .atLeast(1), help: "γ1 = 0: epochs of the decoder fit (default training.epochs)")
            bins = try p(.bins, default: 50, in: .atLeast(1), help: "m = 1: equal-width latent bins of /conditional_mean")
            curvePoints = try p(.curvePoints, default: 400, in: .atLeast(2), help: "m = 1: nodes of /decoder_curve")
            gridPoints = try p(.gridPoints, default: 101, in: .atLeast(2), help: "2-D data: grid nodes per axis for /grid")
            try p.checkAllocation(.gridPoints, [gridPoints, gridPoints], what: "grid_points × grid_points nodes", fix: "lower grid_points")
            try p.check(gamma1 > 0 || gamma2 > 0, .gamma2, "gamma1 and gamma2 are both 0: nothing to train")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let system = try context.system.map { try SystemFactory.simulationSystem(for: $0, stage: context.stageName) }
        let samples = try LearningInput.samples("data", of: context, useWeights: p.useWeights, system: system)
        let paths = try pathInputs.filter(context.hasInput).map { ($0, try minimumEnergyPath($0, dimension: samples.dimension, in: context)) }
        let model = try makeModel(p, samples: samples, system: system, context: context)
        context.log("autoencoder \(model.encoder.sizes) → \(model.decoder.sizes), γ1 = \(p.gamma1), γ2 = \(p.gamma2), \(samples.count) samples")
        let training = AutoencoderTraining(training: p.training, decoderEpochs: p.decoderEpochs ?? p.training.epochs, seed: context.seed)
        try context.learning { session in
            let result = try training.run(model, on: samples, session: session)
            try write(model, result, parameters: p, samples: samples, system: system, paths: paths, context: context)
        }
    }

    /// Writes the networks, the regularizer's eigenvalues, the latent values, the loss histories,
    /// the diagnostics and, for 2-D data, the encoder on a grid.
    static func write(_ model: AutoencoderModel, _ result: AutoencoderTraining.Result, parameters p: Parameters,
                      samples: SampleSet, system: SimulationSystem?, paths: [(String, [[Double]])], context: StageContext) throws {
        let out = context.output.root
        try model.encoder.save(to: out.createGroup(Output.encoder))
        try model.decoder.save(to: out.createGroup(Output.decoder))
        if let (eigenvalues, order) = model.regularizerEigenvalues(samples.x, sampleWeights: samples.weights) {
            try MLP.stacking(order.map { model.regularizers[$0] }).save(to: out.createGroup(Output.regularizer))
            try out.write(Output.regularizerEigenvalues, vector: eigenvalues)
            context.log("regularizer eigenvalues " + eigenvalues.map { String(format: "%.5g", $0) }.joined(separator: ", "))
        }
        let latent = model.encoder.values(samples.x)
        try out.write(Output.latent, matrix: latent)
        try result.joint.write(to: out, layout: .prefixed("loss"))
        try result.decoder?.write(to: out, layout: .prefixed("decoder_loss"))
        let diagnostics = try AutoencoderDiagnostics.write(model: model, samples: samples, latent: latent, system: system,
                                                           paths: paths, parameters: p, to: out)
        context.log(diagnostics.map { "\($0.name) " + String(format: "%.5g", $0.value) }.joined(separator: ", "))
        try PlaneGrid.writeIfPlanar(model.encoder, samples: samples.x, system: system, points: p.gridPoints, to: out, description: "encoder ξ")
        try out.setAttribute("gamma1", .double(p.gamma1))
        try out.setAttribute("gamma2", .double(p.gamma2))
    }

    /// Fresh networks from the stage's seed: encoder, decoder, then the gᵢ.
    static func makeModel(_ p: Parameters, samples: SampleSet, system: SimulationSystem?, context: StageContext) throws -> AutoencoderModel {
        var rng = context.random("init")
        let d = samples.dimension
        let encoder = p.encoder.make(inputs: d, outputs: p.latent, rng: &rng)
        let decoder = p.decoder.make(inputs: p.latent, outputs: d, rng: &rng)
        if p.standardize {
            let scaling = Normalization.standardizing(samples.x)
            encoder.inputNormalization = scaling
            decoder.outputNormalization = scaling
        }
        guard p.gamma2 > 0 else {
            return AutoencoderModel(encoder: encoder, decoder: decoder, regularizers: [], reconstructionWeight: p.gamma1,
                                    regularizerWeight: 0, eigenfunctionLoss: nil)
        }
        let beta = try EigenLossSettings.beta(parameter: p.beta, system: system, stage: context.stageName)
        let r = p.regularizer
        let network = NetworkSpec<Defaults>(hidden: r.hidden, activation: r.activation)
        let gs = (0..<r.count).map { _ in network.make(inputs: p.latent, outputs: 1, rng: &rng) }
        return AutoencoderModel(encoder: encoder, decoder: decoder, regularizers: gs, reconstructionWeight: p.gamma1,
                                regularizerWeight: p.gamma2,
                                eigenfunctionLoss: EigenfunctionLoss(beta: beta, weights: r.weights, penalty: r.penalty, sortsByEigenvalue: r.sort))
    }

    /// The /path of a path input as its vertices, checked against the data's dimension.
    static func minimumEnergyPath(_ name: String, dimension: Int, in context: StageContext) throws -> [[Double]] {
        let input = try LearningInput(name, of: context, expected: "a string stage")
        defer { input.close() }
        let path = try input.matrix("path")
        guard path.rows >= 2, path.cols == dimension else {
            throw input.problem("/path has \(path.rows) × \(path.cols) values, expected images × \(dimension) like the data (at least 2 images)")
        }
        return (0..<path.rows).map { path.row($0) }
    }
}
