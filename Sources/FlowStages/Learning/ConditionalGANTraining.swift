import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN

/// Real frames for the cGAN: coordinates (Å), each frame's normalized time t ∈ [0, 1] within its
/// replica, and its frame number within the replica (pretraining uses the first few).
struct CGANData {
    let x: Matrix
    let times: [Double]
    let frameIndex: [Int]
}

/// Everything the cGAN schedule needs, with Cava et al.'s values as the stage's defaults.
struct CGANSchedule {
    struct Pretraining {
        var epochs: Int
        var learningRate: Double
        var frames: Int
        var batchSize: Int
        /// Groups of the energy the pretraining anneals to (the paper: bond, angle, dihedral).
        var groups: [EnergyGroup]
        var reconstruction: Reconstruction = .torsions
        /// The pretraining loss is α·E/`energyUnit` + (1 − α)·reconstruction/`reconstructionUnit`
        /// (both 1 in the paper, which adds kcal/mol to rad²).
        var energyUnit = 1.0
        var reconstructionUnit = 1.0
    }
    /// How the pretraining compares a generated frame with the real frame at the same t.
    enum Reconstruction: String, ParameterEnum { case torsions, aligned }
    /// paper: the pretraining's terms in their own units; thermal: each over its value for MD frames.
    enum LossUnits: String, ParameterEnum { case paper, thermal }
    struct Adversarial {
        var epochs: Int
        var generatorRate: Double
        var discriminatorRate: Double
        var batchSize: Int
        var potentialSteps: Int
        var generatorSteps: Int
        var discriminatorSteps: Int
    }
    enum TermSchedule: String, ParameterEnum { case none, staged }

    var pretraining: Pretraining
    var adversarial: Adversarial
    /// λ of λ·Σ_g w_g E_g in the potential steps, and w_g per group.
    var energyWeight: Double
    var groupWeights: [EnergyGroup: Double]
    var termSchedule: TermSchedule
    var biasWeight: Double
    var gradientClip: Double?
    /// When given, the potential steps penalize only max(0, Σ_g w_g (E_g − Ē_g(t))), with Ē_g(t)
    /// the training frames' mean group energies at time t.
    var energyReference: TimeProfile? = nil
    /// Whether the excess over `energyReference` is penalized per frame (true) or as the batch's
    /// mean excess, max(0, mean_s Σ_g w_g (E_sg − Ē_g(t_s))).
    var energyReferencePerFrame = true
    /// When given, every generator update of the adversarial phase (generator and potential steps)
    /// adds `mmdWeight` × the conditional MMD² of the batch's generated frames against its real ones.
    var mmd: ConditionalMMD? = nil
    var mmdWeight = 0.0

    /// w_g at adversarial epoch `epoch` (0-based): with `staged`, bonds from the start, angles and
    /// Urey–Bradley from E/4, dihedrals, impropers and CMAP from E/2, non-bonded from 3E/4.
    func weight(_ g: EnergyGroup, epoch: Int) -> Double {
        let w = groupWeights[g] ?? 1
        guard termSchedule == .staged else { return w }
        let quarter: Int
        switch g {
        case .bond: quarter = 0
        case .angle, .ureyBradley: quarter = 1
        case .dihedral, .improper, .cmap: quarter = 2
        case .nonbonded: quarter = 3
        }
        return 4 * epoch >= quarter * adversarial.epochs ? w : 0
    }
}

/// A step whose loss or gradient is not finite (DESIGN §9: stop and say where).
struct CGANDiverged: Error, CustomStringConvertible {
    let phase: String, epoch: Int, batch: Int, step: String, quantity: String
    var description: String {
        "\(phase) epoch \(epoch), batch \(batch): the \(step) step's \(quantity) is not finite"
    }
}

