import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowNN

/// `kind: manifold` — Step 3 of the CV-learning pipeline (DESIGN §6): a function ψ: ℝᵐ → ℝ that
/// vanishes on the embedded data and not around it, so that V₁ = ψ ∘ f_e has the direction off
/// the data manifold as its gradient (Yuan, Sule, Lam & Cameron, arXiv:2507.00408, 2025). Trained on
///
///     θ1 · mean_data ψ² + θ2 · mean_cloud 1/(ψ² + δ)
///
/// with the cloud drawn around the data (`SurroundingCloud`). Data and cloud points are shuffled
/// together; each minibatch estimates both means without bias (its data and cloud sums are scaled
/// by (n + c)/(n·|B|) and (n + c)/(c·|B|)), so the epoch averages in /loss are the two means exactly.
enum ManifoldStage: StageKind {
    static let name = "manifold"
    static let version = 1
    static let summary = "manifold function psi vanishing on the embedded data (theta1 mean psi^2 on data + theta2 mean 1/psi^2 on a cloud)"
    static let cpus = 2
    static let inputs = [InputSpec("embedding", help: "a diffusion-net output: /embedding (one embedded data point per row)")]
    enum Output {
        static let network = SharedDatasets.network.documented("ψ")
        static let psi = OutputDataset.float64("/psi", "rows", "ψ on every embedded data point (ideally 0); attribute mean_abs")
        static let cloud = OutputDataset.float64("/cloud", "count × m",
            "the surrounding points, uniform in the enlarged bounding box outside the exclusion radius (attribute exclusion_radius)")
        static let cloudPsi = OutputDataset.float64("/cloud_psi", "count", "ψ on the cloud (ideally far from 0); attributes mean, fraction_above_half")
    }
    static let outputs = [Output.network, Output.psi, Output.cloud, Output.cloudPsi] + LossHistoryLayout.standard.outputs

    enum Defaults: LearningDefaults {
        static let hidden = [45, 30]
        static let activation = Activation.tanh
        static let requiresNonlinearNetwork = true
        static let epochs = 1000
        static let batchSize = 256
        static let learningRate = 1e-3
        static let weightDecayMode = WeightDecayMode.l2
    }

    enum OutputActivation: String, ParameterEnum { case sigmoid, linear }

    struct Parameters: Decodable {
        var network: NetworkSpec<Defaults>
        var training: TrainingSpec<Defaults>
        var output: OutputActivation
        var theta1: Double
        var theta2: Double
        var delta: Double
        var cloud: CloudSpec

