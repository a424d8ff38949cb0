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
///
/// The grid's modes are ranked by eigenvalue over the whole box, including modes that live where
/// the samples barely go (Müller–Brown at scale 0.05: λ₂ lives on the plateau x < −1.5, y > 1.5,
/// about 7 k_BT up, under 0.1 % of the Boltzmann mass). /modes says where each mode lives (the
/// diffusion map's `ModeDiagnostics` on the cells, measure π), and `match` pairs each eigenvector
/// of a sampled method with the grid eigenfunction it correlates with on the samples, so a report
/// compares a method's λ_k with the grid mode it actually estimates, not the one of the same rank.
enum GridSpectrumStage: StageKind {
    static let name = "grid-spectrum"
    static let version = 3
    static let summary = "reference eigenvalues/eigenfunctions of the Langevin generator on a grid (1-D/2-D systems, SqRA)"
    static let system = SystemRequirement.required
    static let inputs = [InputSpec("data", required: false,
                                   help: "optional samples (/x, system coordinates): the eigenfunctions are interpolated at them (/values)")]
    static let acceptsAnyInputs = true
    enum Output {
        static let eigenvalues = OutputDataset.float64("/eigenvalues", "count", units: "1/time",
            "λ₁ ≤ λ₂ ≤ … > 0 with L f = −λ f, L = β⁻¹Δ − ∇V·∇ (trivial λ₀ = 0 left out); attribute trivial_eigenvalue; root attribute eigenvalues_half_resolution with refinement")
        static let grid = OutputDataset.group("/grid",
            "x (cell centres), y (2-D), values (eigenfunctions normalized Σ π f² = 1, NaN in removed cells: 2-D ny × nx × count, y slowest; 1-D nx × count), potential (V at the cell centres)")
        static let values = OutputDataset.float64("/values", "n × count", when: "an input 'data' is given",
            "the eigenfunctions at the samples (bilinear interpolation between cell centres)")
        static let sourceIndex = SharedDatasets.sourceIndex.documented(when: "the input 'data' has one", "copied from the input, so rows align with other stages")
        static let modes = OutputDataset.float64("/modes", "count × 4",
            "per eigenfunction: participation ratio 1/Σπf⁴, effective cells, Boltzmann mass and cell count of the support holding 90 % of its weight πf² (attribute columns; centroids and extents per mode as attributes)")
        static let match = OutputDataset.group("/match", when: "params.match is given",
            "per matched set <label>: eigenvalue (the set's λ_k), grid_mode (1-based grid eigenfunction with the largest |correlation| on the common samples), grid_eigenvalue, overlap (that |correlation|)")
    }
    static let outputs = [Output.eigenvalues, Output.grid, Output.values, Output.sourceIndex, Output.modes, Output.match]

    struct MatchSpec: Decodable, Equatable {
        var label: String
        var input: String
        var dataset: String
        var eigenvalues: String

