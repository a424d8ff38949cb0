import Foundation
import FlowCore
import FlowAnalysis
import FlowHDF5
import FlowLinalg
import FlowNN

/// `kind: diffusion-net` — Step 2 of the CV-learning pipeline (DESIGN §6): an encoder MLP
/// x ↦ Ψ(x) fit to diffusion-map coordinates, so that the embedding extends to any point
/// (Mishne, Shaham, Cloninger & Cohen, "Diffusion nets", ACHA 2019), with weight decay and the
/// optional eigen-constraint term of that paper (`EigenConstraint`). The fidelity loss is taken
/// on standardized coordinates, so every component weighs the same whatever its scale.
enum DiffusionNetStage: StageKind {
    static let name = "diffusion-net"
    static let version = 2
    static let summary = "encoder MLP fit to diffusion-map coordinates (Mishne et al. diffusion nets), optional eigen-constraint"
    static let cpus = 2
    static let inputs = [
        InputSpec("data", help: "the points the diffusion map was computed on: /x (features); /source_index to match rows; /weights (reweighting) for the eigen-constraint's target measure"),
        InputSpec("embedding", help: "a diffusion-map output: /eigenvectors (rows = data rows or matched by /source_index), /eigenvalues, /epsilon"),
    ]
    enum Output {
        static let network = SharedDatasets.network.documented("the encoder")
        static let embedding = OutputDataset.float64("/embedding", "rows × components",
            "the encoder applied to every row of /x of the data; columns are the fitted components (attributes components, r2, validation_r2)")
        static let target = OutputDataset.float64("/target", "matched × components", "the fitted diffusion-map coordinates of the matched rows (fewer than the data's rows when the map is on a subset or a δ-net)")
        static let targetRow = OutputDataset.int64("/target_row", "matched", "row of the data each target row belongs to")
        static let eigenvalues = OutputDataset.float64("/eigenvalues", "components", when: "the embedding has eigenvalues",
                                                       "the diffusion-map eigenvalues of the fitted components")
    }
    static let outputs = [Output.network, Output.embedding, Output.target, Output.targetRow, Output.eigenvalues]
        + LossHistoryLayout.standard.outputs

    enum Defaults: LearningDefaults {
        static let hidden = [45, 30, 25]
        static let activation = Activation.elu
        static let requiresNonlinearNetwork = true
        static let epochs = 1000
        static let batchSize = 128
        static let learningRate = 5e-3
        static let weightDecayMode = WeightDecayMode.l2
    }

    enum Targets: String, ParameterEnum {
        case eigenvectors
        case diffusionCoordinates = "diffusion-coordinates"
    }

    enum Fidelity: String, ParameterEnum { case mse, l1 }

    struct Parameters: Decodable {
        var network: NetworkSpec<Defaults>
        var training: TrainingSpec<Defaults>
        var components: [Int]?
        var targets: Targets
        var loss: Fidelity
        var eigenConstraint: EigenConstraintSpec?

        enum CodingKeys: String, CodingKey {
            case network, training, components, targets, loss
            case eigenConstraint = "eigen_constraint"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            network = try p.group(.network, help: "encoder architecture (inputs: the data's columns; outputs: the components)")
            training = try p.group(.training, help: "optimizer, epochs, minibatches, schedule, weight decay, validation, early stopping")
            components = try p.optional(.components, help: "which non-trivial eigenvectors to fit, 1-based (1 = the slowest); default all")
            targets = try p(.targets, default: .eigenvectors,
                            help: "eigenvectors: φ_l as computed (Yuan et al. 2025); diffusion-coordinates: λ_l φ_l (Mishne et al. 2019)")
            loss = try p(.loss, default: .mse, help: "fidelity: mse (mean squared) or l1 (mean absolute) error of the standardized coordinates")
            eigenConstraint = try p.optionalGroup(.eigenConstraint, help: "Mishne et al.'s eigen-constraint: the outputs should satisfy (P − λ_l I) o_l = 0 on the training points")
            try p.check(components.map { !$0.isEmpty && $0.allSatisfy { $0 >= 1 } && Set($0).count == $0.count } ?? true,
                        .components, "components are distinct 1-based indices of non-trivial eigenvectors")
        }
    }

    struct EigenConstraintSpec: Decodable {
        var weight: Double
        var neighbors: Int
        var epsilon: Double?

