import FlowCore
import FlowMD

/// The `bias:` block of `simulate`: well-tempered metadynamics on one or two CV components and
/// harmonic restraints on CVs (fixed or moving centre).
struct BiasSpec: Decodable {
    var metadynamics: MetadynamicsSpec?
    var restraints: [RestraintSpec]
    var steered: SteeredSpec?
    var tethered: TetheredSpec?

    enum CodingKeys: String, CodingKey { case metadynamics, restraints, steered, tethered }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        metadynamics = try p.optionalGroup(.metadynamics, help: "well-tempered metadynamics (Barducci, Bussi & Parrinello 2008)")
        restraints = try p.list(.restraints, help: "harmonic restraints ½ k (ξ − z(t))², z(t) = center + velocity·t")
        steered = try p.optionalGroup(.steered, help: "charmm systems: steered MD on an atom-atom distance")
        tethered = try p.optionalGroup(.tethered, help: "charmm systems: NAMD two-spring constant-velocity pulling")
    }
}

struct MetadynamicsSpec: Decodable {
    var cvs: [CVSpec]
    var height: Double
    var sigma: [Double]
    var pace: Int
    var biasTemperature: Double?
    var biasFactor: Double?
    var lower: [Double]
    var upper: [Double]
    var bins: [Int]
    var depositSteps: Int?

    enum CodingKeys: String, CodingKey {
        case cvs, height, sigma, pace, lower, upper, bins
        case biasTemperature = "bias_temperature"
        case biasFactor = "bias_factor"
        case depositSteps = "deposit_steps"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        cvs = try p(.cvs, literal: [], help: "one or two CVs to bias, e.g. [mu2, mu3]")
        height = try p(.height, default: 0.01, unit: "energy", in: .positive, help: "initial hill height h")
        sigma = try p(.sigma, default: [0.02], unit: "CV units", help: "hill widths σ (standard deviations), one per CV component or one for all")
        pace = try p(.pace, default: 500, in: .atLeast(1), help: "steps between hill depositions")
        biasTemperature = try p.optional(.biasTemperature, unit: "energy", in: .positive,
                                         help: "k_B ΔT: hills shrink as exp(−B/k_BΔT) (the γ of the LJ7 reference runs); or give bias_factor")
        biasFactor = try p.optional(.biasFactor, in: .greaterThan(1), help: "γ = (T + ΔT)/T (PLUMED's BIASFACTOR); or give bias_temperature")
        lower = try p(.lower, default: [], unit: "CV units", help: "lower grid edge per CV component")
        upper = try p(.upper, default: [], unit: "CV units", help: "upper grid edge per CV component")
        bins = try p(.bins, default: [], help: "grid points per CV component (spacing ≤ σ/2 keeps the Hermite interpolation error below 1e-3 h)")
        depositSteps = try p.optional(.depositSteps, in: .atLeast(0), help: "deposit hills only during the first this many steps, then sample with the frozen bias")
        try p.check(!cvs.isEmpty && cvs.count <= 2, .cvs, "bias one or two CVs")
        try p.check((biasTemperature == nil) != (biasFactor == nil), .biasTemperature, "give exactly one of bias_temperature and bias_factor")
        try p.check(sigma.allSatisfy { $0 > 0 } && !sigma.isEmpty, .sigma, "widths must be positive")
        try p.check(!lower.isEmpty && lower.count == upper.count && zip(lower, upper).allSatisfy { $0 < $1 }, .upper,
                    "give lower and upper grid edges, one pair per CV component, lower < upper")
        try p.check(bins.count == lower.count && bins.allSatisfy { $0 >= 2 }, .bins, "give at least 2 grid points per CV component")
        try p.checkAllocation(.bins, bins, what: "bias grid points", fix: "lower bins")
    }

    func build(system: SimulationSystem, stage: String) throws -> WellTemperedMetadynamics {
        let cv: any CollectiveVariable
        do { cv = try CVSpec.resolve(cvs, in: system) } catch {
            throw FlowError.stageFailed(stage: stage, message: "params.bias.metadynamics.cvs: \(error)")
        }
        let d = cv.outputDimension
        guard d <= 2, lower.count == d else {
            throw FlowError.stageFailed(stage: stage, message: "params.bias.metadynamics: the CVs have \(d) components (\(cv.componentNames.joined(separator: ", "))); give lower/upper/bins for each (at most 2)")
        }
        let widths = sigma.count == 1 ? [Double](repeating: sigma[0], count: d) : sigma
        guard widths.count == d else {
            throw FlowError.stageFailed(stage: stage, message: "params.bias.metadynamics.sigma: give one width or \(d)")
        }
        let periods = StackedCV.periods(of: cv)
        let grid = BiasGrid(lower: lower, upper: upper, points: bins, periodic: periods.map { $0 != nil })
        let kdT = biasTemperature ?? (biasFactor! - 1) / system.beta
        return WellTemperedMetadynamics(cv: cv, height: height, widths: widths, biasTemperature: kdT, beta: system.beta,
                                        pace: pace, grid: grid)
    }
}

struct RestraintSpec: Decodable {
    var cvs: [CVSpec]
    var k: [Double]
    var center: [Double]
    var velocity: [Double]

    enum CodingKeys: String, CodingKey { case cvs, k, center, velocity }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        cvs = try p(.cvs, literal: [], help: "CVs restrained")
        k = try p(.k, default: [], unit: "energy/CV²", help: "force constant per CV component (or one for all)")
        center = try p(.center, default: [], unit: "CV units", help: "centre at time 0 per CV component")
        velocity = try p(.velocity, default: [], unit: "CV units/time", help: "centre speed per component (empty: fixed centre)")
        try p.check(!cvs.isEmpty, .cvs, "name the CVs to restrain")
        try p.check(!k.isEmpty && k.allSatisfy { $0 > 0 }, .k, "give positive force constants")
        try p.check(!center.isEmpty, .center, "give the centre")
    }

    var moves: Bool { velocity.contains { $0 != 0 } }

    func build(system: SimulationSystem, stage: String, index: Int) throws -> MovingHarmonicRestraint {
        let cv: any CollectiveVariable
        do { cv = try CVSpec.resolve(cvs, in: system) } catch {
            throw FlowError.stageFailed(stage: stage, message: "params.bias.restraints[\(index)].cvs: \(error)")
        }
        let d = cv.outputDimension
        let ks = k.count == 1 ? [Double](repeating: k[0], count: d) : k
        let v = velocity.isEmpty ? [Double](repeating: 0, count: d) : velocity
        guard ks.count == d, center.count == d, v.count == d else {
            throw FlowError.stageFailed(stage: stage, message: "params.bias.restraints[\(index)]: the CVs have \(d) components (\(cv.componentNames.joined(separator: ", "))); give k, center and velocity for each")
        }
        return MovingHarmonicRestraint(cv: cv, forceConstants: ks, initialCenters: center, velocities: v,
                                       periods: StackedCV.periods(of: cv))
    }
}