        enum CodingKeys: String, CodingKey { case label, input, dataset, eigenvalues }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            label = try p(.label, default: "", help: "name of the set (a group under /match)")
            input = try p(.input, default: "", help: "the input (a key under inputs:) holding the eigenvectors")
            dataset = try p(.dataset, default: "/eigenvectors",
                            help: "eigenvectors at samples, one column per mode (rows matched to input 'data' through the /source_index of its group, else the input's)")
            eigenvalues = try p(.eigenvalues, default: "/generator_eigenvalues", help: "the set's eigenvalues λ > 0, one per column")
            try p.check(!label.isEmpty && !label.contains("/"), .label, "give the set a label without '/'")
            try p.check(!input.isEmpty, .input, "name the input that holds the eigenvectors")
        }
    }

    struct Parameters: Decodable {
        var points: Int
        var count: Int
        var maxEnergy: Double
        var box: [[Double]]?
        var refinement: Bool
        var match: [MatchSpec]

        enum CodingKeys: String, CodingKey {
            case points, count, box, refinement, match
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
            match = try p.list(.match, help: "sampled eigenvector sets to pair with the grid eigenfunctions they correlate with: {label, input, dataset, eigenvalues} (needs input 'data')")
            try p.check(Set(match.map(\.label)).count == match.count, .match, "labels must differ")
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
        try writeModes(generator, spectrum: spectrum, count: p.count, to: out, context: context)
        if context.hasInput("data") {
            let input = try LearningInput("data", of: context, expected: "samples of the system (simulate, load)")
            defer { input.close() }
            let samples = try input.samples(useWeights: false, system: system)
            let values = (1...p.count).map { generator.interpolate(spectrum.eigenfunctions.column($0), at: samples.x) }
            try out.write(Output.values, matrix: Matrix(rows: samples.count, cols: p.count,
                                                        storage: (0..<samples.count).flatMap { i in values.map { $0[i] } }))
            let source = try input.sourceIndex()
            if let source {
                try out.write(Output.sourceIndex, integers: source.map(Int64.init))
            }
            let gridEigenvalues = Array(spectrum.eigenvalues.dropFirst())
            for spec in p.match {
                try match(spec, gridValues: values, gridEigenvalues: gridEigenvalues, sampleSource: source ?? Array(0..<samples.count),
                          to: out, context: context)
            }
        } else if !p.match.isEmpty {
            throw fail("params.match needs input 'data' (the samples the sets are compared on)")
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

    /// `/modes`: where each grid eigenfunction lives, with π over the retained cells as the measure.
    static func writeModes(_ g: GridGenerator, spectrum: GridSpectrum, count: Int, to out: HDF5Group, context: StageContext) throws {
        let modes = (1...count).map { ModeDiagnostics(eigenvector: spectrum.eigenfunctions.column($0), measure: g.stationary, points: g.stateCoordinates) }
        for (k, mode) in modes.enumerated() { context.log("λ\(k + 1): \(mode.summary)") }
        try out.write(Output.modes, values: modes.flatMap { [$0.participationRatio, $0.effectiveSamples, $0.supportMass, Double($0.supportSamples)] },
                      shape: [count, 4])
        let d = try out.dataset(Output.modes.name)
        try d.setAttribute("columns", .strings(["participation_ratio", "effective_cells", "support_mass", "support_cells"]))
        try d.setAttribute("centroids", .doubles(modes.flatMap(\.centroid)))
        try d.setAttribute("extents", .doubles(modes.flatMap(\.extent)))
    }

    /// `/match/<label>/*`: each column of the set paired with the grid eigenfunction of largest
    /// |Pearson correlation| over the samples both cover (the samples are Boltzmann samples, so
    /// their average is the π-average: this is the normalized overlap ⟨f, g⟩_π of the centred
    /// functions).
    static func match(_ spec: MatchSpec, gridValues: [[Double]], gridEigenvalues: [Double], sampleSource: [Int],
                      to out: HDF5Group, context: StageContext) throws {
        guard context.hasInput(spec.input) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "params.match '\(spec.label)': no input '\(spec.input)'; inputs: \(context.inputNames.joined(separator: ", "))")
        }
        let input = try LearningInput(spec.input, of: context, expected: "an output with \(spec.dataset)")
        defer { input.close() }
        let name = String(spec.dataset.drop { $0 == "/" })
        let vectors = try input.matrix(name)
        let lambdas = try input.matrix(String(spec.eigenvalues.drop { $0 == "/" })).storage
        guard lambdas.count >= vectors.cols else {
            throw input.problem("\(spec.eigenvalues) has \(lambdas.count) values for \(vectors.cols) columns of /\(name)")
        }
        let source = try input.sourceIndex(of: name)
        if let source, source.count != vectors.rows { throw input.problem("/source_index has \(source.count) entries for \(vectors.rows) rows of /\(name)") }
        var rowOfSample: [Int: Int] = [:]
        for (i, s) in sampleSource.enumerated() where rowOfSample[s] == nil { rowOfSample[s] = i }
        var pairs: [(Int, Int)] = []
        for i in 0..<vectors.rows { if let r = rowOfSample[source?[i] ?? i] { pairs.append((i, r)) } }
        guard pairs.count >= 3 else { throw input.problem("/\(name) shares \(pairs.count) samples with input 'data'; match needs rows of the same samples") }
        var modes = [Int](), overlaps = [Double]()
        for c in 0..<vectors.cols {
            let f = pairs.map { vectors[$0.0, c] }
            let correlations = gridValues.map { g in abs(Statistics.correlation(f, pairs.map { g[$0.1] })) }
            let best = correlations.indices.max { correlations[$0] < correlations[$1] }!
            modes.append(best + 1)
            overlaps.append(correlations[best])
        }
        let group = "match/\(spec.label)"
        try out.write("\(group)/eigenvalue", vector: Array(lambdas.prefix(vectors.cols)))
        try out.write("\(group)/grid_mode", vector: modes.map(Double.init))
        try out.write("\(group)/grid_eigenvalue", vector: modes.map { gridEigenvalues[$0 - 1] })
        try out.write("\(group)/overlap", vector: overlaps)
        context.log("\(spec.label): " + (0..<modes.count).map { String(format: "λ%d = %.5g ↔ grid λ%d = %.5g (|corr| %.3f)", $0 + 1, lambdas[$0], modes[$0], gridEigenvalues[modes[$0] - 1], overlaps[$0]) }.joined(separator: "; ")
                    + " on \(pairs.count) samples")
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