        enum CodingKeys: String, CodingKey { case weight, neighbors, epsilon }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            weight = try p(.weight, default: 1, in: .positive, help: "η, the weight of the term relative to the fidelity")
            neighbors = try p(.neighbors, default: 16, in: .atLeast(2), help: "nearest neighbours per point in the operator's kernel")
            epsilon = try p.optional(.epsilon, unit: "feature length²", in: .positive,
                                     help: "kernel bandwidth ε of exp(−|x − y|²/ε); default: the embedding's /epsilon")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        func fail(_ m: String) -> FlowError { FlowError.stageFailed(stage: stage, message: m) }
        let data = try LearningInput("data", of: context, expected: "a features, simulate or load output")
        defer { data.close() }
        let embedding = try LearningInput("embedding", of: context, expected: "a diffusion-map output")
        defer { embedding.close() }
        let x = try data.matrix(SharedDatasets.x.name)
        let vectors = try embedding.matrix("eigenvectors")
        let available = vectors.cols
        let chosen = p.components ?? Array(1...available)
        if let worst = chosen.max(), worst > available {
            throw fail("input 'embedding' has \(available) components, params.components asks for \(worst)")
        }
        let rows: [Int]
        switch RowAlignment.dataRows(embeddingRows: vectors.rows, embeddingSource: try embedding.sourceIndex(),
                                     dataRows: x.rows, dataSource: try data.sourceIndex()) {
        case .success(let r): rows = r
        case .failure(let f): throw fail(f.description)
        }
        let eigenvalues = try markovEigenvalues(embedding, components: available)
        if p.targets == .diffusionCoordinates, eigenvalues == nil {
            throw fail("params.targets: diffusion-coordinates needs /eigenvalues in input 'embedding'")
        }
        var targets = Matrix(rows: rows.count, cols: chosen.count)
        for i in 0..<rows.count {
            for (l, c) in chosen.enumerated() {
                targets[i, l] = vectors[i, c - 1] * (p.targets == .diffusionCoordinates ? eigenvalues![c - 1] : 1)
            }
        }
        let inputs = Matrix(rows: rows.count, cols: x.cols, storage: rows.flatMap { x.row($0) })
        // A map on a δ-net carries the reweighting mass each representative covers (/mass), not the
        // representative's own weight.
        let weights = try embedding.vector(DiffusionMapStage.Output.mass.name, count: rows.count)
            ?? data.vector(SharedDatasets.weights.name, count: x.rows).map { w in rows.map { w[$0] } }
        let constraint = try p.eigenConstraint.map {
            try makeConstraint($0, points: inputs, targets: targets, weights: weights, embedding: embedding, context: context)
        }

        var rng = context.random("initialization")
        let encoder = p.network.make(inputs: x.cols, outputs: chosen.count, rng: &rng)
        encoder.inputNormalization = .standardizing(x)
        encoder.outputNormalization = .standardizing(targets)
        let inverseScale = Matrix(rows: 1, cols: chosen.count, storage: encoder.outputNormalization.scale.map { 1 / $0 })
        let r2 = try context.learning { session -> [Double] in
            let phase = try p.training.phase("training", parameters: encoder.parameters, samples: rows.count, seed: context.seed)
            try session.run(phase) { tape, batch in
                let hood = constraint?.neighbourhood(of: batch)
                let all = encoder(tape.constant(rowsOf: inputs, hood?.rows ?? batch))
                let predicted = hood == nil ? all : tape.sliceRows(all, 0..<batch.count)
                let error = (predicted - tape.constant(rowsOf: targets, batch)) * tape.constant(inverseScale)
                let fidelity = p.loss == .mse ? tape.mean(tape.square(error)) : tape.mean(tape.abs(error))
                var terms = [LossTerm("fidelity", fidelity)]
                if let constraint, let hood { terms.append(constraint.term(outputs: all, on: hood)) }
                return terms
            }
            return try writeOutputs(encoder: encoder, trainer: phase.trainer, x: x, rows: rows, targets: targets, chosen: chosen,
                                    parameters: p, eigenvalues: eigenvalues, constraint: constraint, to: context.output.root)
        }
        context.log("R² per component: " + r2.map { String(format: "%.4f", $0) }.joined(separator: ", "))
    }

    /// Writes the network, the embedding of every data row with R² per component (returned), the
    /// targets, the eigenvalues, the constraint's diagnostics and the loss history.
    static func writeOutputs(encoder: MLP, trainer: Trainer, x: Matrix, rows: [Int], targets: Matrix, chosen: [Int],
                             parameters p: Parameters, eigenvalues: [Double]?, constraint: EigenConstraint?,
                             to out: HDF5Group) throws -> [Double] {
        let predictedAll = encoder.values(x)
        let predictedTargets = Matrix(rows: rows.count, cols: chosen.count, storage: rows.flatMap { predictedAll.row($0) })
        let r2 = FitQuality.rSquared(predicted: predictedTargets, targets: targets)
        try encoder.save(to: out.createGroup(Output.network))
        try out.write(Output.embedding, matrix: predictedAll)
        let e = try out.dataset(Output.embedding.name)
        try e.setAttribute("components", .ints(chosen.map(Int64.init)))
        try e.setAttribute("r2", .doubles(r2))
        try out.setAttribute("r2", .doubles(r2))
        if !trainer.validationIndices.isEmpty {
            let held = FitQuality.rSquared(predicted: predictedTargets, targets: targets, rows: trainer.validationIndices)
            try e.setAttribute("validation_r2", .doubles(held))
            try out.setAttribute("validation_r2", .doubles(held))
        }
        try out.write(Output.target, matrix: targets)
        try out.dataset(Output.target.name).setAttribute("targets", .string(p.targets.rawValue))
        try out.write(Output.targetRow, integers: rows.map(Int64.init))
        if let eigenvalues {
            try out.write(Output.eigenvalues, vector: chosen.map { eigenvalues[$0 - 1] })
        }
        if let constraint {
            try out.setAttribute("eigen_constraint_eigenvalues", .doubles(constraint.eigenvalues))
            try out.setAttribute("eigen_constraint_residuals", .doubles(constraint.residuals))
        }
        try trainer.writeHistory(to: out)
        return r2
    }

