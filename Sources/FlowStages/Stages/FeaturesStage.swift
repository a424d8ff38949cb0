import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: features` — feature maps of particle configurations (DESIGN §6): selections,
/// centering, Kabsch/Wahba alignment (2D and 3D), pairwise distances (sorted or not),
/// coordination numbers (sorted or not), μ2/μ3, dihedrals (angle or cos/sin), as a chain. Keeps
/// `/source_index` (the input's, or the row index) and passes `/weights`, `/time`, `/walker` through.
enum FeaturesStage: StageKind {
    static let name = "features"
    static let version = 1
    static let summary = "feature maps of particle configurations (alignment, distances, coordination numbers, mu2/mu3, dihedrals)"
    static let system = SystemRequirement.optional
    static let inputs = [InputSpec("data", help: "a stage with /x (one configuration per row)")]
    enum Output {
        static let x = SharedDatasets.x.documented(shape: "frames × features", "the features (column names in the attribute 'columns')")
        static let sourceIndex = SharedDatasets.sourceIndex.documented(shape: "frames", "row of the original data each frame comes from")
        static let weights = SharedDatasets.weights.documented(when: "the input has /weights", "the input's weights")
        static let time = OutputDataset.float64("/time", "frames", units: "system time", when: "the input has /time", "the input's frame times")
        static let walker = SharedDatasets.walker.documented(when: "the input has /walker", "the input's walker index of each frame")
    }
    static let outputs = [Output.x, Output.sourceIndex, Output.weights, Output.time, Output.walker]

    struct Parameters: Decodable {
        var map: FeatureMap?
        var chain: [FeatureStep]
        var layout: LayoutSpec?

        enum CodingKeys: String, CodingKey { case map, chain, layout }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            map = try p.optional(.map, help: "a single feature map: positions, pairwise-distances, sorted-pairwise-distances, coordination-numbers, sorted-coordination-numbers, mu2-mu3")
            chain = try p.list(.chain, help: "steps applied in order: select, center, align, then features (each appends columns)")
            layout = try p.optionalGroup(.layout, help: "how /x stores particles (default: the system's)")
            try p.check((map == nil) != chain.isEmpty, .map, "give either map or chain")
        }
    }

    struct LayoutSpec: Decodable {
        var particles: Int
        var dimension: Int
        var order: Order
        enum Order: String, ParameterEnum { case coordinateMajor = "coordinate-major", interleaved }
        enum CodingKeys: String, CodingKey { case particles, dimension, order }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            particles = try p(.particles, default: 1, in: .atLeast(1), help: "number of particles")
            dimension = try p(.dimension, default: 3, in: .closed(1, 3), help: "spatial dimension")
            order = try p(.order, default: .interleaved, help: "interleaved: x1,y1,z1,x2,…; coordinate-major: x1…xN, y1…yN")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        let system = try context.system.map { try SystemFactory.simulationSystem(for: $0, stage: stage) }
        let layout: ParticleLayout
        if let l = p.layout {
            layout = ParticleLayout(particles: l.particles, spatialDimension: l.dimension, order: l.order == .interleaved ? .interleaved : .coordinateMajor)
        } else if let l = system?.layout {
            layout = l
        } else {
            throw FlowError.stageFailed(stage: stage, message: "params.layout: say how /x stores particles, or give a particle system:")
        }
        let input = try context.input("data")
        defer { try? input.close() }
        let x = try input.root.readMatrix(SharedDatasets.x)
        guard x.cols == layout.dimension else {
            throw FlowError.stageFailed(stage: stage, message: "input /x has \(x.cols) columns; the layout has \(layout.particles) × \(layout.spatialDimension) = \(layout.dimension)")
        }
        var pipeline: FeaturePipeline
        do {
            pipeline = try FeaturePipeline(steps: p.map.map { [FeatureStep(feature: $0)] } ?? p.chain, layout: layout)
            if x.rows > 0 { try pipeline.prepare(first: x.row(0), named: system?.namedConfigurations ?? [:]) }
        } catch {
            throw FlowError.stageFailed(stage: stage, message: "params.\(p.map == nil ? "chain" : "map"): \(error)")
        }
        var data: [Double] = []
        var names: [String] = []
        for i in 0..<x.rows {
            if i % 10_000 == 0 {
                try context.checkCancellation()
                context.progress(done: i, total: x.rows)
            }
            let f = pipeline.features(x.row(i))
            data += f.values
            names = f.names
        }
        let out = context.output.root
        try out.write(Output.x, matrix: Matrix(rows: x.rows, cols: names.count, storage: data))
        try out.dataset(Output.x.name).setAttribute("columns", .strings(names))
        let source: [Int64] = input.root.contains(Output.sourceIndex)
            ? try input.root.readIntegers(Output.sourceIndex)
            : (0..<x.rows).map(Int64.init)
        try out.write(Output.sourceIndex, integers: source)
        for d in [Output.weights, Output.time] where input.root.contains(d) {
            try out.write(d, vector: try input.root.readVector(d))
        }
        if input.root.contains(Output.walker) {
            try out.write(Output.walker, integers: try input.root.readIntegers(Output.walker))
        }
    }
}
