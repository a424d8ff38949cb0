import FlowCore
import FlowMD

/// `kind: harmonic` — V = ½ Σ kᵢ (xᵢ − cᵢ)², a Gaussian target with known moments (tests, demos).
enum HarmonicSystem: SystemKind, SimulationSystemBuilder {
    static let name = "harmonic"
    static let summary = "harmonic well ½ Σ k_i (x_i − c_i)² (Gaussian target with known moments)"

    struct Parameters: Decodable {
        var beta: Double
        var params: Shape

        struct Shape: Decodable {
            var stiffness: [Double]
            var center: [Double]?
            enum CodingKeys: String, CodingKey { case stiffness, center }
            init(from decoder: Decoder) throws {
                let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
                stiffness = try p(.stiffness, default: [1.0, 1.0], unit: "energy/length²", help: "stiffness k_i per coordinate (the dimension is their number)")
                center = try p.optional(.center, unit: "length", help: "centre c (default: the origin)")
                try p.check(!stiffness.isEmpty && stiffness.allSatisfy { $0 > 0 }, .stiffness, "give at least one positive stiffness")
                try p.check(center.map { $0.count == stiffness.count } ?? true, .center, "needs one coordinate per stiffness (\(stiffness.count))")
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
        let well = HarmonicWell(stiffness: p.params.stiffness, center: p.params.center)
        let box = zip(well.stiffness, well.center).map { k, c in (c - 5 / (p.beta * k).squareRoot())...(c + 5 / (p.beta * k).squareRoot()) }
        return SimulationSystem(potential: well, beta: p.beta, namedConfigurations: ["center": well.center], domain: box)
    }
}
