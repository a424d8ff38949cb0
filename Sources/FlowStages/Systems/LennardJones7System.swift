import FlowCore
import FlowMD

/// `kind: lj7-2d` — seven Lennard-Jones particles in the plane with the soft restraint beyond
/// radius 2 from the centre of mass (DESIGN §7); coordinates x₁…x₇, y₁…y₇. Named states: the four
/// minima (hexagon, capped-parallelogram-1, capped-parallelogram-2, trapezoid). Default states for rates:
/// the hexagon and trapezoid regions in (μ2, μ3) of `LennardJonesStates`.
enum LennardJones7System: SystemKind, SimulationSystemBuilder {
    static let name = "lj7-2d"
    static let summary = "LJ7 cluster in 2D with a confining restraint; minima hexagon, capped parallelograms, trapezoid"

    struct Parameters: Decodable {
        var beta: Double
        var params: Shape

        struct Shape: Decodable {
            var kappa: Double
            var radius: Double
            enum CodingKeys: String, CodingKey { case kappa, radius }
            init(from decoder: Decoder) throws {
                let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
                kappa = try p(.kappa, default: 100, unit: "energy/length²", in: .positive,
                              help: "spring constant κ of the restraint (κ/2)(|x_k − x_c|² − R²) beyond radius R")
                radius = try p(.radius, default: 2, unit: "length", in: .positive, help: "restraint radius R around the centre of mass")
            }
        }

        enum CodingKeys: String, CodingKey { case beta, params }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            beta = try p(.beta, default: 5.0, unit: "1/energy", in: .positive, help: "inverse temperature β (references: 5, 7, 9)")
            params = try p.group(.params, help: "potential parameters")
        }
    }

    static func build(_ p: Parameters) -> SimulationSystem {
        let lj = LennardJonesCluster2D(particles: 7, kappa: p.params.kappa, radius: p.params.radius)
        let minima = LennardJonesMinima.minima(of: lj)
        return SimulationSystem(potential: lj, beta: p.beta, namedConfigurations: minima,
                                coordinateNames: (1...7).map { "x\($0)" } + (1...7).map { "y\($0)" },
                                layout: lj.layout, minimumNames: LennardJonesMinima.fragments.map(\.name),
                                defaultStates: LennardJonesStates.hexagonTrapezoid(layout: lj.layout))
    }
}