/// The training of Cava et al.'s cGAN:
///
/// 1. Pretraining (the generator alone, on the first `frames` frames of every replica, Adam):
///    L = α Σ_{g ∈ groups} E_g(G(t, z)) / E₀ + (1 − α) R(G(t, z), x_t) / R₀, α = epoch/epochs,
///    annealing from reconstruction to bonded energies. The paper: R = MSE(τ(G), τ(x_t)) of the
///    torsion features and E₀ = R₀ = 1; flow's options: R = MSD after superposition
///    (`AlignedDeviationOp`), and E₀, R₀ the terms' values for thermal MD frames, so that neither
///    term outweighs the other by its units.
/// 2. Adversarial epochs over all frames in minibatches: per batch `generatorSteps` generator steps
///    (BCE of D on fakes labelled real), `discriminatorSteps` discriminator steps (real vs fakes),
///    then `potentialSteps` "potential" steps of the generator on
///    λ Σ_g w_g E_g(G(t, z)) + κ ½k(c(t) − |r_a − r_b|)², at the batch's times with fresh noise.
///    With `mmd`, both kinds of generator step add μ·MMD²(real batch, generated batch) (flow's
///    option against the collapse of the paper's generator; μ = 0 is the paper).
///
/// Every step clips the global gradient norm (`gradientClip`). Noise and shuffling come from
/// streams indexed by phase, epoch, batch and step, so a run resumed from a checkpoint (written
/// after any epoch) ends with the same bits.
final class CGANTraining {
    let gan: ConditionalGAN
    let energy: ForceFieldEnergyOp
    let bias: DistanceSpringOp
    let schedule: CGANSchedule
    let seed: UInt64
    let monitor: WorkMonitor

    /// One row per optimizer step group: epoch (global, 1-based), phase (0 pretraining,
    /// 1 adversarial), generator loss, discriminator loss, weighted energy, bias, MMD² (of the last
    /// generator update of the batch; 0 without the term).
    private(set) var losses: [[Double]] = []
    static let lossColumns = ["epoch", "phase", "generator", "discriminator", "energy", "bias", "mmd"]

    private let pretrainingAdam: Adam
    private let generatorAdam: Adam
    private let discriminatorAdam: Adam
    private var pretrainingDone = 0
    private var adversarialDone = 0
    private let tape = Tape()

    init(gan: ConditionalGAN, energy: ForceFieldEnergyOp, bias: DistanceSpringOp, schedule: CGANSchedule, seed: UInt64, monitor: WorkMonitor) {
        self.gan = gan
        self.energy = energy
        self.bias = bias
        self.schedule = schedule
        self.seed = seed
        self.monitor = monitor
        pretrainingAdam = Adam(learningRate: schedule.pretraining.learningRate)
        generatorAdam = Adam(learningRate: schedule.adversarial.generatorRate)
        discriminatorAdam = Adam(learningRate: schedule.adversarial.discriminatorRate)
    }

    var totalEpochs: Int { schedule.pretraining.epochs + schedule.adversarial.epochs }

    // MARK: Loop

    func train(_ data: CGANData, checkpoints: Checkpointing?) throws {
        if let checkpoints { try restore(checkpoints) }
        let early = data.frameIndex.indices.filter { data.frameIndex[$0] < schedule.pretraining.frames }
        while pretrainingDone < schedule.pretraining.epochs {
            try pretrainingEpoch(data, rows: early)
            pretrainingDone += 1
            try endOfEpoch(checkpoints)
        }
        while adversarialDone < schedule.adversarial.epochs {
            try adversarialEpoch(data)
            adversarialDone += 1
            try endOfEpoch(checkpoints)
        }
    }

    private func endOfEpoch(_ checkpoints: Checkpointing?) throws {
        let done = pretrainingDone + adversarialDone
        let last = losses.last ?? []
        let note = last.count == Self.lossColumns.count
            ? String(format: "G %.4g D %.4g energy %.4g bias %.4g MMD² %.4g", last[2], last[3], last[4], last[5], last[6]) : ""
        monitor.progress(done: done, total: totalEpochs, note: note)
        monitor.log("epoch \(done)/\(totalEpochs) (\(adversarialDone > 0 ? "adversarial" : "pretraining")): " + note)
        if let checkpoints, checkpoints.isDue() { try checkpoints.save(write) }
    }

