import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN

/// `kind: cgan` — the conditional GAN with a force-field loss of Cava et al., "Towards conditional
/// generation of minimal action potential pathways for molecular dynamics" (DESIGN §6, §8.4): a
/// generator G(t, z) of Cartesian frames (Å) conditioned on the normalized time t ∈ [0, 1] of a
/// pulling run, trained against a discriminator on (t, torsion angles), after a pretraining
/// annealed from torsion reconstruction to bonded energies, with "potential" steps on the CHARMM
/// energy of generated frames plus an end-to-end spring ½k(c(t) − |r_a − r_b|)²,
/// c(t) = from + (to − from) t. Defaults are the paper's sizes, rates and schedule.
///
/// Differences from the reference code, each a parameter: real frames are conditioned on the
/// same t ∈ [0, 1] as generated ones (the code used the raw frame index for real frames); the
/// energy is the full CHARMM force field of `flow energy` (the code's TorchMD energy dropped
/// Urey–Bradley, impropers and the 1-4 LJ parameters); torsions enter the discriminator as
/// (cos φ, sin φ) by default (`torsions: angle` is the paper's raw angle, discontinuous at ±π);
/// the discriminator's sigmoid is folded into a logit BCE (same loss, no overflow). Options beyond
/// the paper, off by default: a pretraining that reconstructs by the MSD after superposition and
/// weighs energy and reconstruction in thermal units (`pretraining.reconstruction`, `units`: the
/// paper's sum of kcal/mol and rad² lets the bonded energy, which does not know the fold, decide),
/// the discriminator's extra features, the conditional MMD, the energy reference and the spring
/// centred on the data.
///
/// After training: `/path` at T times t_k = k/(T − 1) with z = 0 (the noise's mode), `/samples`
/// with `draws` noise draws per time, their energies, the bias distance, RMSD after optimal
/// superposition against every ground-truth frame (one per source frame of the input, i.e. copy 0
/// of the augmentation — rotations do not change an RMSD after superposition), the spread over
/// draws and, under `/reference`, the same measures of the MD frames nearest in time (one per
/// replica).
enum CGANStage: StageKind {
    static let name = "cgan"
    static let version = 2
    static let summary = "conditional GAN of frames along a pulling path (Cava et al.): generator G(t, z), torsion discriminator, force-field and end-to-end-bias loss"
    static let system = SystemRequirement.required
    static let inputs = [InputSpec("data", help: "augmented frames: /x (Å), /condition (t ∈ [0, 1]), /source_index, /replica, /topology (augment)")]
    enum Output {
        static let generator = OutputDataset.group("/generator", "the generator in the flow-mlp/1 layout: input (t, z₁…z_noise), output 3N coordinates (Å), interleaved x1,y1,z1,…")
        static let discriminator = OutputDataset.group("/discriminator", "the discriminator (flow-mlp/1): input (t, torsion features[, bond lengths]), output the logit of 'real'")
        static let time = OutputDataset.float64("/time", "T", "generation times t_k = k/(T − 1)")
        static let path = OutputDataset.float64("/path", "T × atoms × 3", units: "Å", "generated frames at /time with z = 0")
        static let x = SharedDatasets.x.documented(shape: "T × 3N", units: "Å", "/path as one frame per row, so that export and features read it like a trajectory")
        static let samples = OutputDataset.float64("/samples", "T × draws × atoms × 3", units: "Å", "generated frames at /time for independent noise draws")
        static let energy = OutputDataset.float64("/energy", "T × 11", units: "kcal/mol", "CHARMM energy of each /path frame by term and total (column names in 'names', as flow energy prints them)")
        static let distance = OutputDataset.float64("/distance", "T", units: "Å", when: "bias is given", "the biased distance |r_a − r_b| along /path (deca-alanine: CA1–CA10)")
        static let rmsd = OutputDataset.float64("/rmsd", "T × frames", units: "Å", "RMSD after optimal superposition of each /path frame against every ground-truth frame (one per source frame)")
        static let frameTime = OutputDataset.float64("/frame_time", "frames", "normalized time of each ground-truth frame (columns of /rmsd)")
        static let bestRMSD = OutputDataset.float64("/best_rmsd", "T", units: "Å", "smallest RMSD of each /path frame to any ground-truth frame")
        static let bestTime = OutputDataset.float64("/best_time", "T", "normalized time of the best-matching ground-truth frame")
        static let rmsdGrid = OutputDataset.group("/rmsd_grid", "RMSD map for the report: x (T path times), y (frame times), values (frame times × T, mean over replicas)")
        static let spread = OutputDataset.float64("/spread", "T", units: "Å", "RMS spread of the noise draws about their mean structure after superposition")
        static let bondRange = OutputDataset.float64("/bond_range", "T × 2", units: "Å", "shortest and longest bond of each /path frame")
        static let helixRMSD = OutputDataset.float64("/helix_rmsd", "2", units: "Å", "RMSD to the minimized built structure (deca-alanine: the α-helix) of the t = 0 path frame and, mean over replicas, of the first MD frames")
        static let reference = OutputDataset.group("/reference", "MD frames nearest each path time, one per replica: distance_mean, distance_std (when bias is given), energy_min, energy_mean, energy_max, energy_quenched_min and energy_quenched_max (the same frames quenched to their local energy minimum: the comparison for a path that minimizes the energy), spread, bond_min, bond_max (each T)")
        static let summary = OutputDataset.float64("/summary", "14", "the checks against the paper, by name in 'names': best_rmsd_min, best_rmsd_max, bond_max, spread_mean (Å), frames, helix_rmsd_t0, md_helix_rmsd_t0, bond_min, md_bond_min, md_bond_max (Å), frames_energy_in_md_range, md_spread_mean (Å), frames_energy_in_quenched_range, frames_energy_below_md_range")
        static let loss = OutputDataset.float64("/loss", "steps × 7", "per batch: epoch, phase (0 pretraining, 1 adversarial), generator, discriminator, weighted energy, bias, MMD² (names in 'names')")
        static let topology = SharedDatasets.topology
    }
    static let outputs = [Output.generator, Output.discriminator, Output.time, Output.path, Output.x, Output.samples, Output.energy, Output.distance,
                          Output.rmsd, Output.frameTime, Output.bestRMSD, Output.bestTime, Output.rmsdGrid, Output.spread, Output.bondRange,
                          Output.helixRMSD, Output.reference, Output.summary, Output.loss, Output.topology]

