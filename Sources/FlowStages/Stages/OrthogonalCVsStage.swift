import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowNN

/// `kind: orthogonal-cvs` — Step 4 of the CV-learning pipeline (DESIGN §6): CVs ξ: ℝᴰ → ℝᵈ whose
/// gradients are orthogonal to ∇V₁ = ∇ₓ ψ(f_e(x)), the direction off the data manifold, and
/// orthonormal, so that ξ parametrizes the manifold with the metric J_ξJ_ξᵀ ≈ I that effective
/// dynamics on ξ assume (Legoll & Lelièvre, "Effective dynamics using conditional expectations",
/// Nonlinearity 23 (2010); Yuan, Sule, Lam & Cameron, arXiv:2507.00408, 2025), trained jointly with
/// a mirrored decoder g: ξ ↦ f_e(x) (`OrthogonalCVLoss`):
///
///     θ1 · mean ‖J_ξ∇V₁‖ / (‖J_ξ‖_F ‖∇V₁‖)  (or its square)  +  θ2 · mean ‖J_ξJ_ξᵀ − I‖²_F
///   + θr · mean ‖(g(ξ(x)) − f_e(x)) / s‖²  +  θm · mean_i (ξ₁(p_i) − σ_i)²  +  weight decay,
///
/// with s the spread of each embedding component, p_i the images of an optional minimum-energy
/// path (input `mep`) and σ_i their arclength in the feature space (`PathArclength`).
///
/// Why the decoder: the first two terms leave ξ free among all orthonormal directions tangent to
/// the level sets of ψ∘f_e, D − 1 of them, most of which leave the data manifold (DESIGN §10);
/// reconstructing the embedding pins ξ to the manifold's coordinates. The reference code
/// (`main_CV.py`) has the decoder, but its reconstruction target is ψ(f_e(x)) broadcast over the
/// three decoder outputs, which is ≈ 0 on the data and so does not pin ξ; flow reconstructs
/// f_e(x), the target the method describes. Its weights are not transferable either (it sums the
/// orthogonality and orthonormality terms over the batch of 1024, uses ‖J Jᵀ − I‖_F unsquared and
/// the mean unsquared reconstruction norm with weight 1, and 10·‖ξ₁(p) − σ‖₂ with σ the Cartesian
/// arclength), so θr = 1 puts the reconstruction of the standardized embedding on the same footing
/// as the orthogonality cosine, and θm = 1 likewise. Neither `main_CV.py` nor the diffusion-net
/// script sets a weight decay (plain Adam), so `training.weight_decay` (the poster's θ3, the l2 term
/// (λ/2)Σ‖W‖² over ξ's and the decoder's weights) stays 0 by default.
///
/// Which Jacobian: the loss imposes J_ξJ_ξᵀ = I in the feature space, where ξ is defined and the
/// normals ∇V₁ = J_fᵀ∇ψ live; the Jacobian of the feature map (sorted coordination numbers for
/// LJ7) does not enter the training, so the loss stays a function of the features alone. Effective
/// dynamics needs ∂ξ/∂x = J_ξ(φ(x)) J_φ(x) in the system's coordinates, where ξ is not orthonormal:
/// with the input `configurations` (and the system) the stage reports both metrics, mean J Jᵀ in
/// feature space (`/feature_metric`) and in the system's coordinates (`/system_metric`).
enum OrthogonalCVsStage: StageKind {
    static let name = "orthogonal-cvs"
    static let version = 2
    static let summary = "CVs xi orthogonal to grad psi(f_e(x)), orthonormal, with a decoder to the embedding (Yuan-Sule-Lam-Cameron)"
    static let cpus = 2
    static let system = SystemRequirement.optional
    static let inputs = [
        InputSpec("data", help: "the samples: /x (the features the encoder was trained on); /source_index to match configurations"),
        InputSpec("encoder", help: "a diffusion-net output (/network: f_e)"),
        InputSpec("manifold", help: "a manifold output (/network: ψ on the encoder's embedding)"),
        InputSpec("configurations", required: false,
                  help: "the configurations the features were computed from (/x, a simulate output), for ∂ξ/∂x in the system's coordinates; needs the system when the feature map needs a particle layout"),
        InputSpec("mep", required: false,
                  help: "a minimum-energy path (/path, a string output, in configurations mapped through the data's feature map, or already in its features) for the θm term"),
    ]
    enum Output {
        static let network = SharedDatasets.network.documented("ξ; attributes feature_kind/feature_parameters record the data's feature map")
        static let decoder = OutputDataset.group("/decoder", when: "reconstruction > 0",
            "the mirrored decoder g: ξ ↦ f_e(x) (flow-mlp/1); attributes r2 (per embedding component)")
        static let cv = OutputDataset.float64("/cv", "rows × cvs", "the learned CVs ξ at every data row")
        static let normals = OutputDataset.float64("/normals", "rows × D", "∇V₁ = J_f(x)ᵀ ∇ψ(f_e(x)) at every data row")
        static let diagnostics = OutputDataset.float64("/diagnostics", "rows × 2",
            "per row: orthogonality cosine ‖J∇V₁‖/(‖J‖_F‖∇V₁‖) and ‖JJᵀ − I‖_F (attribute columns; means as attributes)")
        static let reconstruction = OutputDataset.float64("/reconstruction", "rows × m", when: "reconstruction > 0",
            "the decoder's reconstruction g(ξ(x)) of the embedding f_e(x) at every data row; attribute r2 per component")
        static let featureMetric = OutputDataset.float64("/feature_metric", "cvs × cvs",
            "mean J_ξJ_ξᵀ over the data rows, in the feature space the loss uses; attribute mean_deviation = mean ‖J_ξJ_ξᵀ − I‖_F")
        static let systemMetric = OutputDataset.float64("/system_metric", "cvs × cvs", when: "input configurations is connected",
            "mean ∂ξ/∂x (∂ξ/∂x)ᵀ in the system's coordinates, through the feature map; attributes mean_deviation, rows")
    }
    static let outputs = [Output.network, Output.decoder, Output.cv, Output.normals, Output.diagnostics, Output.reconstruction,
                          Output.featureMetric, Output.systemMetric] + LossHistoryLayout.standard.outputs