    /// Rows in a seeded random order, cut into batches.
    private func batches(_ rows: [Int], size: Int, stream: String) -> [[Int]] {
        var rng = RandomSource(seed: seed, stream: stream)
        let order = rng.permutation(rows.count).map { rows[$0] }
        return stride(from: 0, to: order.count, by: max(size, 1)).map { Array(order[$0..<min(order.count, $0 + size)]) }
    }

    private func noise(_ count: Int, stream: String) -> Matrix {
        var rng = RandomSource(seed: seed, stream: stream)
        var z = [Double](repeating: 0, count: count * gan.noiseDimension)
        rng.fillNormal(&z)
        return Matrix(rows: count, cols: gan.noiseDimension, storage: z)
    }

    private func pretrainingEpoch(_ data: CGANData, rows: [Int]) throws {
        let p = schedule.pretraining
        let alpha = Double(pretrainingDone) / Double(max(p.epochs, 1))
        let epochName = "pretraining-\(pretrainingDone)"
        for (b, batch) in batches(rows, size: p.batchSize, stream: epochName).enumerated() {
            try monitor.checkCancellation()
            let times = batch.map { data.times[$0] }
            tape.reset()
            let fake = gan.frames(on: tape, times: times, noise: noise(batch.count, stream: "\(epochName)-\(b)"))
            let real = Matrix(rows: batch.count, cols: data.x.cols, storage: batch.flatMap { data.x.storage[($0 * data.x.cols)..<(($0 + 1) * data.x.cols)] })
            let reconstruction = Self.reconstruction(fake, real, p.reconstruction, features: gan.features)
            var terms: [EnergyTerms] = []
            let weights = EnergyGroup.allCases.map { p.groups.contains($0) ? 1.0 : 0 }
            let bonded = weightedEnergy(fake, weights: weights, terms: &terms)
            let loss = (alpha / p.energyUnit) * bonded + ((1 - alpha) / p.reconstructionUnit) * reconstruction
            let place = ("pretraining", pretrainingDone + 1, b + 1)
            try step(loss, parameters: gan.generator.parameters, optimizer: pretrainingAdam, place: place, name: "pretraining")
            losses.append([Double(pretrainingDone + 1), 0, tape.scalar(loss), 0, tape.scalar(bonded), 0, 0])
        }
    }

    private func adversarialEpoch(_ data: CGANData) throws {
        let a = schedule.adversarial
        let epochName = "adversarial-\(adversarialDone)"
        let weights = EnergyGroup.allCases.map { schedule.energyWeight * schedule.weight($0, epoch: adversarialDone) }
        for (b, batch) in batches(Array(0..<data.x.rows), size: a.batchSize, stream: epochName).enumerated() {
            try monitor.checkCancellation()
            let times = batch.map { data.times[$0] }
            let real = Matrix(rows: batch.count, cols: data.x.cols, storage: batch.flatMap { data.x.storage[($0 * data.x.cols)..<(($0 + 1) * data.x.cols)] })
            let place = ("adversarial", adversarialDone + 1, b + 1)
            var generatorLoss = 0.0, discriminatorLoss = 0.0, energyValue = 0.0, biasValue = 0.0, mmdValue = 0.0
            let realSide = schedule.mmd.map { $0.realSide(gan.features.values(real), times: times, on: tape) }
            /// μ·MMD² of generated frames against the batch's real ones (0 without the term).
            func discrepancy(_ fake: Variable) -> Variable {
                guard let mmd = schedule.mmd, let realSide else { return tape.scalar(0) }
                let d = mmd(realSide, fake: gan.features(fake))
                mmdValue = tape.scalar(d)
                return schedule.mmdWeight * d
            }
            for s in 0..<a.generatorSteps {
                tape.reset()
                let fake = gan.frames(on: tape, times: times, noise: noise(batch.count, stream: "\(epochName)-\(b)-g\(s)"))
                let bce = ConditionalGAN.crossEntropy(gan.logits(fake, times: times), real: true)
                try step(bce + discrepancy(fake), parameters: gan.generator.parameters, optimizer: generatorAdam, place: place, name: "generator")
                generatorLoss = tape.scalar(bce)
            }
            for s in 0..<a.discriminatorSteps {
                tape.reset()
                let fakeFrames = tape.value(gan.frames(on: tape, times: times, noise: noise(batch.count, stream: "\(epochName)-\(b)-d\(s)")))
                let loss = ConditionalGAN.crossEntropy(gan.logits(tape.constant(real), times: times), real: true)
                    + ConditionalGAN.crossEntropy(gan.logits(tape.constant(fakeFrames), times: times), real: false)
                try step(loss, parameters: gan.discriminator.parameters, optimizer: discriminatorAdam, place: place, name: "discriminator")
                discriminatorLoss = tape.scalar(loss)
            }
            for s in 0..<a.potentialSteps {
                tape.reset()
                let fake = gan.frames(on: tape, times: times, noise: noise(batch.count, stream: "\(epochName)-\(b)-p\(s)"))
                var terms: [EnergyTerms] = []
                let e = weightedEnergy(fake, weights: weights, terms: &terms, times: schedule.energyReference == nil ? nil : times)
                let v = bias(fake, times: times).mean()
                let loss = e + schedule.biasWeight * v + discrepancy(fake)
                try step(loss, parameters: gan.generator.parameters, optimizer: generatorAdam, place: place, name: "potential")
                energyValue = tape.scalar(e)
                biasValue = tape.scalar(v)
            }
            losses.append([Double(pretrainingDone + adversarialDone + 1), 1, generatorLoss, discriminatorLoss, energyValue, biasValue, mmdValue])
        }
    }

