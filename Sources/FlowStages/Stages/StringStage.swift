import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: string` — the minimum-energy path between two minima by the zero-temperature string
/// method, with the saddle point refined by Newton's method (DESIGN §6).
enum StringStage: StageKind {
    static let name = "string"
    static let version = 2
    static let summary = "minimum-energy path between two minima and its saddle (zero-temperature string method)"
    static let system = SystemRequirement.required
    static let inputs: [InputSpec] = []
    enum Output {
        static let path = OutputDataset.float64("/path", "images × D", "images equally spaced in arc length, endpoints = the relaxed minima")
        static let energy = OutputDataset.float64("/energy", "images", units: "system energy", "potential energy of each image")
        static let arclength = OutputDataset.float64("/arclength", "images", "normalized arc length of each image")
        static let saddle = OutputDataset.float64("/saddle", "D", "the refined saddle point; attributes energy, gradient_norm, index")
    }
    static let outputs = [Output.path, Output.energy, Output.arclength, Output.saddle]

    struct Parameters: Decodable {
        var from: InitialState
        var to: InitialState
        var images: Int
        var tolerance: Double
        var maxIterations: Int
        var refineSaddle: Bool

        enum CodingKeys: String, CodingKey {
            case from, to, images, tolerance
            case maxIterations = "max_iterations"
            case refineSaddle = "refine_saddle"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            from = try p(.from, literal: "A", help: "start: a named state of the system or coordinates (relaxed to the nearest minimum)")
            to = try p(.to, literal: "B", help: "end: a named state or coordinates (relaxed to the nearest minimum)")
            images = try p(.images, default: 50, in: .atLeast(3), help: "number of images along the string")
            try p.checkAllocation(.images, [images], what: "images", fix: "lower images")
            tolerance = try p(.tolerance, default: 1e-8, in: .positive,
                              help: "stop when no image moves more than tolerance × |end − start| over 20 iterations")
            maxIterations = try p(.maxIterations, default: 200_000, in: .atLeast(1), help: "iteration limit")
            refineSaddle = try p(.refineSaddle, default: true,
                                 help: "refine the highest image to the saddle point by Newton's method (finite-difference Hessian)")
            try p.check(from != to, .to, "must differ from 'from'")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let system = try SystemFactory.simulationSystem(for: context.system, stage: context.stageName)
        let a = try p.from.configurations(walkers: 1, in: system, context: context, parameter: "from")[0]
        let b = try p.to.configurations(walkers: 1, in: system, context: context, parameter: "to")[0]
        let method = ZeroTemperatureString(images: p.images, tolerance: p.tolerance, maxIterations: p.maxIterations,
                                           refineSaddle: p.refineSaddle)
        let path: MinimumEnergyPath
        do {
            path = try method.run(system.potential, from: a, to: b, monitor: context.monitor)
        } catch let e as PathError {
            throw FlowError.stageFailed(stage: context.stageName, message: e.description)
        }
        if !path.converged {
            context.log("the string did not converge in \(p.maxIterations) iterations; raise max_iterations or tolerance")
        }
        if p.refineSaddle, path.saddleIndex != 1 {
            context.log("the refined stationary point has \(path.saddleIndex) negative curvatures (a first-order saddle has 1)")
        }
        let out = context.output.root
        let d = system.potential.dimension
        try out.write(Output.path, matrix: Matrix(rows: path.images.count, cols: d, storage: path.images.flatMap { $0 }))
        try out.write(Output.energy, vector: path.energies)
        try out.write(Output.arclength, vector: path.arcLength)
        try out.write(Output.saddle, vector: path.saddle)
        let saddle = try out.dataset(Output.saddle.name)
        try saddle.setAttribute("energy", .double(path.saddleEnergy))
        try saddle.setAttribute("gradient_norm", .double(path.saddleGradientNorm))
        try saddle.setAttribute("index", .int(Int64(path.saddleIndex)))
        try out.setAttribute("iterations", .int(Int64(path.iterations)))
        try out.setAttribute("converged", .int(path.converged ? 1 : 0))
        try out.setAttribute("perpendicular_gradient", .double(path.perpendicularGradient))
        try out.setAttribute("coordinate_names", .strings(system.coordinateNames))
        context.log(String(format: "saddle energy %.6f at image %d, |∇V| %.2e, index %d, %d iterations",
                           path.saddleEnergy, path.highestImage, path.saddleGradientNorm, path.saddleIndex, path.iterations))
    }
}