    enum BiasCenter: String, ParameterEnum { case spring, data }

    struct Parameters: Decodable {
        var generator: NetworkSpec<GeneratorDefaults>
        var discriminator: NetworkSpec<DiscriminatorDefaults>
        var noise: Int
        var torsions: TorsionFeatureOp.Encoding
        var features: [DiscriminatorFeatures.Kind]
        var mmd: CGANMMDSpec
        var pretraining: CGANPretrainingSpec
        var adversarial: CGANAdversarialSpec
        var energy: CGANEnergySpec
        var bias: SteeredSpec?
        var biasWeight: Double
        var biasCenter: BiasCenter
        var gradientClip: Double
        var pathFrames: Int
        var draws: Int

        enum CodingKeys: String, CodingKey {
            case generator, discriminator, noise, torsions, features, mmd, pretraining, adversarial, energy, bias, draws
            case biasWeight = "bias_weight"
            case biasCenter = "bias_center"
            case gradientClip = "gradient_clip"
            case pathFrames = "path_frames"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            generator = try p.group(.generator, help: "generator hidden layers and activation (paper: [50, 100], sigmoid); output linear, 3N coordinates")
            discriminator = try p.group(.discriminator, help: "discriminator hidden layers and activation (paper: [10], sigmoid); output one logit")
            noise = try p(.noise, default: 31, in: .atLeast(0), help: "noise components z ~ N(0, 1) beside t in the generator's input (paper: 31)")
            torsions = try p(.torsions, default: .sinCos, help: "torsion features of the discriminator and the pretraining MSE: sin-cos (cos φ, sin φ per torsion, continuous) or angle (φ in radians, the paper's, discontinuous at ±π)")
            features = try p(.features, default: [.torsions], help: "what the discriminator (and the mmd term) sees of a frame besides t: torsions (the paper), bonds (bond lengths, which torsions cannot see), distances (every heavy-atom pair: the fold); torsions are always included")
            mmd = try p.group(.mmd, help: "conditional MMD² of generated against real frames in the generator's adversarial and potential steps (weight 0: off, the paper)")
            pretraining = try p.group(.pretraining, help: "generator pretraining, annealed from torsion reconstruction to bonded energies")
            adversarial = try p.group(.adversarial, help: "adversarial epochs: generator, discriminator and potential steps per batch")
            energy = try p.group(.energy, help: "weights of the force-field energy in the potential steps")
            bias = try p.optionalGroup(.bias, help: "end-to-end spring ½k(c(t) − |r_a − r_b|)², c(t) = from + (to − from)·t: atoms, k, from, to (deca-alanine: [BH:1:CA, BH:10:CA], 1, 12, 34)")
            biasWeight = try p(.biasWeight, default: 200.0, in: .nonNegative, help: "factor of the bias in the potential steps (paper: 200)")
            biasCenter = try p(.biasCenter, default: .spring, help: "spring: c(t) = from + (to − from)·t, the steered spring's centre (the paper); data: the training frames' mean biased distance at t (the spring's centre is not where the molecule is: ≈ 14 Å for the helix at t = 0, not 12)")
            gradientClip = try p(.gradientClip, default: 1.0, in: .nonNegative, help: "maximum global gradient norm of every step (0: no clipping)")
            pathFrames = try p(.pathFrames, default: 20, in: .atLeast(2), help: "T, the number of generated frames along the path")
            draws = try p(.draws, default: 10, in: .atLeast(1), help: "noise draws per path time in /samples and /spread")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        guard let definition = context.system, let sp = definition.parameters as? CharmmSystem.Parameters else {
            throw FlowError.stageFailed(stage: stage, message: "system: must name a charmm system (the force field of the generated frames)")
        }
        let model = try CharmmSystem.model(sp, system: definition.name, stage: stage)
        let input = try context.input("data")
        let frames = try CGANInput(input.root, topology: model.topology, stage: stage)
        try input.close()
        let atomCount = model.topology.atoms.count
        let bias = try p.bias.map { b in
            var spring = DistanceSpringOp(atomA: try b.atoms[0].resolve(in: model.topology, key: "params.bias.atoms", stage: stage),
                                          atomB: try b.atoms[1].resolve(in: model.topology, key: "params.bias.atoms", stage: stage), k: b.k, from: b.from, to: b.to)
            if p.biasCenter == .data {
                spring.profile = TimeProfile(times: frames.truthTime, rows: spring.distances(frames.truth).map { [$0] })
                context.log(String(format: "bias centre from the data: %.2f Å at t = 0, %.2f Å at t = 1", spring.center(0), spring.center(1)))
            }
            return spring
        }
        let features = DiscriminatorFeatures(torsions: TorsionFeatureOp(topology: model.topology, encoding: p.torsions),
                                             bonds: p.features.contains(.bonds) ? BondLengthOp(bonds: model.topology.bonds) : nil,
                                             distances: p.features.contains(.distances) ? BondLengthOp(bonds: DiscriminatorFeatures.heavyAtomPairs(model.topology)) : nil)
        var rng = RandomSource(seed: context.seed, stream: "networks")
        let gan = ConditionalGAN(generator: p.generator.make(inputs: 1 + p.noise, outputs: 3 * atomCount, rng: &rng),
                                 discriminator: p.discriminator.make(inputs: 1 + features.width, outputs: 1, rng: &rng),
                                 features: features)
        context.log("\(frames.data.x.rows) training frames (\(frames.truth.rows) source frames, \(frames.replicaCount) replicas), "
                    + "\(features.torsions.dihedrals.count) torsions as \(p.torsions.rawValue)\(features.bonds.map { " + \($0.bonds.count) bond lengths" } ?? "")\(features.distances.map { " + \($0.bonds.count) heavy-atom distances" } ?? ""), generator \(gan.generator.sizes), discriminator \(gan.discriminator.sizes)")
        var schedule = CGANSchedule(
            pretraining: .init(epochs: p.pretraining.epochs, learningRate: p.pretraining.learningRate, frames: p.pretraining.frames,
                               batchSize: p.pretraining.batchSize, groups: p.pretraining.terms),
            adversarial: .init(epochs: p.adversarial.epochs, generatorRate: p.adversarial.generatorRate, discriminatorRate: p.adversarial.discriminatorRate,
                               batchSize: p.adversarial.batchSize, potentialSteps: p.adversarial.potentialSteps,
                               generatorSteps: p.adversarial.generatorSteps, discriminatorSteps: p.adversarial.discriminatorSteps),
            energyWeight: p.energy.weight, groupWeights: p.energy.terms, termSchedule: p.energy.schedule,
            biasWeight: bias == nil ? 0 : p.biasWeight, gradientClip: p.gradientClip > 0 ? p.gradientClip : nil)
        schedule.pretraining.reconstruction = p.pretraining.reconstruction
        if p.pretraining.units == .thermal {
            let dof = 3 * atomCount - 6 - (model.constraints?.count ?? 0)
            schedule.pretraining.energyUnit = 0.5 * Double(dof) / model.beta
            guard let r0 = CGANTraining.reconstructionScale(frames.truth, times: frames.truthTime, replicas: frames.truthReplica,
                                                            p.pretraining.reconstruction, features: features), r0 > 0 else {
                throw FlowError.stageFailed(stage: stage, message: "params.pretraining.units: thermal measures the reconstruction against the scatter between replicas at the same t; the input has one replica (or identical ones): give the augment stage several replicas, or set units: paper")
            }
            schedule.pretraining.reconstructionUnit = r0
            context.log(String(format: "pretraining in thermal units: E₀ = ½·%d·k_BT = %.2f kcal/mol, R₀ = %.4g (%@)", dof, schedule.pretraining.energyUnit, r0,
                               p.pretraining.reconstruction == .aligned ? "Å², MSD after superposition" : "torsion features²"))
        }
        if p.mmd.weight > 0 {
            schedule.mmd = ConditionalMMD(timeBandwidth: p.mmd.timeBandwidth, realFeatures: features.values(frames.truth))
            schedule.mmdWeight = p.mmd.weight
        }
        let energy = ForceFieldEnergyOp(forceField: model.forceField)
        if p.energy.reference != .none {
            schedule.energyReferencePerFrame = p.energy.reference == .data
            let groups = energy.evaluate(frames.truth).energies
            schedule.energyReference = TimeProfile(times: frames.truthTime, rows: (0..<groups.rows).map { Array(GeneratedPathAnalysis.row(groups, $0)) })
        }
        let training = CGANTraining(gan: gan, energy: energy, bias: bias ?? DistanceSpringOp(atomA: 0, atomB: 1, k: 0, from: 0, to: 0),
                                    schedule: schedule, seed: context.seed, monitor: context.monitor)
        do {
            try training.train(frames.data, checkpoints: context.checkpoints)
        } catch let e as CGANDiverged {
            throw FlowError.stageFailed(stage: stage, message: "\(e); lower the learning rates, the energy weight or the bias weight, or set gradient_clip")
        } catch let e as StoredFormatError {
            throw FlowError.stageFailed(stage: stage, message: "cannot resume from the checkpoint: \(e)")
        } catch let e as OptimizerStateMismatch {
            throw FlowError.stageFailed(stage: stage, message: "cannot resume from the checkpoint: \(e)")
        }
        let out = context.output.root
        try gan.generator.save(to: out.createGroup(Output.generator))
        try gan.discriminator.save(to: out.createGroup(Output.discriminator))
        try out.write(Output.loss, matrix: Matrix(rows: training.losses.count, cols: CGANTraining.lossColumns.count, storage: training.losses.flatMap { $0 }))
        try out.dataset(Output.loss.name).setAttribute("names", .strings(CGANTraining.lossColumns))
        try CGANEvaluation(gan: gan, model: model, bias: bias, frames: frames, pathFrames: p.pathFrames, draws: p.draws,
                           seed: context.seed, context: context).write(to: out)
        try model.topology.write(to: out.createGroup(Output.topology))
    }
}
