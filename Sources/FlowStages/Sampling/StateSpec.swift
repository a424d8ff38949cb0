import FlowCore
import FlowMD

/// A named metastable state in a workflow, one of:
/// - a region of CV space: `cvs` with `center` and `radii` (an axis-aligned ellipse; a ball when
///   the radii are equal) or with `lower` and `upper` (a box); periodic components (dihedrals)
///   wrap, and regions given under the same name are one state (`CVRegionStates`);
/// - `minimum`: a core set around a named minimum, where a short quench lands near it;
/// - `basin`: the basin of attraction of a named minimum (a converged quench ends at it);
/// - `core`: the basin core of a named minimum (`BasinCores`): the configurations within a stated
///   fraction of the distance to the nearest other minimum in signature space whose converged
///   quench ends at it — no size fitted to data.
struct StateSpec: Decodable {
    var name: String
    var cvs: [CVSpec]
    var center: [Double]
    var radii: [Double]
    var lower: [Double]
    var upper: [Double]
    var minimum: String?
    var basin: String?
    var core: String?

    enum CodingKeys: String, CodingKey { case name, cvs, center, radii, lower, upper, minimum, basin, core }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        name = try p(.name, default: "", help: "state name (CV regions given under the same name are one state, their union, e.g. butane's two gauche ranges)")
        cvs = try p(.cvs, literal: [], help: "region states: the CVs the region is defined on, e.g. [mu2, mu3]")
        center = try p(.center, default: [], help: "ellipse: centre in CV space")
        radii = try p(.radii, default: [], help: "ellipse: semi-axis per CV component (equal radii: a ball)")
        lower = try p(.lower, default: [], help: "box: lower corner in CV space (periodic components such as dihedrals wrap: [2.94, 3.34] is |φ − π| ≤ 0.2)")
        upper = try p(.upper, default: [], help: "box: upper corner in CV space")
        minimum = try p.optional(.minimum, help: "core set: a named minimum of the system; the state is where a short quench (params.quench) lands near it")
        basin = try p.optional(.basin, help: "basin: a named minimum of the system; the state is every configuration whose converged quench ends at it")
        core = try p.optional(.core, help: "basin core: a named minimum of the system; the state is where the signature lies within quench.core_fraction of the distance to the nearest other minimum and a converged quench ends at it")
        try p.check(!name.isEmpty, .name, "give the state a name")
        let kinds = [!cvs.isEmpty, minimum != nil, basin != nil, core != nil].filter { $0 }.count
        try p.check(kinds == 1, .cvs, "give exactly one of cvs (with center/radii or lower/upper), minimum, basin or core")
        if !cvs.isEmpty {
            let ellipse = !center.isEmpty || !radii.isEmpty, box = !lower.isEmpty || !upper.isEmpty
            try p.check(ellipse != box, .center, "give either center and radii (ellipse) or lower and upper (box)")
            try p.check(!ellipse || (center.count == radii.count && !center.isEmpty), .radii, "give one radius per centre coordinate")
            try p.check(radii.allSatisfy { $0 > 0 }, .radii, "radii must be positive")
            try p.check(!box || (lower.count == upper.count && !lower.isEmpty), .upper, "give lower and upper with one value per CV component")
            try p.check(zip(lower, upper).allSatisfy { $0 <= $1 }, .upper, "each upper bound must be at least its lower bound")
        }
    }

    var region: CVRegion? {
        guard !cvs.isEmpty else { return nil }
        return center.isEmpty ? .box(lower: lower, upper: upper) : .ellipse(center: center, semiAxes: radii)
    }
}

/// Quench settings for minimum-based states.
struct QuenchSpec: Decodable {
    var steps: Int
    var radius: Double
    var tolerance: Double
    var signature: [CVSpec]
    var coreFraction: Double
    var sensitivity: [Double]

    enum CodingKeys: String, CodingKey { case steps, radius, tolerance, signature, coreFraction = "core_fraction", sensitivity }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        steps = try p(.steps, default: 40, in: .atLeast(0), help: "minimum states: FIRE steps of the short quench (0: assign the configuration itself)")
        radius = try p(.radius, default: 0.15, in: .positive, help: "minimum states: core radius around each minimum in the signature space")
        tolerance = try p(.tolerance, default: 1e-4, unit: "energy/length", in: .positive, help: "basin states: quench until every |∂V/∂xᵢ| is at most this")
        signature = try p(.signature, literal: [], help: "CVs compared with the minima (default: sorted-coordination for particle systems, else the coordinates)")
        coreFraction = try p(.coreFraction, default: 0.5, in: .halfOpen(0, 1), help: "core states: the core of minimum m is the ball of this fraction of the signature distance from m to the nearest other minimum (≤ 0.5: balls never overlap), cut to m's basin by a converged quench")
        sensitivity = try p(.sensitivity, default: [], help: "core states: further core fractions whose rates are reported beside the main ones in /core_sensitivity — from the same trajectories (transition-rates) or the same generator (effective-dynamics), so the differences are the core size's alone")
        try p.check(sensitivity.allSatisfy { $0 > 0 && $0 < 1 }, .sensitivity, "give core fractions between 0 and 1")
    }
}

