import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: report` — figures (PNG via gnuplot) and `report.md` from any artifacts (DESIGN §6).
/// Takes any number of inputs; the report lists how each was produced (stage, kind, cache key and
/// output digest), draws the requested figures and
/// lists every input's datasets with their shapes. The files are published into
/// `results/<workflow>/` and stored in the output's `/files` group; the markdown file is named
/// after the stage (`report` → `report.md`), so several report stages never overwrite each other.
enum ReportStage: StageKind {
    static let name = "report"
    static let version = 4
    static let summary = "figures (gnuplot PNG) and report.md from any artifacts"
    static let inputs: [InputSpec] = []
    static let acceptsAnyInputs = true
    static let system = SystemRequirement.optional
    static let outputs = [SharedDatasets.files.documented("<stage>.md, the report (also written to results/<workflow>/<stage>.md), and <figure>.png for each figure")]

    struct Parameters: Decodable {
        var title: String?
        var figures: [FigureSpec]
        var tables: [TableSpec]

        enum CodingKeys: String, CodingKey { case title, figures, tables }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            title = try p.optional(.title, help: "report title (default: the workflow's description or name)")
            figures = try p.list(.figures, help: "figures to draw; without any, every input with a 2-column /x gets a scatter plot")
            tables = try p.list(.tables, help: "tables of numbers next to their references (compare: vectors such as eigenvalues; inputs: one row per input)")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let system = try context.system.map { try SystemFactory.simulationSystem(for: $0, stage: context.stageName) }
        var figures = p.figures
        if figures.isEmpty { figures = try defaultFigures(context) }
        var md = "# \(p.title ?? context.workflow.description ?? context.workflow.name)\n\n"
        md += "Workflow `\(context.workflow.qualifiedName)` (`\(context.workflow.file)`), report stage `\(context.stageName)`.\n\n"
        md += stageTable(context)
        if !p.tables.isEmpty { md += "## Results\n\n" }
        for table in p.tables { md += try table.render(context) }
        let plot = Gnuplot(directory: try context.makeTemporaryDirectory("gnuplot"))
        defer { plot.cleanup() }
        if !figures.isEmpty { md += "## Figures\n\n" }
        for (i, f) in figures.enumerated() {
            try context.checkCancellation()
            let file = f.file ?? "\(context.stageName)-\(f.input)-\(i + 1).png"
            let png = try FigureRenderer(spec: f, context: context, system: system, plot: plot).render(name: file)
            try context.publish(file: file, contents: png)
            md += "![\(f.title ?? file)](\(file))\n\n"
            context.progress(done: i + 1, total: figures.count, note: file)
        }
        md += try datasetSection(context)
        try context.publish(file: "\(context.stageName).md", contents: Data(md.utf8))
    }

    static func defaultFigures(_ context: StageContext) throws -> [FigureSpec] {
        var out: [FigureSpec] = []
        for name in context.inputNames {
            let f = try context.input(name)
            defer { try? f.close() }
            if f.root.contains(SharedDatasets.x), !f.root.isGroup(SharedDatasets.x.name) {
                let shape = try f.root.dataset(SharedDatasets.x.name).shape
                if shape.count == 2, shape[1] == 2 { out.append(FigureSpec(input: name)) }
            }
        }
        return out
    }

    /// How each input was produced: the provenance table of the report. It holds only what
    /// the inputs determine (stage, kind, cache key, content digest), so the report, like every
    /// other output, is the same bytes whenever its inputs and parameters are; when and how long
    /// each stage ran is in the run records (`flow runs`).
    static func stageTable(_ context: StageContext) -> String {
        var md = "## Stages\n\n| input | stage | kind | key | output digest |\n|---|---|---|---|---|\n"
        for name in context.inputNames {
            if let u = context.upstream(name) {
                md += "| \(name) | \(u.stage) | \(u.kind) | `\(u.key.prefix(12))` | `\(u.digest.prefix(12))` |\n"
            } else {
                md += "| \(name) | file `\(context.inputFileName(name) ?? "?")` | – | – | – |\n"
            }
        }
        return md + "\n"
    }

    static func datasetSection(_ context: StageContext) throws -> String {
        var md = "## Datasets\n\n"
        for name in context.inputNames {
            guard let path = context.inputPath(name), HDF5File.isHDF5(path) else { continue }
            let f = try context.input(name)
            defer { try? f.close() }
            md += "**\(name)**\n\n| dataset | shape | type |\n|---|---|---|\n"
            func walk(_ g: HDF5Group, _ prefix: String) throws {
                for child in try g.children() where !(prefix.isEmpty && child == "files") {
                    if g.isGroup(child) {
                        try walk(try g.group(child), prefix + "/" + child)
                    } else {
                        let d = try g.dataset(child)
                        md += "| `\(prefix)/\(child)` | \(d.shape.map(String.init).joined(separator: " × ")) | \(d.elementType.rawValue) |\n"
                    }
                }
            }
            try walk(f.root, "")
            md += "\n"
        }
        return md
    }
}

/// One figure of a report.
struct FigureSpec: Decodable {
    enum Kind: String, ParameterEnum { case scatter, line, heatmap, grid }

    var type: Kind
    var input: String
    var x: String
    var y: [String]
    var color: String?
    var contours: Bool
    var title: String?
    var file: String?
    var logY: Bool
    var maxPoints: Int
    var weights: String?
    var bins: [Int]
    var xRange: [Double]
    var yRange: [Double]
    var beta: Double?
    var maxFreeEnergy: Double?
    var units: String
    var z: String
    var levels: Int
    var contourZ: String?
    var overlays: [OverlaySpec]

    enum CodingKeys: String, CodingKey {
        case type, input, x, y, color, contours, title, file, weights, bins, beta, units, z, levels, overlays
        case contourZ = "contour_z"
        case logY = "log_y"
        case maxPoints = "max_points"
        case xRange = "x_range"
        case yRange = "y_range"
        case maxFreeEnergy = "max_free_energy"
    }

    init(input: String) {
        type = .scatter
        self.input = input
        x = "/x:0"
        y = ["/x:1"]
        contours = true
        logY = false
        maxPoints = 20_000
        bins = [60, 60]
        xRange = []
        yRange = []
        units = "energy"
        z = "/grid/values:0"
        levels = 12
        overlays = []
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        type = try p(.type, default: .scatter, help: "scatter: points of y against x; line: curves of each y against x; heatmap: free energy F = −β⁻¹ ln p of (x, y[0]) from a weighted 2-D histogram; grid: a function given on a grid (z over x × y), as an image with contour lines")
        input = try p(.input, default: "", help: "name of the report input to plot")
        x = try p(.x, default: "/x:0", help: "[input:]dataset[:column] for the horizontal axis (another report input with input:), or index for the row number; grid: the axis dataset, e.g. /grid/x")
        y = try p(.y, default: ["/x:1"], help: "[input:]dataset[:column] for the vertical axis (line: one curve each); grid: the axis dataset, e.g. /grid/y")
        color = try p.optional(.color, help: "scatter: dataset[:column] giving each point's colour")
        contours = try p(.contours, default: true, help: "scatter: contour lines of the report's 2-D system potential; heatmap: contour lines of F every k_BT = 1/β")
        title = try p.optional(.title, help: "figure title")
        file = try p.optionalFileName(.file, help: "PNG file name (default <stage>-<input>-<n>.png)")
        logY = try p(.logY, default: false, help: "logarithmic vertical axis")
        maxPoints = try p(.maxPoints, default: 20_000, in: .atLeast(10), help: "scatter: at most this many points (evenly thinned)")
        weights = try p.optional(.weights, help: "heatmap: dataset[:column] of per-sample weights, e.g. /weights of a metadynamics run (default: all 1)")
        bins = try p(.bins, default: [60, 60], help: "heatmap: number of bins along x and y")
        xRange = try p(.xRange, default: [], help: "heatmap: [min, max] of x (default: the data's range)")
        yRange = try p(.yRange, default: [], help: "heatmap: [min, max] of y (default: the data's range)")
        beta = try p.optional(.beta, unit: "1/energy", in: .greaterThan(0), help: "heatmap: β of F = −β⁻¹ ln p (default: the report's system)")
        maxFreeEnergy = try p.optional(.maxFreeEnergy, unit: "energy", in: .greaterThan(0), help: "heatmap: top of the colour scale (F above it is drawn in the top colour; default: the largest F)")
        units = try p(.units, default: "energy", help: "heatmap: energy unit named on the colour bar")
        z = try p(.z, default: "/grid/values:0", help: "grid: dataset[:component] of the values, ny × nx (× components), values[j, i] at (x[i], y[j])")
        levels = try p(.levels, default: 12, in: .atLeast(1), help: "grid: number of contour levels")
        contourZ = try p.optional(.contourZ, help: "grid: dataset[:component] on the same grid whose contour lines are drawn over the image of z instead of z's own, e.g. /committor:0 over /free_energy (levels evenly spaced over its range: 9 gives q = 0.1, …, 0.9 for a committor)")
        overlays = try p.list(.overlays, help: "curves or points drawn on top (e.g. minimum-energy paths, a decoder curve), each from any report input")
        try p.check(!input.isEmpty, .input, "name the report input to plot (one of the keys under inputs:)")
        try p.check(!y.isEmpty, .y, "give at least one dataset")
        try p.check(bins.count == 2 && bins.allSatisfy { $0 >= 2 }, .bins, "give two bin counts, each at least 2")
        try p.checkAllocation(.bins, bins, what: "bins along x × y", fix: "lower bins")
        try p.check(xRange.isEmpty || (xRange.count == 2 && xRange[0] < xRange[1]), .xRange, "give [min, max] with min < max")
        try p.check(yRange.isEmpty || (yRange.count == 2 && yRange[0] < yRange[1]), .yRange, "give [min, max] with min < max")
    }
}