        enum CodingKeys: String, CodingKey { case network, training, output, theta1, theta2, delta, cloud }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            network = try p.group(.network, help: "ψ architecture (inputs: the embedding's components; one output)")
            training = try p.group(.training, help: "optimizer, epochs, minibatches, schedule, weight decay, validation, early stopping")
            output = try p(.output, default: .sigmoid, help: "activation of ψ's output: sigmoid (ψ in (0, 1), as Yuan et al.) or linear")
            theta1 = try p(.theta1, default: 1, in: .positive, help: "θ1, weight of mean ψ² over the data")
            theta2 = try p(.theta2, default: 0.002, in: .positive, help: "θ2, weight of mean 1/(ψ² + δ) over the cloud")
            delta = try p(.delta, default: 1e-8, in: .positive, help: "δ, keeps 1/(ψ² + δ) finite")
            cloud = try p.group(.cloud, help: "the surrounding point cloud")
        }
    }

    struct CloudSpec: Decodable {
        var count: Int
        var margin: Double
        var exclusionRadius: Double

        enum CodingKeys: String, CodingKey {
            case count, margin
            case exclusionRadius = "exclusion_radius"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            count = try p(.count, default: 5000, in: .atLeast(1), help: "number of cloud points")
            margin = try p(.margin, default: 0.1, in: .nonNegative,
                           help: "the cloud fills the data's bounding box enlarged by margin × its extent on every side")
            exclusionRadius = try p(.exclusionRadius, default: 0.03, in: .halfOpen(0, 1),
                                    help: "cloud points closer than this to a data point are rejected, as a fraction of the bounding box's diagonal")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let input = try LearningInput("embedding", of: context, expected: "a diffusion-net output")
        defer { input.close() }
        let z = try input.matrix("embedding")
        let region = SurroundingCloud(around: z, margin: p.cloud.margin, exclusion: p.cloud.exclusionRadius)
        var rng = context.random("cloud")
        let cloud: Matrix
        do {
            cloud = try region.sample(p.cloud.count, avoiding: z, rng: &rng)
        } catch let e as SurroundingCloud.Exhausted {
            throw FlowError.stageFailed(stage: context.stageName, message: e.description)
        }
        let n = z.rows, c = cloud.rows
        let points = Matrix(rows: n + c, cols: z.cols, storage: z.storage + cloud.storage)

        var weights = context.random("initialization")
        let psi = p.network.make(inputs: z.cols, outputs: 1, output: p.output == .sigmoid ? .sigmoid : .identity, rng: &weights)
        psi.inputNormalization = .standardizing(z)
        let total = Double(n + c)
        try context.learning { session in
            let phase = try p.training.phase("training", parameters: psi.parameters, samples: n + c, seed: context.seed)
            try session.run(phase) { tape, batch in
                let values = psi(tape.constant(rowsOf: points, batch))
                let isData = Matrix(rows: batch.count, cols: 1, storage: batch.map { $0 < n ? 1 : 0 })
                let isCloud = Matrix(rows: batch.count, cols: 1, storage: batch.map { $0 < n ? 0 : 1 })
                let squares = tape.square(values)
                let onData = tape.sum(squares * tape.constant(isData)) * (p.theta1 * total / (Double(n) * Double(batch.count)))
                let offData = tape.sum((1 / (squares + p.delta)) * tape.constant(isCloud)) * (p.theta2 * total / (Double(c) * Double(batch.count)))
                return [LossTerm("data", onData), LossTerm("cloud", offData)]
            }
            try writeOutputs(psi: psi, trainer: phase.trainer, z: z, cloud: cloud, region: region, context: context)
        }
    }

    /// Writes ψ, its values on the data and on the cloud (with summary attributes), the cloud
    /// and the loss history.
    static func writeOutputs(psi: MLP, trainer: Trainer, z: Matrix, cloud: Matrix, region: SurroundingCloud,
                             context: StageContext) throws {
        let n = z.rows, c = cloud.rows
        let onData = psi.values(z).storage
        let onCloud = psi.values(cloud).storage
        let out = context.output.root
        try psi.save(to: out.createGroup(Output.network))
        try out.write(Output.psi, vector: onData)
        let meanAbs = onData.reduce(0) { $0 + Swift.abs($1) } / Double(n)
        try out.dataset(Output.psi.name).setAttribute("mean_abs", .double(meanAbs))
        try out.write(Output.cloud, matrix: cloud)
        try out.dataset(Output.cloud.name).setAttribute("exclusion_radius", .double(region.radius))
        try out.write(Output.cloudPsi, vector: onCloud)
        let cloudMean = onCloud.reduce(0, +) / Double(c)
        let above = Double(onCloud.filter { Swift.abs($0) > 0.5 }.count) / Double(c)
        try out.dataset(Output.cloudPsi.name).setAttribute("mean", .double(cloudMean))
        try out.dataset(Output.cloudPsi.name).setAttribute("fraction_above_half", .double(above))
        try trainer.writeHistory(to: out)
        context.log(String(format: "mean |ψ| on the data %.3e, mean ψ on the cloud %.3f, |ψ| > 0.5 on %.1f%% of the cloud", meanAbs, cloudMean, 100 * above))
    }
}
