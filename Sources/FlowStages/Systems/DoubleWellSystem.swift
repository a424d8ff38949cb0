import FlowCore
import FlowMD

/// `kind: double-well` — V = h (x₁² − 1)² + ½ k Σ_{i>1} xᵢ², minima left (−1, 0…) and right (1, 0…).
enum DoubleWellSystem: SystemKind, SimulationSystemBuilder {
    static let name = "double-well"
    static let summary = "double well h (x1² − 1)² + ½ k Σ x_i², minima left and right (rates, histograms)"

    struct Parameters: Decodable {
        var beta: Double
        var params: Shape

        struct Shape: Decodable {
            var dimension: Int
            var barrier: Double
            var stiffness: Double
            enum CodingKeys: String, CodingKey { case dimension, barrier, stiffness }
            init(from decoder: Decoder) throws {
                let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
                dimension = try p(.dimension, default: 1, in: .atLeast(1), help: "number of coordinates")
                try p.checkAllocation(.dimension, [dimension], what: "coordinates", fix: "lower dimension")
                barrier = try p(.barrier, default: 1.0, unit: "energy", in: .positive, help: "barrier height h at x1 = 0")
                stiffness = try p(.stiffness, default: 1.0, unit: "energy/length²", in: .positive, help: "stiffness k of the other coordinates")
            }
        }

        enum CodingKeys: String, CodingKey { case beta, params }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            beta = try p(.beta, default: 3.0, unit: "1/energy", in: .positive, help: "inverse temperature β")
            params = try p.group(.params, help: "potential parameters")
        }
    }

    static func build(_ p: Parameters) -> SimulationSystem {
        let well = DoubleWell(dimension: p.params.dimension, barrier: p.params.barrier, stiffness: p.params.stiffness)
        let side = 4 / (p.beta * p.params.stiffness).squareRoot()
        return SimulationSystem(potential: well, beta: p.beta, namedConfigurations: well.minima,
                                domain: [-2.0...2.0] + [ClosedRange<Double>](repeating: -side...side, count: p.params.dimension - 1),
                                minimumNames: ["left", "right"])
    }
}
