import FlowCore
import FlowMD
import FlowNN

/// The paper's generator: Linear(32, 50) → sigmoid → Linear(50, 100) → sigmoid → Linear(100, 312).
enum GeneratorDefaults: LearningDefaults {
    static let hidden = [50, 100]
    static let activation = Activation.sigmoid
    static let requiresNonlinearNetwork = true
    static let epochs = 10
    static let batchSize = 128
    static let learningRate = 1e-3
    static let weightDecayMode = WeightDecayMode.l2
}

/// The paper's discriminator: Linear(251, 10) → sigmoid → Linear(10, 1) (→ sigmoid, in the loss).
enum DiscriminatorDefaults: LearningDefaults {
    static let hidden = [10]
    static let activation = Activation.sigmoid
    static let requiresNonlinearNetwork = true
    static let epochs = 10
    static let batchSize = 128
    static let learningRate = 1e-3
    static let weightDecayMode = WeightDecayMode.l2
}

extension EnergyGroup: ParameterEnum {}

/// `pretraining:` of `cgan` (Cava et al.: 5 epochs, Adam 10⁻², the first 10 frames of every
/// replica, annealed from torsion MSE to bond + angle + dihedral energy).
struct CGANPretrainingSpec: Decodable {
    var epochs: Int
    var learningRate: Double
    var frames: Int
    var batchSize: Int
    var terms: [EnergyGroup]
    var reconstruction: CGANSchedule.Reconstruction
    var units: CGANSchedule.LossUnits

    enum CodingKeys: String, CodingKey {
        case epochs, frames, terms, reconstruction, units
        case learningRate = "learning_rate"
        case batchSize = "batch_size"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        epochs = try p(.epochs, default: 5, in: .atLeast(0), help: "pretraining epochs; α = epoch/epochs anneals the loss α·E_terms/E₀ + (1 − α)·R/R₀ (R the reconstruction, E₀ and R₀ the units: 1 in the paper)")
        learningRate = try p(.learningRate, default: 1e-2, in: .positive, help: "Adam learning rate of the pretraining")
        frames = try p(.frames, default: 10, in: .atLeast(1), help: "the first this many frames of every replica are the pretraining data")
        batchSize = try p(.batchSize, default: 128, in: .atLeast(1), help: "frames per pretraining minibatch")
        terms = try p(.terms, default: [.bond, .angle, .dihedral], help: "energy groups the pretraining anneals to: bond, angle, urey_bradley, dihedral, improper, cmap, nonbonded")
        reconstruction = try p(.reconstruction, default: .torsions, help: "what the generated frame at t is compared with the real frame at t by: torsions (MSE of the torsion features, the paper; blind to the fold) or aligned (mean squared deviation per atom after optimal superposition, Å²: the RMSD² the evaluation measures)")
        units = try p(.units, default: .paper, help: "paper: E (kcal/mol) + reconstruction (rad² or Å²) as they come, so from α ≈ 0.2 on the energy decides alone; thermal: both dimensionless, E/(½ f k_B T) with f = 3N − 6 − constraints (the energy equipartition gives a thermal frame) and the reconstruction over its value between two replicas' frames at the same t, halved (the data's own thermal scatter), so that each term is ≈ 1 for MD frames")
    }
}

/// `adversarial:` of `cgan` (Cava et al.: 10 epochs, Adam 10⁻³, batches of 128; per batch one
/// generator step, one discriminator step, 8 potential steps).
struct CGANAdversarialSpec: Decodable {
    var epochs: Int
    var generatorRate: Double
    var discriminatorRate: Double
    var batchSize: Int
    var generatorSteps: Int
    var discriminatorSteps: Int
    var potentialSteps: Int

