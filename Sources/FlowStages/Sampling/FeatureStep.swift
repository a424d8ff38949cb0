import FlowCore
import FlowMD

/// One step of a `features` chain. Steps that transform the particles (`select`, `center`,
/// `align`) apply to every later step; feature steps (`positions`, `distances`, `coordination`,
/// `moments`, `dihedrals`) each append columns.
struct FeatureStep: Decodable {
    var select: [Int]?
    var center: Bool?
    var align: String?
    var positions: Bool?
    var distances: DistanceOptions?
    var coordination: CoordinationOptions?
    var moments: MomentOptions?
    var dihedrals: DihedralOptions?

    enum CodingKeys: String, CodingKey { case select, center, align, positions, distances, coordination, moments, dihedrals }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        select = try p.optional(.select, help: "keep these particles (0-based), in this order")
        center = try p.optional(.center, help: "true: move the centroid to the origin")
        align = try p.optional(.align, help: "centre and rotate onto a reference (Kabsch/Wahba, 2D or 3D): 'first' (frame 0) or a named configuration of the system")
        positions = try p.optional(.positions, help: "true: the particle coordinates as features")
        distances = try p.optionalGroup(.distances, help: "pairwise distances")
        coordination = try p.optionalGroup(.coordination, help: "coordination numbers")
        moments = try p.optionalGroup(.moments, help: "central moments of the coordination numbers (mu2, mu3)")
        dihedrals = try p.optionalGroup(.dihedrals, help: "dihedral angles of 3D particles")
        let set = [select != nil, center != nil, align != nil, positions != nil, distances != nil, coordination != nil,
                   moments != nil, dihedrals != nil].filter { $0 }.count
        try p.check(set == 1, .select, "each chain step has exactly one of: select, center, align, positions, distances, coordination, moments, dihedrals")
    }

    init(feature map: FeatureMap) {
        switch map {
        case .positions: positions = true
        case .pairwiseDistances: distances = DistanceOptions(sorted: false, squared: false)
        case .sortedPairwiseDistances: distances = DistanceOptions(sorted: true, squared: false)
        case .coordinationNumbers: coordination = CoordinationOptions(sorted: false, cutoff: 1.5)
        case .sortedCoordinationNumbers: coordination = CoordinationOptions(sorted: true, cutoff: 1.5)
        case .mu2mu3: moments = MomentOptions(orders: [2, 3], cutoff: 1.5)
        }
    }

    struct DistanceOptions: Decodable {
        var sorted: Bool
        var squared: Bool
        enum CodingKeys: String, CodingKey { case sorted, squared }
        init(sorted: Bool, squared: Bool) { self.sorted = sorted; self.squared = squared }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            sorted = try p(.sorted, default: false, help: "sort increasingly (permutation invariant)")
            squared = try p(.squared, default: false, help: "squared distances")
        }
    }

    struct CoordinationOptions: Decodable {
        var sorted: Bool
        var cutoff: Double
        enum CodingKeys: String, CodingKey { case sorted, cutoff }
        init(sorted: Bool, cutoff: Double) { self.sorted = sorted; self.cutoff = cutoff }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            sorted = try p(.sorted, default: true, help: "sort increasingly (permutation invariant)")
            cutoff = try p(.cutoff, default: 1.5, unit: "length", in: .positive, help: "switching distance r₀")
        }
    }

    struct MomentOptions: Decodable {
        var orders: [Int]
        var cutoff: Double
        enum CodingKeys: String, CodingKey { case orders, cutoff }
        init(orders: [Int], cutoff: Double) { self.orders = orders; self.cutoff = cutoff }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            orders = try p(.orders, default: [2, 3], help: "moment orders (≥ 2)")
            cutoff = try p(.cutoff, default: 1.5, unit: "length", in: .positive, help: "switching distance r₀")
            try p.check(!orders.isEmpty && orders.allSatisfy { $0 >= 2 }, .orders, "orders must be ≥ 2")
        }
    }

    struct DihedralOptions: Decodable {
        var quadruples: [[Int]]
        var form: AngleForm
        enum AngleForm: String, ParameterEnum { case angle, cosSin = "cos-sin" }
        enum CodingKeys: String, CodingKey { case quadruples, form = "as" }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            quadruples = try p(.quadruples, default: [], help: "particle quadruples (0-based), one dihedral each")
            form = try p(.form, default: .angle, help: "angle: radians in (−π, π]; cos-sin: (cos φ, sin φ), continuous across ±π")
            try p.check(!quadruples.isEmpty && quadruples.allSatisfy { $0.count == 4 }, .quadruples, "give quadruples of 4 particle indices")
        }
    }
}

/// The one-step shortcuts of `features` (`map: sorted-coordination-numbers`).
enum FeatureMap: String, ParameterEnum {
    case positions
    case pairwiseDistances = "pairwise-distances"
    case sortedPairwiseDistances = "sorted-pairwise-distances"
    case coordinationNumbers = "coordination-numbers"
    case sortedCoordinationNumbers = "sorted-coordination-numbers"
    case mu2mu3 = "mu2-mu3"
}