    /// The pretraining's reconstruction loss of generated frames against real ones (1 × 1): the
    /// mean squared difference of torsion features, or the mean MSD after superposition (Å²).
    static func reconstruction(_ fake: Variable, _ real: Matrix, _ kind: CGANSchedule.Reconstruction, features: DiscriminatorFeatures) -> Variable {
        switch kind {
        case .torsions: return (features.torsions(fake) - fake.tape.constant(features.torsions.values(real))).squared().mean()
        case .aligned: return AlignedDeviationOp()(fake, targets: real).mean()
        }
    }

    /// R₀ of the thermal units: half the mean reconstruction loss between frames of different
    /// replicas at the same time (each frame against the next replica's, cyclically), i.e. the
    /// data's own scatter at fixed t (for the MSD, the squared spread over replicas); nil with
    /// fewer than two replicas at every time.
    static func reconstructionScale(_ truth: Matrix, times: [Double], replicas: [Int], _ kind: CGANSchedule.Reconstruction,
                                    features: DiscriminatorFeatures) -> Double? {
        var rowsAt: [Double: [Int]] = [:]
        for (i, t) in times.enumerated() { rowsAt[t, default: []].append(i) }
        var a: [Int] = [], b: [Int] = []
        // Times in increasing order: a dictionary's own order changes from process to process, and
        // with it the summation order of the mean (same key, other bits).
        for t in rowsAt.keys.sorted() {
            let ordered = rowsAt[t]!.sorted { (replicas[$0], $0) < (replicas[$1], $1) }
            guard ordered.count > 1 else { continue }
            for (k, i) in ordered.enumerated() { a.append(i); b.append(ordered[(k + 1) % ordered.count]) }
        }
        guard !a.isEmpty else { return nil }
        func rows(_ r: [Int]) -> Matrix { Matrix(rows: r.count, cols: truth.cols, storage: r.flatMap { GeneratedPathAnalysis.row(truth, $0) }) }
        let tape = Tape()
        return tape.scalar(reconstruction(tape.constant(rows(a)), rows(b), kind, features: features)) / 2
    }

    /// Mean over the batch of Σ_g weights[g] E_g (1 × 1); with `times`, of
    /// max(0, Σ_g weights[g] (E_g − Ē_g(t))) against `schedule.energyReference`.
    private func weightedEnergy(_ frames: Variable, weights: [Double], terms: inout [EnergyTerms], times: [Double]? = nil) -> Variable {
        let reference = times.flatMap { t in schedule.energyReference.map { r in t.map { r($0) } } }
        return Self.weighted(energy(frames, terms: &terms), weights: weights, reference: reference, perFrame: schedule.energyReferencePerFrame)
    }