    enum CodingKeys: String, CodingKey {
        case epochs
        case generatorRate = "generator_learning_rate"
        case discriminatorRate = "discriminator_learning_rate"
        case batchSize = "batch_size"
        case generatorSteps = "generator_steps"
        case discriminatorSteps = "discriminator_steps"
        case potentialSteps = "potential_steps"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        epochs = try p(.epochs, default: 10, in: .atLeast(0), help: "adversarial epochs over all frames")
        generatorRate = try p(.generatorRate, default: 1e-3, in: .positive, help: "Adam learning rate of the generator (adversarial and potential steps)")
        discriminatorRate = try p(.discriminatorRate, default: 1e-3, in: .positive, help: "Adam learning rate of the discriminator")
        batchSize = try p(.batchSize, default: 128, in: .atLeast(1), help: "frames per minibatch")
        generatorSteps = try p(.generatorSteps, default: 1, in: .atLeast(0), help: "generator steps (BCE of fakes labelled real) per batch")
        discriminatorSteps = try p(.discriminatorSteps, default: 1, in: .atLeast(0), help: "discriminator steps (real vs generated) per batch")
        potentialSteps = try p(.potentialSteps, default: 8, in: .atLeast(0), help: "generator steps on λ·Σ w_g E_g + bias_weight·bias per batch")
    }
}

/// `energy:` of `cgan`: λ and the per-group weights of the force-field term, and their schedule.
struct CGANEnergySpec: Decodable {
    enum Reference: String, ParameterEnum { case none, data, dataMean = "data_mean" }

    var weight: Double
    var schedule: CGANSchedule.TermSchedule
    var reference: Reference
    var terms: [EnergyGroup: Double]

    enum CodingKeys: String, CodingKey {
        case weight, schedule, reference, bond, angle, dihedral, improper, cmap, nonbonded
        case ureyBradley = "urey_bradley"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        weight = try p(.weight, default: 1.0, in: .nonNegative, help: "λ of the force-field energy (kcal/mol, mean over the batch) in the potential steps")
        schedule = try p(.schedule, default: .none, help: "none: every group at its weight from the first adversarial epoch (the paper's code); staged: bonds, then angles + Urey–Bradley from 1/4 of the epochs, dihedrals + impropers + CMAP from 1/2, non-bonded from 3/4")
        reference = try p(.reference, default: Reference.none, help: "none: minimize λ·Σ w_g E_g (the paper; drives every frame to an energy minimum, below the thermal frames); data: penalize only the excess λ·max(0, Σ w_g (E_g − Ē_g(t))) over the training frames' mean Ē_g at the same t, frame by frame (which also pushes down the upper half of a thermal spread); data_mean: penalize only the batch's mean excess λ·max(0, mean_s Σ w_g (E_sg − Ē_g(t_s))), the data's mean energy as a first moment, so frames may fluctuate about it as MD frames do")
        var t: [EnergyGroup: Double] = [:]
        for (key, group) in [(CodingKeys.bond, EnergyGroup.bond), (.angle, .angle), (.ureyBradley, .ureyBradley), (.dihedral, .dihedral),
                             (.improper, .improper), (.cmap, .cmap), (.nonbonded, .nonbonded)] {
            t[group] = try p(key, default: 1.0, in: .nonNegative, help: "weight of the \(group.rawValue) energy\(group == .nonbonded ? " (Lennard-Jones + Coulomb with their 1-4 parts)" : "")")
        }
        terms = t
    }
}


/// `mmd:` of `cgan`: the conditional kernel two-sample term (`ConditionalMMD`) against the
/// collapse of the paper's generator onto one frame per t.
struct CGANMMDSpec: Decodable {
    var weight: Double
    var timeBandwidth: Double

    enum CodingKeys: String, CodingKey {
        case weight
        case timeBandwidth = "time_bandwidth"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        weight = try p(.weight, default: 0.0, in: .nonNegative, help: "μ of μ·MMD²(real, generated) added to every adversarial generator and potential step (0: off, the paper); MMD² on (t, the discriminator's features standardized by the data), Gaussian kernels at 1/4, 1, 4 × the batch's median squared distance")
        timeBandwidth = try p(.timeBandwidth, default: 0.05, in: .positive, help: "σ_t of the time kernel exp(−(t − t′)²/2σ_t²): frames further apart in t than a few σ_t are not compared")
    }
}