extension StateSpec {
    /// The state assignment for a list of specs (all regions on the same CVs, all minimum cores,
    /// or all basins); without specs, the system's default states, else a core around every
    /// named minimum.
    static func assignment(_ specs: [StateSpec], quench: QuenchSpec, system: SimulationSystem) throws -> any StateAssignment {
        if specs.isEmpty, let defaults = system.defaultStates { return defaults }
        if let first = specs.first, !first.cvs.isEmpty {
            guard specs.allSatisfy({ $0.cvs == first.cvs }) else { throw CVSpecError("states: regions must all use the same cvs") }
            let cv = try CVSpec.resolve(first.cvs, in: system)
            let regions = specs.compactMap { s in s.region.map { (name: s.name, region: $0) } }
            guard regions.count == specs.count, regions.allSatisfy({ $0.region.dimension == cv.outputDimension }) else {
                throw CVSpecError("states: give each region \(cv.outputDimension) values (\(cv.componentNames.joined(separator: ", ")))")
            }
            return CVRegionStates(cv: cv, states: regions)
        }
        let basins = specs.contains { $0.basin != nil }, cores = specs.contains { $0.core != nil }
        guard specs.allSatisfy({ ($0.basin != nil) == basins && ($0.core != nil) == cores && $0.cvs.isEmpty }) else {
            throw CVSpecError("states: use one kind for all states (CV regions, minimum cores, basins or basin cores)")
        }
        let signature = quench.signature.isEmpty ? defaultSignature(of: system) : try CVSpec.resolve(quench.signature, in: system)
        if cores {
            let minima = try system.minimumNames.map { name -> (name: String, x: [Double]) in
                guard let x = system.namedConfigurations[name] else { throw CVSpecError("the system names minimum '\(name)' without its configuration") }
                return (name, x)
            }
            for s in specs where !system.minimumNames.contains(s.core!) {
                throw CVSpecError("states: '\(s.name)': the system has no minimum '\(s.core!)'\(DidYouMean.hint(for: s.core!, among: system.minimumNames)); known: \(system.minimumNames.joined(separator: ", "))")
            }
            guard minima.count >= 2 else { throw CVSpecError("states: core states need at least two named minima in the system") }
            return BasinCores(potential: system.potential, minima: minima, cores: specs.map { ($0.name, $0.core!) },
                              signature: signature, fraction: quench.coreFraction, tolerance: quench.tolerance)
        }
        let named = specs.isEmpty ? system.minimumNames.map { ($0, $0) } : specs.map { ($0.name, ($0.basin ?? $0.minimum)!) }
        let minima = try named.map { (name, m) -> (name: String, x: [Double]) in
            guard let x = system.namedConfigurations[m] else {
                let known = system.namedConfigurations.keys.sorted()
                throw CVSpecError("states: the system has no minimum '\(m)'\(DidYouMean.hint(for: m, among: known)); known: \(known.joined(separator: ", "))")
            }
            return (name, x)
        }
        if basins {
            return QuenchStates.basins(potential: system.potential, minima: minima, signature: signature, tolerance: quench.tolerance)
        }
        return QuenchStates.cores(potential: system.potential, minima: minima, signature: signature, radius: quench.radius, steps: quench.steps)
    }
}

extension StateSpec {
    /// With core states and `quench.sensitivity`: the core fractions, the main one first, and the
    /// assignment of each; else nil.
    static func coreVariants(_ specs: [StateSpec], quench: QuenchSpec, system: SimulationSystem) throws -> [(fraction: Double, assignment: any StateAssignment)]? {
        guard !quench.sensitivity.isEmpty, !specs.isEmpty, specs.allSatisfy({ $0.core != nil }) else { return nil }
        return try ([quench.coreFraction] + quench.sensitivity).map { f in
            var q = quench
            q.coreFraction = f
            return (f, try assignment(specs, quench: q, system: system))
        }
    }

    /// What quenched configurations are compared with the minima in: sorted coordination numbers
    /// for particle systems (blind to rotations and permutations), else the coordinates.
    static func defaultSignature(of system: SimulationSystem) -> any CollectiveVariable {
        if let layout = system.layout { return SortedCoordinationNumbers(layout: layout) }
        let d = system.potential.dimension
        return SelectedCoordinates(Array(0..<d), inputDimension: d, names: system.coordinateNames)
    }

    /// The basins of attraction of every named minimum of `system` (converged FIRE quenches).
    static func basinStates(of system: SimulationSystem, tolerance: Double, maxSteps: Int) throws -> QuenchStates {
        let minima = try system.minimumNames.map { name -> (name: String, x: [Double]) in
            guard let x = system.namedConfigurations[name] else { throw CVSpecError("the system names minimum '\(name)' without its configuration") }
            return (name, x)
        }
        guard !minima.isEmpty else { throw CVSpecError("the system has no named minima to quench to") }
        return QuenchStates.basins(potential: system.potential, minima: minima, signature: defaultSignature(of: system),
                                   tolerance: tolerance, maxSteps: maxSteps)
    }
}