    /// mean_s Σ_g w_g e_sg, or with a reference row per sample mean_s max(0, Σ_g w_g (e_sg − r_sg))
    /// (`perFrame`) or max(0, mean_s Σ_g w_g (e_sg − r_sg)).
    static func weighted(_ e: Variable, weights: [Double], reference: [[Double]]?, perFrame: Bool = true) -> Variable {
        let tape = e.tape
        let w = tape.constant(Matrix(rows: 1, cols: weights.count, storage: weights))
        guard let reference else { return (e * w).sumOverColumns().mean() }
        let r = tape.constant(Matrix(rows: reference.count, cols: weights.count, storage: reference.flatMap { $0 }))
        let excess = ((e - r) * w).sumOverColumns()
        return perFrame ? excess.relu().mean() : excess.mean().relu()
    }

    /// Backward, finiteness checks, clipping and one optimizer update.
    private func step(_ loss: Variable, parameters: [Parameter], optimizer: Optimizer,
                      place: (String, Int, Int), name: String) throws {
        let value = tape.scalar(loss)
        guard value.isFinite else {
            throw CGANDiverged(phase: place.0, epoch: place.1, batch: place.2, step: name, quantity: "loss (\(value))")
        }
        tape.backward(loss)
        for p in parameters where !p.gradients.allSatisfy(\.isFinite) {
            throw CGANDiverged(phase: place.0, epoch: place.1, batch: place.2, step: name, quantity: "gradient with respect to \(p.name)")
        }
        if let clip = schedule.gradientClip { GradientClipping.clipNorm(parameters, maxNorm: clip) }
        optimizer.step(parameters)
    }

    // MARK: Checkpoint

    /// Layout: `pretraining`, `generator`, `discriminator` (flow-training/1 states: network
    /// parameters with their Adam moments; `epoch` = epochs done in that phase) and `loss`.
    private func write(_ root: HDF5Group) throws {
        func state(_ epoch: Int, _ net: MLP, _ adam: Adam) -> TrainingState {
            TrainingState(epoch: epoch, stopped: false, shuffleState: [0, 0, 0, 0], optimizer: adam.state, parameters: net.parameters.map(\.values),
                          history: LossHistory(), bestLoss: .infinity, bestEpoch: 0, epochsWithoutImprovement: 0, bestParameters: [])
        }
        try state(pretrainingDone, gan.generator, pretrainingAdam).write(to: root.createGroup("pretraining"))
        try state(adversarialDone, gan.generator, generatorAdam).write(to: root.createGroup("generator"))
        try state(adversarialDone, gan.discriminator, discriminatorAdam).write(to: root.createGroup("discriminator"))
        if !losses.isEmpty { try root.write("loss", losses.flatMap { $0 }, shape: [losses.count, Self.lossColumns.count]) }
    }

    private func restore(_ checkpoints: Checkpointing) throws {
        _ = try checkpoints.restore { root in
            let pre = try TrainingState.read(from: root.group("pretraining"))
            let gen = try TrainingState.read(from: root.group("generator"))
            let dis = try TrainingState.read(from: root.group("discriminator"))
            try pretrainingAdam.restore(pre.optimizer)
            try generatorAdam.restore(gen.optimizer)
            try discriminatorAdam.restore(dis.optimizer)
            for (p, v) in zip(gan.generator.parameters, gen.parameters) { p.values = v }
            for (p, v) in zip(gan.discriminator.parameters, dis.parameters) { p.values = v }
            pretrainingDone = pre.epoch
            adversarialDone = gen.epoch
            if root.contains("loss") {
                let (values, _) = try root.read("loss", as: Double.self)
                let c = Self.lossColumns.count
                losses = stride(from: 0, to: values.count, by: c).map { Array(values[$0..<($0 + c)]) }
            }
            monitor.log("resuming the cGAN training from its checkpoint after \(pretrainingDone) pretraining and \(adversarialDone) adversarial epochs")
        }
    }
}
