import FlowCore
import FlowMD

/// `kind: mueller-brown` — the 2D Müller–Brown potential times `scale` (DESIGN §7).
enum MuellerBrownSystem: SystemKind, SimulationSystemBuilder {
    static let name = "mueller-brown"
    static let summary = "2D Müller–Brown potential (scaled), minima A, B, C"

    struct Parameters: Decodable {
        var beta: Double
        var params: Shape

        struct Shape: Decodable {
            var scale: Double
            enum CodingKeys: String, CodingKey { case scale }
            init(from decoder: Decoder) throws {
                let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
                scale = try p(.scale, default: 0.05, unit: "energy factor", in: .positive,
                              help: "factor multiplying the standard potential (0.05: barriers of a few k_BT at β = 1)")
            }
        }

        enum CodingKeys: String, CodingKey { case beta, params }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            beta = try p(.beta, default: 1.0, unit: "1/energy", in: .positive, help: "inverse temperature β")
            params = try p.group(.params, help: "potential parameters")
        }
    }

    static func build(_ p: Parameters) -> SimulationSystem {
        SimulationSystem(potential: MuellerBrown(scale: p.params.scale), beta: p.beta,
                         namedConfigurations: MuellerBrown.minima,
                         domain: [-1.5...1.2, -0.2...2.0], coordinateNames: ["x", "y"], minimumNames: ["A", "B", "C"])
    }
}
