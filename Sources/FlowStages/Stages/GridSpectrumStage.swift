import Foundation
import FlowCore
import FlowHDF5
import FlowAnalysis
import FlowLinalg
import FlowMD

/// `kind: grid-spectrum` — the exact reference spectrum of a 1-D or 2-D system: the
/// slowest eigenvalues and eigenfunctions of the overdamped Langevin generator L = β⁻¹Δ − ∇V·∇
/// on a fine grid over the system's box, by the square-root approximation (`GridGenerator`,
/// F = V, M = I; Lie, Fackeldey & Weber 2013). Eigenvalues are reported as λ > 0 with L f = −λ f,
/// like `eigenfunctions` and `diffusion-map`'s /generator_eigenvalues; the trivial λ₀ = 0 is left
/// out. The same computation at half the resolution is stored as an attribute, so a report can
/// show that the grid has converged (the scheme is second order: halving the spacing divides the
/// error by about 4).
enum GridSpectrumStage: StageKind {
    static let name = "grid-spectrum"
    static let version = 2
    static let summary = "reference eigenvalues/eigenfunctions of the Langevin generator on a grid (1-D/2-D systems, SqRA)"
    static let system = SystemRequirement.required
    static let inputs = [InputSpec("data", required: false,
                                   help: "optional samples (/x, system coordinates): the eigenfunctions are interpolated at them (/values)")]
    enum Output {
        static let eigenvalues = OutputDataset.float64("/eigenvalues", "count", units: "1/time",
            "λ₁ ≤ λ₂ ≤ … > 0 with L f = −λ f, L = β⁻¹Δ − ∇V·∇ (trivial λ₀ = 0 left out); attribute trivial_eigenvalue; root attribute eigenvalues_half_resolution with refinement")
        static let grid = OutputDataset.group("/grid",
            "x (cell centres), y (2-D), values (eigenfunctions normalized Σ π f² = 1, NaN in removed cells: 2-D ny × nx × count, y slowest; 1-D nx × count), potential (V at the cell centres)")
        static let values = OutputDataset.float64("/values", "n × count", when: "an input 'data' is given",
            "the eigenfunctions at the samples (bilinear interpolation between cell centres)")
        static let sourceIndex = SharedDatasets.sourceIndex.documented(when: "the input 'data' has one", "copied from the input, so rows align with other stages")
    }
    static let outputs = [Output.eigenvalues, Output.grid, Output.values, Output.sourceIndex]

    struct Parameters: Decodable {
        var points: Int
        var count: Int
        var maxEnergy: Double
        var box: [[Double]]?
        var refinement: Bool

