import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: histogram` — the distribution of one column of an input dataset (a dihedral from
/// `features`, a CV from `simulate`), weighted by the input's `/weights` when it has them (so
/// biased runs give unbiased distributions), as counts, a normalized density and, with a
/// system, the free energy −k_BT ln p. Values are multiplied by `scale` first (180/π turns
/// radians into degrees); values outside `range` are left out and counted in the log.
enum HistogramStage: StageKind {
    static let name = "histogram"
    static let version = 1
    static let summary = "weighted histogram of one column: counts, density, free energy −kT ln p"
    static let system = SystemRequirement.optional
    static let inputs = [InputSpec("data", help: "a stage output with the dataset to bin (and optionally /weights)")]
    enum Output {
        static let centers = OutputDataset.float64("/centers", "bins", "bin centres (scaled units)")
        static let edges = OutputDataset.float64("/edges", "bins + 1", "bin edges (scaled units)")
        static let counts = OutputDataset.float64("/counts", "bins", "weighted number of samples per bin")
        static let density = OutputDataset.float64("/density", "bins", "probability density: Σ density × width = 1")
        static let freeEnergy = OutputDataset.float64("/free_energy", "bins", units: "system energy", when: "a system is given",
                                                      "−k_BT ln density, shifted to minimum 0; NaN in empty bins")
    }
    static let outputs = [Output.centers, Output.edges, Output.counts, Output.density, Output.freeEnergy]

    struct Parameters: Decodable {
        var dataset: String
        var column: Int
        var bins: Int
        var range: [Double]
        var scale: Double
        var weighted: Bool

        enum CodingKeys: String, CodingKey { case dataset, column, bins, range, scale, weighted }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            dataset = try p(.dataset, default: "x", help: "dataset of the input to bin (rows are samples)")
            column = try p(.column, default: 0, in: .atLeast(0), help: "column of a 2-D dataset")
            bins = try p(.bins, default: 50, in: .atLeast(1), help: "number of bins")
            try p.checkAllocation(.bins, [bins], what: "bins", fix: "lower bins")
            range = try p(.range, default: [], help: "[lower, upper] edges after scaling (default: the data's minimum and maximum)")
            scale = try p(.scale, default: 1.0, help: "factor applied to the values before binning (57.29577951308232: radians to degrees)")
            weighted = try p(.weighted, default: true, help: "weight samples by the input's /weights when it has them")
            try p.check(range.isEmpty || (range.count == 2 && range[0] < range[1]), .range, "give [lower, upper] with lower < upper")
            try p.check(scale != 0 && scale.isFinite, .scale, "must be a finite non-zero factor")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        let input = try context.input("data")
        defer { try? input.close() }
        let name = String(p.dataset.drop { $0 == "/" })
        guard input.root.contains(name), !input.root.isGroup(name) else {
            throw FlowError.stageFailed(stage: stage, message: "input 'data' has no dataset /\(name); set params.dataset")
        }
        let (raw, shape) = try input.root.read(name, as: Double.self)
        let width = shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *)
        guard p.column < width else {
            throw FlowError.stageFailed(stage: stage, message: "params.column \(p.column): /\(name) has \(width) column\(width == 1 ? "" : "s")")
        }
        let values = Swift.stride(from: p.column, to: raw.count, by: width).map { raw[$0] * p.scale }
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else {
            throw FlowError.stageFailed(stage: stage, message: "/\(name) is empty or holds non-finite values")
        }
        var weights = [Double](repeating: 1, count: values.count)
        if p.weighted, input.root.contains(SharedDatasets.weights) {
            weights = try input.root.readVector(SharedDatasets.weights)
            guard weights.count == values.count else {
                throw FlowError.stageFailed(stage: stage, message: "/weights has \(weights.count) rows, /\(name) \(values.count); set weighted: false")
            }
        }
        let lower = p.range.first ?? values.min()!, upper = p.range.last ?? values.max()!
        let span = upper > lower ? upper - lower : 1
        let binWidth = span / Double(p.bins)
        var counts = [Double](repeating: 0, count: p.bins)
        var outside = 0
        for (v, w) in zip(values, weights) {
            guard v >= lower, v <= lower + span else { outside += 1; continue }
            counts[min(p.bins - 1, Int((v - lower) / binWidth))] += w
        }
        let total = counts.reduce(0, +)
        guard total > 0 else { throw FlowError.stageFailed(stage: stage, message: "no samples fall inside params.range \(p.range)") }
        let density = counts.map { $0 / (total * binWidth) }
        let out = context.output.root
        try out.write(Output.edges, vector: (0...p.bins).map { lower + Double($0) * binWidth })
        try out.write(Output.centers, vector: (0..<p.bins).map { lower + (Double($0) + 0.5) * binWidth })
        try out.write(Output.counts, vector: counts)
        try out.write(Output.density, vector: density)
        if let system = try context.system.map({ try SystemFactory.simulationSystem(for: $0, stage: stage) }) {
            try out.write(Output.freeEnergy, vector: Statistics.freeEnergy(density: density, beta: system.beta))
        }
        try out.setAttribute("samples", .int(Int64(values.count)))
        context.log("\(values.count) samples of /\(name)[:, \(p.column)] × \(p.scale) in \(p.bins) bins over [\(lower), \(lower + span)]"
                    + (outside > 0 ? "; \(outside) outside the range left out" : ""))
    }
}
