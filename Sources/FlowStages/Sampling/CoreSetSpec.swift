import FlowCore
import FlowMD

/// A named core set in a workflow: around a named minimum of the system (assigned by a short
/// quench), or a box in CV space.
struct CoreSetSpec: Codable {
    var name: String
    var minimum: String?
    var cvs: [CVSpec]
    var lower: [Double]
    var upper: [Double]

    enum CodingKeys: String, CodingKey { case name, minimum, cvs, lower, upper }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        name = try p(.name, default: "", help: "state name")
        minimum = try p.optional(.minimum, help: "a named minimum of the system: the core is where a short quench lands near it")
        cvs = try p(.cvs, default: [], help: "or: CVs whose box [lower, upper] is the core")
        lower = try p(.lower, default: [], help: "lower corner of the CV box")
        upper = try p(.upper, default: [], help: "upper corner of the CV box")
        try p.check(!name.isEmpty, .name, "give the state a name")
        try p.check((minimum != nil) != !cvs.isEmpty, .minimum, "give either minimum or cvs with lower/upper")
        try p.check(cvs.isEmpty || (lower.count == upper.count && !lower.isEmpty), .upper, "give lower and upper per CV component")
    }
}

/// Quench settings for minimum-based core sets.
struct QuenchSpec: Codable {
    var steps: Int
    var radius: Double
    var signature: [CVSpec]

    enum CodingKeys: String, CodingKey { case steps, radius, signature }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        steps = try p(.steps, default: 40, in: .atLeast(0), help: "FIRE steps of the quench before assignment (0: assign the configuration itself)")
        radius = try p(.radius, default: 0.15, in: .positive, help: "core radius around each minimum in the signature space")
        signature = try p(.signature, default: [], help: "CVs compared with the minima (default: sorted-coordination for particle systems, else the coordinates)")
    }
}

extension CoreSetSpec {
    /// The state assignment for a list of specs (all minimum-based or all CV boxes); without
    /// specs, every named minimum of the system.
    static func assignment(_ specs: [CoreSetSpec], quench: QuenchSpec, system: SimulationSystem) throws -> any StateAssignment {
        if !specs.isEmpty && specs.allSatisfy({ $0.minimum == nil }) {
            let cvs = specs[0].cvs
            guard specs.allSatisfy({ $0.cvs == cvs }) else { throw CVSpecError("states: CV boxes must all use the same cvs") }
            let cv = try CVSpec.resolve(cvs, in: system)
            guard specs.allSatisfy({ $0.lower.count == cv.outputDimension }) else {
                throw CVSpecError("states: give lower/upper with \(cv.outputDimension) values (\(cv.componentNames.joined(separator: ", ")))")
            }
            return CVCoreSets(cv: cv, cores: specs.map { CVCoreSets.Core(name: $0.name, lower: $0.lower, upper: $0.upper) })
        }
        guard specs.allSatisfy({ $0.minimum != nil }) else { throw CVSpecError("states: use either minima or CV boxes for all states") }
        let named = specs.isEmpty ? system.minimumNames.map { ($0, $0) } : specs.map { ($0.name, $0.minimum!) }
        let minima = try named.map { (name, m) -> (name: String, x: [Double]) in
            guard let x = system.namedConfigurations[m] else {
                let known = system.namedConfigurations.keys.sorted()
                throw CVSpecError("states: the system has no minimum '\(m)'\(DidYouMean.hint(for: m, among: known)); known: \(known.joined(separator: ", "))")
            }
            return (name, x)
        }
        let signature: any CollectiveVariable
        if !quench.signature.isEmpty {
            signature = try CVSpec.resolve(quench.signature, in: system)
        } else if let layout = system.layout {
            signature = SortedCoordinationNumbers(layout: layout)
        } else {
            let d = system.potential.dimension
            signature = SelectedCoordinates(Array(0..<d), inputDimension: d, names: system.coordinateNames)
        }
        return QuenchCoreSets(potential: system.potential, minima: minima, signature: signature, radius: quench.radius, quenchSteps: quench.steps)
    }
}