    enum Defaults: LearningDefaults {
        static let hidden = [45, 45]
        static let activation = Activation.elu
        static let requiresNonlinearNetwork = true
        static let epochs = 500
        static let batchSize = 1024
        static let learningRate = 1e-3
        static let weightDecayMode = WeightDecayMode.l2
    }

    enum Orthogonality: String, ParameterEnum {
        case cosine
        case squaredCosine = "squared-cosine"
    }

    struct Parameters: Decodable {
        var network: NetworkSpec<Defaults>
        var training: TrainingSpec<Defaults>
        var cvs: Int
        var theta1: Double
        var theta2: Double
        var reconstruction: Double
        var mep: Double
        var orthogonality: Orthogonality

        enum CodingKeys: String, CodingKey { case network, training, cvs, theta1, theta2, reconstruction, mep, orthogonality }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            network = try p.group(.network, help: "ξ architecture (inputs: the data's columns; outputs: cvs); the decoder mirrors it")
            training = try p.group(.training, help: "optimizer, epochs, minibatches, schedule, weight decay (θ3, over ξ and the decoder), validation, early stopping")
            cvs = try p(.cvs, default: 2, in: .atLeast(1), help: "number d of CVs")
            theta1 = try p(.theta1, default: 1, in: .nonNegative, help: "θ1, weight of the orthogonality term")
            theta2 = try p(.theta2, default: 0.2, in: .nonNegative, help: "θ2, weight of mean ‖J Jᵀ − I‖²_F")
            reconstruction = try p(.reconstruction, default: 1, in: .nonNegative,
                                   help: "θr, weight of the decoder's mean squared error on the standardized embedding f_e(x); 0: no decoder (ξ is then not pinned to the manifold's coordinates)")
            mep = try p(.mep, default: 1, in: .nonNegative,
                        help: "θm, weight of mean (ξ₁ − arclength)² on the images of input mep (used only when mep is connected)")
            orthogonality = try p(.orthogonality, default: .cosine,
                                  help: "cosine: ‖J∇V₁‖/(‖J‖_F‖∇V₁‖) (Yuan et al.); squared-cosine: its square, smooth where it vanishes")
            try p.check(theta1 > 0 || theta2 > 0, .theta1, "θ1 and θ2 cannot both be 0")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        func fail(_ m: String) -> FlowError { FlowError.stageFailed(stage: stage, message: m) }
        let data = try LearningInput("data", of: context, expected: "a features, simulate or load output")
        defer { data.close() }
        let encoderInput = try LearningInput("encoder", of: context, expected: "a diffusion-net output")
        defer { encoderInput.close() }
        let manifoldInput = try LearningInput("manifold", of: context, expected: "a manifold output")
        defer { manifoldInput.close() }
        let x = try data.matrix(SharedDatasets.x.name)
        guard p.cvs < x.cols else {
            throw fail("params.cvs is \(p.cvs) but the data has \(x.cols) columns; at most \(x.cols - 1) CVs can be orthogonal to ∇V₁")
        }
        let encoder = try encoderInput.network()
        let psi = try manifoldInput.network()
        guard encoder.inputDimension == x.cols else {
            throw fail("input 'encoder' takes \(encoder.inputDimension) inputs but input 'data' /x has \(x.cols) columns; connect the data the encoder was trained on")
        }
        guard psi.inputDimension == encoder.outputDimension, psi.outputDimension == 1 else {
            throw fail("input 'manifold' maps \(psi.inputDimension) → \(psi.outputDimension) but input 'encoder' has \(encoder.outputDimension) outputs; connect the manifold trained on this encoder's embedding")
        }
        let features = try FeatureMapInput(data: data, context: context)
        let path = try mepPath(p, inputs: x.cols, features: features, context: context)