    /// The Markov eigenvalues of the embedding's columns (a leading trivial 1 is dropped), or nil.
    static func markovEigenvalues(_ embedding: LearningInput, components: Int) throws -> [Double]? {
        guard embedding.has(DiffusionMapStage.Output.eigenvalues.name) else { return nil }
        let values = try embedding.file.root.readVector(DiffusionMapStage.Output.eigenvalues)
        if values.count == components { return values }
        if values.count == components + 1 { return Array(values.dropFirst()) }
        throw embedding.fail("input 'embedding' has \(values.count) eigenvalues for \(components) eigenvectors")
    }

    /// The constraint on the training points. The operator is the diffusion map's
    /// (`DiffusionOperator`): the embedding's ε (its exp(−d²/(4ερρ)) convention;
    /// `params.eigen_constraint.epsilon` is in the exp(−d²/ε) convention its help states, so it is
    /// divided by 4), its /bandwidth ρ, its `neighbors` and `dimension`, and the TMDmap target the
    /// map recorded in /log_target, whatever it was (system, energy, weights, or a δ-net's covered
    /// mass or kernel density). An embedding without /log_target (a file, an α-normalized map) gets
    /// the target π = sampling density × `weights` (`.reweighted`), where `weights` are the data's
    /// reweighting weights of those points, or the mass each representative covers.
    static func makeConstraint(_ spec: EigenConstraintSpec, points: Matrix, targets: Matrix, weights: [Double]?,
                               embedding: LearningInput, context: StageContext) throws -> EigenConstraint {
        let root = embedding.file.root
        let epsilon: Double
        if let e = spec.epsilon {
            epsilon = e / 4
        } else if embedding.has(DiffusionMapStage.Output.epsilon.name), let e = try root.readVector(DiffusionMapStage.Output.epsilon).first {
            epsilon = e
        } else {
            throw embedding.fail("params.eigen_constraint.epsilon: input 'embedding' has no /epsilon; give the kernel bandwidth")
        }
        if let w = weights, let bad = w.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw embedding.fail("params.eigen_constraint: input 'data' /weights must be positive and finite (row \(bad) is \(w[bad]))")
        }
        let rho = embedding.has(DiffusionMapStage.Output.bandwidth.name) ? try root.readVector(DiffusionMapStage.Output.bandwidth) : nil
        if let rho, rho.count != points.rows {
            throw embedding.fail("params.eigen_constraint: input 'embedding' /bandwidth has \(rho.count) values for \(points.rows) matched rows")
        }
        let neighbors = try intAttribute("neighbors", of: root) ?? spec.neighbors
        let dimension = try intAttribute("dimension", of: root) ?? 1
        context.log("eigen-constraint: the diffusion map's operator on \(points.rows) points (ε = \(epsilon) in exp(−d²/(4ερρ)), \(neighbors) neighbours, " + (rho == nil ? "ρ ≡ 1)" : "the map's variable bandwidth)"))
        let method = try DiffusionMapStage.recordedTarget(in: embedding, rows: points.rows)
            ?? .reweighted(logWeights: weights?.map { log($0) } ?? [Double](repeating: 0, count: points.rows))
        let op = try DiffusionOperator(points: points, epsilon: epsilon, bandwidth: rho, neighbors: neighbors,
                                       method: method, dimension: dimension, monitor: context.monitor)
        let constraint = EigenConstraint(markov: op, targets: targets, weight: spec.weight)
        context.log("eigen-constraint: λ of the targets under P " + constraint.eigenvalues.map { String(format: "%.6f", $0) }.joined(separator: ", ")
                    + "; relative residuals " + constraint.residuals.map { String(format: "%.2e", $0) }.joined(separator: ", "))
        return constraint
    }

    static func intAttribute(_ name: String, of group: HDF5Group) throws -> Int? {
        guard case .int(let v)? = try? group.attribute(name) else { return nil }
        return Int(v)
    }
}
