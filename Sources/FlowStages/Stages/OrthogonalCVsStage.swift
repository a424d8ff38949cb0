import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowNN

/// `kind: orthogonal-cvs` — Step 4 of the CV-learning pipeline (DESIGN §6): CVs ξ: ℝᴰ → ℝᵈ whose
/// gradients are orthogonal to ∇V₁ = ∇ₓ ψ(f_e(x)), the direction off the data manifold, and
/// orthonormal, so that ξ parametrizes the manifold with the metric J_ξJ_ξᵀ ≈ I that effective
/// dynamics on ξ assume (Legoll & Lelièvre, "Effective dynamics using conditional expectations",
/// Nonlinearity 23 (2010); Yuan, Sule, Lam & Cameron, arXiv:2507.00408, 2025). The loss is
///
///     θ1 · mean ‖J_ξ∇V₁‖ / (‖J_ξ‖_F ‖∇V₁‖)  (or its square)  +  θ2 · mean ‖J_ξJ_ξᵀ − I‖²_F  +  θ3 weight decay,
///
/// with θ3 = training.weight_decay. The normalized (cosine) form does not care about the size of
/// ∇V₁, which is small where ψ is flat.
enum OrthogonalCVsStage: StageKind {
    static let name = "orthogonal-cvs"
    static let version = 1
    static let summary = "CVs xi with gradients orthogonal to grad psi(f_e(x)) and orthonormal (Yuan-Sule-Lam-Cameron)"
    static let cpus = 2
    static let inputs = [
        InputSpec("data", help: "the samples: /x (the features the encoder was trained on)"),
        InputSpec("encoder", help: "a diffusion-net output (/network: f_e)"),
        InputSpec("manifold", help: "a manifold output (/network: ψ on the encoder's embedding)"),
    ]
    enum Output {
        static let network = SharedDatasets.network.documented("ξ; attributes feature_kind/feature_parameters record the data's feature map")
        static let cv = OutputDataset.float64("/cv", "rows × cvs", "the learned CVs ξ at every data row")
        static let normals = OutputDataset.float64("/normals", "rows × D", "∇V₁ = J_f(x)ᵀ ∇ψ(f_e(x)) at every data row")
        static let diagnostics = OutputDataset.float64("/diagnostics", "rows × 2",
            "per row: orthogonality cosine ‖J∇V₁‖/(‖J‖_F‖∇V₁‖) and ‖JJᵀ − I‖_F (attribute columns; means as attributes)")
    }
    static let outputs = [Output.network, Output.cv, Output.normals, Output.diagnostics] + LossHistoryLayout.standard.outputs

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
        var orthogonality: Orthogonality

        enum CodingKeys: String, CodingKey { case network, training, cvs, theta1, theta2, orthogonality }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            network = try p.group(.network, help: "ξ architecture (inputs: the data's columns; outputs: cvs)")
            training = try p.group(.training, help: "optimizer, epochs, minibatches, schedule, weight decay (θ3), validation, early stopping")
            cvs = try p(.cvs, default: 2, in: .atLeast(1), help: "number d of CVs")
            theta1 = try p(.theta1, default: 1, in: .nonNegative, help: "θ1, weight of the orthogonality term")
            theta2 = try p(.theta2, default: 0.2, in: .nonNegative, help: "θ2, weight of mean ‖J Jᵀ − I‖²_F")
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

        let normals = ManifoldNormal.gradients(psi: psi, encoder: encoder, at: x)
        let (usable, directions) = unitNormals(normals)
        guard !usable.isEmpty else { throw fail("∇ψ(f_e(x)) vanishes at every sample; the manifold function is flat (retrain it)") }
        if usable.count < x.rows { context.log("\(x.rows - usable.count) samples with ∇V₁ = 0 are left out of the training") }
        let inputs = Matrix(rows: usable.count, cols: x.cols, storage: usable.flatMap { x.row($0) })

        var rng = context.random("initialization")
        let xi = p.network.make(inputs: x.cols, outputs: p.cvs, rng: &rng)
        xi.inputNormalization = .standardizing(x)
        let d = p.cvs
        let (meanCosine, meanDeviation) = try context.learning { session -> (Double, Double) in
            let phase = try p.training.phase("training", parameters: xi.parameters, samples: usable.count, seed: context.seed)
            try session.run(phase) { tape, batch in
                let (_, j) = xi.jacobian(tape.constant(rowsOf: inputs, batch))
                var terms: [LossTerm] = []
                if p.theta1 > 0 {
                    let o = JacobianLoss.orthogonality(j, normals: tape.constant(rowsOf: directions, batch), outputs: d,
                                                       squared: p.orthogonality == .squaredCosine)
                    terms.append(LossTerm("orthogonality", o * p.theta1))
                }
                if p.theta2 > 0 { terms.append(LossTerm("orthonormality", JacobianLoss.orthonormality(j, outputs: d) * p.theta2)) }
                return terms
            }
            return try writeOutputs(xi: xi, trainer: phase.trainer, x: x, normals: normals, usable: usable,
                                    data: data, to: context.output.root)
        }
        context.log(String(format: "mean orthogonality cosine %.4f, mean ‖JJᵀ − I‖_F %.4f", meanCosine, meanDeviation))
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

    /// Writes ξ (with the data's feature map), /cv, /normals, /diagnostics and the loss history;
    /// returns the mean orthogonality cosine (over rows with ∇V₁ ≠ 0) and mean ‖JJᵀ − I‖_F.
    static func writeOutputs(xi: MLP, trainer: Trainer, x: Matrix, normals: Matrix, usable: [Int],
                             data: LearningInput, to out: HDF5Group) throws -> (Double, Double) {
        let (cv, jacobians) = xi.valuesAndJacobians(x)
        let diagnostics = OrthogonalityDiagnostics.evaluate(jacobians: jacobians, outputs: xi.outputDimension, normals: normals)
        let network = try out.createGroup(Output.network)
        try xi.save(to: network)
        if let kind = data.rootString("kind"), let parameters = data.rootString("parameters") {
            try network.setAttribute("feature_kind", .string(kind))
            try network.setAttribute("feature_parameters", .string(parameters))
        }
        try out.write(Output.cv, matrix: cv)
        try out.write(Output.normals, matrix: normals)
        var table = Matrix(rows: x.rows, cols: 2)
        for i in 0..<x.rows {
            table[i, 0] = diagnostics.cosine[i]
            table[i, 1] = diagnostics.deviation[i]
        }
        try out.write(Output.diagnostics, matrix: table)
        let cosines = usable.map { diagnostics.cosine[$0] }
        let meanCosine = cosines.reduce(0, +) / Double(cosines.count)
        let meanDeviation = diagnostics.deviation.reduce(0, +) / Double(x.rows)
        let dataset = try out.dataset(Output.diagnostics.name)
        try dataset.setAttribute("columns", .strings(["orthogonality_cosine", "orthonormality_deviation"]))
        for holder in [dataset as HDF5AttributeHolder, out] {
            try holder.setAttribute("mean_orthogonality_cosine", .double(meanCosine))
            try holder.setAttribute("mean_orthonormality_deviation", .double(meanDeviation))
        }
        try trainer.writeHistory(to: out)
        return (meanCosine, meanDeviation)
    }
}