        let normals = ManifoldNormal.gradients(psi: psi, encoder: encoder, at: x)
        let (usable, directions) = unitNormals(normals)
        guard !usable.isEmpty else { throw fail("∇ψ(f_e(x)) vanishes at every sample; the manifold function is flat (retrain it)") }
        if usable.count < x.rows { context.log("\(x.rows - usable.count) samples with ∇V₁ = 0 are left out of the training") }
        let inputs = Matrix(rows: usable.count, cols: x.cols, storage: usable.flatMap { x.row($0) })
        let embedding = encoder.values(x)
        let targets = Matrix(rows: usable.count, cols: embedding.cols, storage: usable.flatMap { embedding.row($0) })

        var rng = context.random("initialization")
        let xi = p.network.make(inputs: x.cols, outputs: p.cvs, rng: &rng)
        xi.inputNormalization = .standardizing(x)
        let decoder = p.reconstruction > 0 ? OrthogonalCVLoss.mirroredDecoder(of: xi, outputs: embedding.cols, rng: &rng) : nil
        decoder?.outputNormalization = Normalization.standardizing(targets)
        let scale = decoder?.outputNormalization.scale
        let loss = OrthogonalCVLoss(theta1: p.theta1, theta2: p.theta2, reconstruction: p.reconstruction,
                                    mep: path == nil ? 0 : p.mep, squaredCosine: p.orthogonality == .squaredCosine)
        let summary = try context.learning { session -> Summary in
            let phase = try p.training.phase("training", parameters: xi.parameters + (decoder?.parameters ?? []),
                                             samples: usable.count, seed: context.seed)
            try session.run(phase) { tape, batch in
                loss.terms(xi: xi, decoder: decoder, x: tape.constant(rowsOf: inputs, batch),
                           normals: tape.constant(rowsOf: directions, batch),
                           targets: decoder == nil ? nil : tape.constant(rowsOf: targets, batch), scale: scale, path: path)
            }
            let fit = Fit(xi: xi, decoder: decoder, embedding: embedding, x: x, normals: normals, usable: usable)
            return try writeOutputs(fit, trainer: phase.trainer, data: data, features: features, to: context.output.root)
        }
        context.log(summary.line)
    }

    /// The MEP term's path in the data's feature space with its arclength, or nil without input `mep`.
    static func mepPath(_ p: Parameters, inputs: Int, features: FeatureMapInput, context: StageContext) throws -> OrthogonalCVLoss.Path? {
        guard context.hasInput("mep") else { return nil }
        let input = try LearningInput("mep", of: context, expected: "a string output (/path)")
        defer { input.close() }
        let raw = try input.matrix("path")
        guard raw.rows >= 2 else { throw input.problem("has \(raw.rows) image in /path; a path needs at least 2") }
        guard let points = PathArclength.inInputSpace(raw, inputs: inputs, features: try features.map(required: raw.cols != inputs)) else {
            throw input.problem("/path has \(raw.cols) columns; give it in the data's \(inputs) features or in the configurations the data's feature map takes")
        }
        let sigma = PathArclength.arclength(points)
        context.log(String(format: "MEP term: %d images, arclength %.4g in feature space", points.rows, sigma.last!))
        return OrthogonalCVLoss.Path(points: points, arclength: sigma)
    }

    /// The rows where ∇V₁ is finite and non-zero, and ∇V₁/|∇V₁| there (the cosine form only needs
    /// directions; unit vectors keep the ratio well scaled where ψ is flat).
    static func unitNormals(_ normals: Matrix) -> (rows: [Int], directions: Matrix) {
        var rows: [Int] = [], unit: [Double] = []
        for i in 0..<normals.rows {
            let v = normals.row(i)
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0, norm.isFinite {
                rows.append(i)
                unit += v.map { $0 / norm }
            }
        }
        return (rows, Matrix(rows: rows.count, cols: normals.cols, storage: unit))
    }