        enum CodingKeys: String, CodingKey {
            case points, count, box, refinement
            case maxEnergy = "max_energy"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            points = try p(.points, default: 200, in: .atLeast(8), help: "grid cells per axis")
            try p.checkAllocation(.points, [points, points], what: "points × points cells (2-D)", fix: "lower points")
            count = try p(.count, default: 4, in: .atLeast(1), help: "number of non-trivial eigenpairs")
            maxEnergy = try p(.maxEnergy, default: 30.0, unit: "k_BT", in: .positive,
                              help: "cells with β(V − V_min) above this are removed (reflecting wall where e^{−βV} is negligible)")
            box = try p.optional(.box, unit: "length",
                                 help: "[[x_lo, x_hi], [y_lo, y_hi]] (one pair per coordinate); default: the system's box widened until V reaches max_energy on every side")
            refinement = try p(.refinement, default: true, help: "also solve at half resolution and store those eigenvalues (root attribute eigenvalues_half_resolution)")
            try p.check(box.map { b in b.allSatisfy { $0.count == 2 && $0[0] < $0[1] } } ?? true, .box,
                        "give one [lower, upper] pair with lower < upper per coordinate")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        func fail(_ m: String) -> FlowError { .stageFailed(stage: stage, message: m) }
        let system = try SystemFactory.simulationSystem(for: context.system, stage: stage)
        let dimension = system.potential.dimension
        guard dimension <= 2 else {
            throw fail("system '\(context.system?.name ?? "")' has \(dimension) coordinates; grid-spectrum needs a 1-D or 2-D system")
        }
        let box: [ClosedRange<Double>]
        if let b = p.box {
            guard b.count == dimension else { throw fail("params.box has \(b.count) ranges for \(dimension) coordinates") }
            box = b.map { $0[0]...$0[1] }
        } else if let b = ReferenceGrid.box(for: system, maxReducedEnergy: p.maxEnergy) {
            box = b
        } else {
            throw fail("system '\(context.system?.name ?? "")' has no box; give params.box")
        }
        let reference = ReferenceGrid(system: system, box: box, maxReducedEnergy: p.maxEnergy)
        context.log("grid over " + box.map { String(format: "[%.4g, %.4g]", $0.lowerBound, $0.upperBound) }.joined(separator: " × ")
                    + ", \(p.points) cells per axis, β = \(system.beta)")
        let (generator, spectrum) = try solve(reference, cells: p.points, count: p.count, context: context)
        let out = context.output.root
        try out.write(Output.eigenvalues, vector: Array(spectrum.eigenvalues.dropFirst()))
        let eigenvalues = try out.dataset(Output.eigenvalues.name)
        try eigenvalues.setAttribute("trivial_eigenvalue", .double(spectrum.eigenvalues[0]))
        if p.refinement {
            let (_, coarse) = try solve(reference, cells: p.points / 2, count: p.count, context: context)
            let half = Array(coarse.eigenvalues.dropFirst())
            try out.setAttribute("eigenvalues_half_resolution", .doubles(half))
            context.log("half resolution (\(p.points / 2) cells): " + half.map { String(format: "%.6g", $0) }.joined(separator: ", "))
        }
        try writeGrid(generator, spectrum: spectrum, reference: reference, count: p.count, to: out)
        if context.hasInput("data") {
            let input = try LearningInput("data", of: context, expected: "samples of the system (simulate, load)")
            defer { input.close() }
            let samples = try input.samples(useWeights: false, system: system)
            let values = (1...p.count).map { generator.interpolate(spectrum.eigenfunctions.column($0), at: samples.x) }
            try out.write(Output.values, matrix: Matrix(rows: samples.count, cols: p.count,
                                                        storage: (0..<samples.count).flatMap { i in values.map { $0[i] } }))
            if let source = try input.sourceIndex() {
                try out.write(Output.sourceIndex, integers: source.map(Int64.init))
            }
        }
        try out.setAttribute("beta", .double(system.beta))
        try out.setAttribute("box", .doubles(box.flatMap { [$0.lowerBound, $0.upperBound] }))
        try out.setAttribute("states", .int(Int64(generator.stateCount)))
        try out.setAttribute("sign_convention", .string("eigenvalues are λ > 0 with L f = −λ f, L = β⁻¹Δ − ∇V·∇"))
        context.log("eigenvalues " + spectrum.eigenvalues.dropFirst().map { String(format: "%.6g", $0) }.joined(separator: ", "))
    }

    static func solve(_ reference: ReferenceGrid, cells: Int, count: Int, context: StageContext) throws -> (GridGenerator, GridSpectrum) {
        do {
            let generator = try reference.generator(cells: cells)
            guard count + 1 <= generator.stateCount else {
                throw FlowError.stageFailed(stage: context.stageName, message: "params.count \(count) needs more than \(count) retained grid cells, the grid has \(generator.stateCount); raise points or max_energy")
            }
            return (generator, try generator.spectrum(count: count + 1, monitor: context.monitor))
        } catch let e as LinalgError {
            throw FlowError.stageFailed(stage: context.stageName, message: "grid with \(cells) cells per axis: \(e)")
        }
    }

    /// `/grid/*`: axes, eigenfunctions (NaN in removed cells) and the potential, y slowest in 2-D.
    static func writeGrid(_ g: GridGenerator, spectrum: GridSpectrum, reference: ReferenceGrid, count: Int, to out: HDF5Group) throws {
        let xs = (0..<g.axes[0].count).map { g.axes[0].center($0) }
        try out.write("grid/x", vector: xs)
        let columns = (1...count).map { g.onGrid(spectrum.eigenfunctions.column($0)) }
        let potential = reference.energies(g.axes)
        if g.axes.count == 1 {
            try out.write("grid/values", (0..<xs.count).flatMap { i in columns.map { $0[i] } }, shape: [xs.count, count])
            try out.write("grid/potential", vector: potential)
            return
        }
        let ys = (0..<g.axes[1].count).map { g.axes[1].center($0) }
        try out.write("grid/y", vector: ys)
        // Cells are row-major with x slowest; the file layout is [j][i] with y slowest.
        var values = [Double]()
        values.reserveCapacity(xs.count * ys.count * count)
        for j in 0..<ys.count { for i in 0..<xs.count { for c in columns { values.append(c[i * ys.count + j]) } } }
        try out.write("grid/values", values, shape: [ys.count, xs.count, count])
        try out.annotate("grid/values", units: nil, description: "eigenfunctions f_1…f_count; values[j, i, k] at (x[i], y[j]); NaN in removed cells")
        try out.write("grid/potential", (0..<ys.count).flatMap { j in (0..<xs.count).map { potential[$0 * ys.count + j] } },
                      shape: [ys.count, xs.count])
    }
}