    /// What the training produced, with the data it is evaluated on.
    struct Fit {
        let xi: MLP
        let decoder: MLP?
        let embedding: Matrix
        let x: Matrix
        let normals: Matrix
        let usable: [Int]
    }

    struct Summary {
        let line: String
    }

    /// Writes ξ (with the data's feature map), the decoder and its reconstruction, /cv, /normals,
    /// /diagnostics, both metrics and the loss history; returns the log line.
    static func writeOutputs(_ fit: Fit, trainer: Trainer, data: LearningInput, features: FeatureMapInput,
                             to out: HDF5Group) throws -> Summary {
        let xi = fit.xi, x = fit.x, d = xi.outputDimension
        let (cv, jacobians) = xi.valuesAndJacobians(x)
        let diagnostics = OrthogonalityDiagnostics.evaluate(jacobians: jacobians, outputs: d, normals: fit.normals)
        let network = try out.createGroup(Output.network)
        try xi.save(to: network)
        if let kind = data.rootString("kind"), let parameters = data.rootString("parameters") {
            try network.setAttribute("feature_kind", .string(kind))
            try network.setAttribute("feature_parameters", .string(parameters))
        }
        try out.write(Output.cv, matrix: cv)
        try out.write(Output.normals, matrix: fit.normals)
        var table = Matrix(rows: x.rows, cols: 2)
        for i in 0..<x.rows {
            table[i, 0] = diagnostics.cosine[i]
            table[i, 1] = diagnostics.deviation[i]
        }
        try out.write(Output.diagnostics, matrix: table)
        let cosines = fit.usable.map { diagnostics.cosine[$0] }
        let meanCosine = cosines.reduce(0, +) / Double(cosines.count)
        let meanDeviation = diagnostics.deviation.reduce(0, +) / Double(x.rows)
        let dataset = try out.dataset(Output.diagnostics.name)
        try dataset.setAttribute("columns", .strings(["orthogonality_cosine", "orthonormality_deviation"]))
        for holder in [dataset as HDF5AttributeHolder, out] {
            try holder.setAttribute("mean_orthogonality_cosine", .double(meanCosine))
            try holder.setAttribute("mean_orthonormality_deviation", .double(meanDeviation))
        }
        var line = String(format: "mean orthogonality cosine %.4f, mean ‖JJᵀ − I‖_F %.4f in feature space", meanCosine, meanDeviation)
        let featureMetric = CVMetric.summary(jacobians: jacobians, outputs: d)
        try out.write(Output.featureMetric, matrix: featureMetric.mean)
        try out.dataset(Output.featureMetric.name).setAttribute("mean_deviation", .double(featureMetric.deviation))
        if let rows = try features.configurationRows(count: x.rows) {
            let cvOfConfigurations = NetworkCV(network: xi, features: try features.map(required: true))
            let j = CVMetric.systemJacobians(cvOfConfigurations, at: rows)
            let metric = CVMetric.summary(jacobians: j, outputs: d)
            try out.write(Output.systemMetric, matrix: metric.mean)
            let set = try out.dataset(Output.systemMetric.name)
            try set.setAttribute("mean_deviation", .double(metric.deviation))
            try out.setAttribute("mean_system_orthonormality_deviation", .double(metric.deviation))
            line += String(format: "; mean ‖∂ξ/∂x (∂ξ/∂x)ᵀ − I‖_F %.4f in the system's coordinates, mean ∂ξ/∂x (∂ξ/∂x)ᵀ diagonal ", metric.deviation)
                + (0..<d).map { String(format: "%.4g", metric.mean[$0, $0]) }.joined(separator: ", ")
        }
        if let decoder = fit.decoder {
            let reconstructed = decoder.values(cv)
            let r2 = FitQuality.rSquared(predicted: reconstructed, targets: fit.embedding)
            let group = try out.createGroup(Output.decoder)
            try decoder.save(to: group)
            try group.setAttribute("r2", .doubles(r2))
            try out.write(Output.reconstruction, matrix: reconstructed)
            try out.dataset(Output.reconstruction.name).setAttribute("r2", .doubles(r2))
            try out.setAttribute("reconstruction_r2", .doubles(r2))
            line += "; reconstruction R² " + r2.map { String(format: "%.4f", $0) }.joined(separator: ", ")
        }
        try trainer.writeHistory(to: out)
        return Summary(line: line)
    }
}
