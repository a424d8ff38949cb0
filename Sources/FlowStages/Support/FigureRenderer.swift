import Foundation
import FlowCore
import FlowHDF5
import FlowMD

/// Draws one `FigureSpec` with gnuplot.
struct FigureRenderer {
    let spec: FigureSpec
    let context: StageContext
    let system: SimulationSystem?
    let plot: Gnuplot

    func render(name: String) throws -> Data {
        // `file:` is checked at validation; a default name is built from an input's name.
        if let problem = InputLimits.pathComponentProblem(name) {
            throw FlowError.stageFailed(stage: context.stageName, message: "figure file name '\(InputLimits.printable(name))' \(problem); give the figure a plain file: name")
        }
        guard context.hasInput(spec.input) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "figure '\(name)': no input '\(spec.input)'; inputs: \(context.inputNames.joined(separator: ", "))")
        }
        let file = try context.input(spec.input)
        defer { try? file.close() }
        let output = plot.directory + "/" + name
        var script = Gnuplot.header + "set output \(Gnuplot.quote(output))\n"
        if let t = spec.title { script += "set title \(Gnuplot.quote(t))\n" }
        if spec.logY { script += "set logscale y\n" }
        let xs = try column(spec.x, in: file, rowsLike: spec.y[0])
        switch spec.type {
        case .scatter:
            let ys = try column(spec.y[0], in: file, rowsLike: nil)
            let colors = try spec.color.map { try column($0, in: file, rowsLike: nil) }
            let n = min(xs.count, ys.count)
            let step = max(1, n / spec.maxPoints)
            var rows: [[Double]] = []
            for i in Swift.stride(from: 0, to: n, by: step) {
                rows.append(colors.map { [xs[i], ys[i], $0[i]] } ?? [xs[i], ys[i]])
            }
            let points = try plot.data("\(name).points", rows: rows)
            script += "set xlabel \(Gnuplot.quote(label(spec.x, in: file))); set ylabel \(Gnuplot.quote(label(spec.y[0], in: file)))\n"
            var layers: [String] = []
            if spec.contours, let system, system.potential.dimension == 2, let box = system.domain {
                script += try contourTable(system, box: box, name: name)
                script += "set xrange [\(box[0].lowerBound):\(box[0].upperBound)]; set yrange [\(box[1].lowerBound):\(box[1].upperBound)]\n"
                layers.append("\(Gnuplot.quote(plot.directory + "/\(name).contours")) with lines lc rgb '#9a9a9a' lw 1 notitle")
            }
            if colors != nil {
                script += "set palette rgbformulae 33,13,10\nset cblabel \(Gnuplot.quote(label(spec.color!, in: file)))\n"
                layers.append("\(Gnuplot.quote(points)) using 1:2:3 with points pt 7 ps 0.35 lc palette notitle")
            } else {
                layers.append("\(Gnuplot.quote(points)) using 1:2 with points pt 7 ps 0.35 lc rgb '#1f77b4' notitle")
            }
            layers += try overlayLayers(name: name)
            if !spec.overlays.isEmpty { script += "set key outside right top\n" }
            script += "plot " + layers.joined(separator: ", \\\n     ") + "\n"
        case .line:
            var columns: [[Double]] = [xs]
            for y in spec.y { columns.append(try column(y, in: file, rowsLike: nil)) }
            let n = columns.map(\.count).min() ?? 0
            let rows = (0..<n).map { i in columns.map { $0[i] } }
            let data = try plot.data("\(name).lines", rows: rows)
            script += "set xlabel \(Gnuplot.quote(label(spec.x, in: file)))\nset key outside right top\n"
            script += "plot " + spec.y.enumerated().map { i, y in
                "\(Gnuplot.quote(data)) using 1:\(i + 2) with lines lw 2 title \(Gnuplot.quote(label(y, in: file)))"
            }.joined(separator: ", \\\n     ") + "\n"
        case .heatmap:
            script += try heatmap(xs: xs, ys: try column(spec.y[0], in: file, rowsLike: nil),
                                  weights: try spec.weights.map { try column($0, in: file, rowsLike: nil) }, name: name, file: file)
        case .grid:
            script += try gridFigure(file: file, name: name)
        }
        return try plot.render(script, output: output, figure: name)
    }

    /// The heatmap layers: F = −β⁻¹ ln p of (x, y) from the weighted histogram, drawn `with
    /// image` (empty bins are NaN, which gnuplot leaves blank), optional contour lines of F every
    /// k_BT, and a colour bar labelled with the unit.
    func heatmap(xs: [Double], ys: [Double], weights: [Double]?, name: String, file: HDF5File) throws -> String {
        let stage = context.stageName
        guard let beta = spec.beta ?? system?.beta else {
            throw FlowError.stageFailed(stage: stage, message: "figure '\(name)': heatmap needs beta; set the figure's beta or give the report a system")
        }
        let n = min(xs.count, ys.count)
        guard n > 0, weights.map({ $0.count >= n && $0.allSatisfy { $0 >= 0 && $0.isFinite } }) ?? true else {
            throw FlowError.stageFailed(stage: stage, message: "figure '\(name)': weights must be finite, non-negative and one per sample (\(n) samples)")
        }
        func range(_ given: [Double], _ v: ArraySlice<Double>, _ key: String) throws -> ClosedRange<Double> {
            if given.count == 2 { return given[0]...given[1] }
            let lo = v.min() ?? 0, hi = v.max() ?? 0
            guard hi > lo else { throw FlowError.stageFailed(stage: stage, message: "figure '\(name)': all samples have the same \(key); give \(key)_range") }
            return lo...hi
        }
        let h = FreeEnergyHistogram2D(x: Array(xs.prefix(n)), y: Array(ys.prefix(n)), weights: weights.map { Array($0.prefix(n)) },
                                      xBins: spec.bins[0], yBins: spec.bins[1], xRange: try range(spec.xRange, xs.prefix(n), "x"),
                                      yRange: try range(spec.yRange, ys.prefix(n), "y"), beta: beta)
        let (xAxis, yAxis) = (h.histogram.xAxis, h.histogram.yAxis)
        var rows: [[Double]] = []
        for i in 0..<xAxis.count {
            for j in 0..<yAxis.count { rows.append([xAxis.center(i), yAxis.center(j), h.freeEnergy[i * yAxis.count + j]]) }
            rows.append([])
        }
        let grid = try plot.data("\(name).free-energy", rows: rows)
        let top = spec.maxFreeEnergy ?? (h.freeEnergy.filter { !$0.isNaN }.max() ?? 1)
        var script = "set xlabel \(Gnuplot.quote(label(spec.x, in: file))); set ylabel \(Gnuplot.quote(label(spec.y[0], in: file)))\n"
        script += "set xrange [\(xAxis.lower):\(xAxis.upper)]; set yrange [\(yAxis.lower):\(yAxis.upper)]\n"
        script += "set cbrange [0:\(top)]\nset palette rgbformulae 33,13,10\n"
        script += "set cblabel \(Gnuplot.quote("F = −β^{-1} ln p  (\(spec.units); β = \(beta))"))\n"
        var layers = ["\(Gnuplot.quote(grid)) using 1:2:3 with image notitle"]
        if spec.contours {
            let contours = plot.directory + "/\(name).free-energy-contours"
            script += "set contour base\nset cntrparam levels incremental \(1 / beta),\(1 / beta),\(top)\nunset surface\nset view map\n"
            script += "set table \(Gnuplot.quote(contours))\nsplot \(Gnuplot.quote(grid)) using 1:2:3 with lines notitle\n"
            script += "unset table\nunset contour\nset surface\n"
            layers.append("\(Gnuplot.quote(contours)) with lines lc rgb '#202020' lw 0.8 notitle")
        }
        layers += try overlayLayers(name: name)
        return script + "plot " + layers.joined(separator: ", \\\n     ") + "\n"
    }

    /// The overlays' plot clauses, each from its own input.
    func overlayLayers(name: String) throws -> [String] {
        try spec.overlays.enumerated().map { k, overlay in
            guard context.hasInput(overlay.input) else {
                throw FlowError.stageFailed(stage: context.stageName, message: "figure '\(name)': overlay input '\(overlay.input)' is not an input of the report; inputs: \(context.inputNames.joined(separator: ", "))")
            }
            let f = try context.input(overlay.input)
            defer { try? f.close() }
            let xs = try column(overlay.x, in: f, rowsLike: nil), ys = try column(overlay.y, in: f, rowsLike: nil)
            let data = try plot.data("\(name).overlay\(k)", rows: zip(xs, ys).map { [$0, $1] })
            return overlay.layer(data: data)
        }
    }

    /// A function on a grid (values[j, i, k] at (x[i], y[j])) as an image with contour lines,
    /// the system's potential contours optional underneath, and the overlays on top.
    func gridFigure(file: HDF5File, name: String) throws -> String {
        let xs = try column(spec.x, in: file, rowsLike: nil), ys = try column(spec.y[0], in: file, rowsLike: nil)
        let image = try gridField(spec.z, in: file, xs: xs, ys: ys, name: name)
        // contour_z absent from the input (a profile without states has no committor): the image's
        // own contours, and the key says so.
        let overlay = spec.contourZ.flatMap { ref in file.root.contains(parse(ref).dataset) ? ref : nil }
        let lines = try overlay.map { try gridField($0, in: file, xs: xs, ys: ys, name: name) } ?? image
        let grid = try plot.data("\(name).grid-values", rows: gridRows(xs, ys, image))
        let contourGrid = overlay == nil ? grid : try plot.data("\(name).grid-contour-values", rows: gridRows(xs, ys, lines))
        let finite = lines.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        let step = (hi - lo) / Double(spec.levels + 1)
        let contours = plot.directory + "/\(name).grid-contours"
        var script = "set xlabel \(Gnuplot.quote(label(spec.x, in: file))); set ylabel \(Gnuplot.quote(label(spec.y[0], in: file)))\n"
        script += "set xrange [\(xs.first!):\(xs.last!)]; set yrange [\(ys.first!):\(ys.last!)]\n"
        script += "set palette rgbformulae 33,13,10\nset cblabel \(Gnuplot.quote(label(spec.z, in: file)))\n"
        script += "set contour base\nset cntrparam levels incremental \(lo + step),\(step),\(hi - step / 2)\nunset surface\nset view map\n"
        script += "set table \(Gnuplot.quote(contours))\nsplot \(Gnuplot.quote(contourGrid)) using 1:2:3 with lines notitle\nunset table\nunset contour\nset surface\n"
        let contourTitle = spec.contourZ.map { ref in
            "title \(Gnuplot.quote(overlay == nil ? "contours of the image: the input has no /\(parse(ref).dataset)" : "contours: " + label(ref, in: file)))"
        } ?? "notitle"
        var layers = ["\(Gnuplot.quote(grid)) using 1:2:3 with image notitle",
                      "\(Gnuplot.quote(contours)) with lines lc rgb '#202020' lw 0.8 \(contourTitle)"]
        layers += try overlayLayers(name: name)
        if !spec.overlays.isEmpty || spec.contourZ != nil { script += "set key outside bottom center horizontal\n" }
        return script + "plot " + layers.joined(separator: ", \\\n     ") + "\n"
    }

    /// One component of a field on the grid, values[j·nx + i] at (x[i], y[j]).
    func gridField(_ ref: String, in file: HDF5File, xs: [Double], ys: [Double], name: String) throws -> [Double] {
        let (zName, component) = parse(ref)
        guard file.root.contains(zName), !file.root.isGroup(zName) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "figure '\(name)': input '\(spec.input)' has no dataset '/\(zName)'")
        }
        let (values, shape) = try file.root.read(zName, as: Double.self)
        let m = shape.count > 2 ? shape[2] : 1
        let k = component ?? 0
        guard shape.count >= 2, shape[0] == ys.count, shape[1] == xs.count, k < m else {
            throw FlowError.stageFailed(stage: context.stageName, message: "figure '\(name)': '/\(zName)' has shape \(shape); expected \(ys.count) × \(xs.count) (× components) with component \(k)")
        }
        return (0..<(xs.count * ys.count)).map { values[$0 * m + k] }
    }

    /// gnuplot's grid rows: x-major blocks separated by blank lines.
    func gridRows(_ xs: [Double], _ ys: [Double], _ values: [Double]) -> [[Double]] {
        var rows: [[Double]] = []
        for i in 0..<xs.count {
            for j in 0..<ys.count { rows.append([xs[i], ys[j], values[j * xs.count + i]]) }
            rows.append([])
        }
        return rows
    }

    /// An axis label: the dataset's `columns` attribute (e.g. mu2, mu3 from `features`), else the
    /// system's coordinate name for `/x`, else `dataset[column]`.
    func label(_ ref: String, in file: HDF5File) -> String {
        if ref == "index" { return "index" }
        let (dataset, col) = parse(ref)
        if file.root.contains(dataset), !file.root.isGroup(dataset), let col,
           case .strings(let names)? = try? file.root.dataset(dataset).attribute("columns"), col < names.count {
            return names[col]
        }
        if dataset == "x", let col, let names = system?.coordinateNames, col < names.count { return names[col] }
        // Effective-dynamics grids: /grid/axisN is CV component N, named in the group's `names`.
        if dataset.hasPrefix("grid/axis"), let n = Int(dataset.dropFirst("grid/axis".count)), file.root.isGroup("grid"),
           case .strings(let names)? = try? file.root.group("grid").attribute("names"), n < names.count {
            return names[n]
        }
        if let names = system?.coordinateNames, names.count >= 2, dataset.hasSuffix("grid/x") || dataset.hasSuffix("grid/y") {
            return names[dataset.hasSuffix("x") ? 0 : 1]
        }
        return col.map { "\(dataset)[\($0)]" } ?? dataset
    }

    func parse(_ ref: String) -> (dataset: String, column: Int?) {
        let parts = local(ref).split(separator: ":", maxSplits: 1).map(String.init)
        let ds = String(parts[0].drop { $0 == "/" })
        return (ds, parts.count > 1 ? Int(parts[1]) : nil)
    }

    /// The input a reference names (`learned:/cv:0` → learned), or nil for the figure's own.
    func foreignInput(_ ref: String) -> String? {
        guard !ref.hasPrefix("/"), ref != "index", let colon = ref.firstIndex(of: ":") else { return nil }
        return String(ref[..<colon])
    }

    /// The reference without its input prefix.
    func local(_ ref: String) -> String {
        guard let input = foreignInput(ref) else { return ref }
        return String(ref.dropFirst(input.count + 1))
    }

    /// Values of `[input:]dataset[:column]`; `index` gives 0, 1, … with the row count of
    /// `rowsLike`. A reference to another input must have as many rows as the figure's own data.
    func column(_ ref: String, in file: HDF5File, rowsLike: String?) throws -> [Double] {
        if ref == "index" {
            let n = try column(rowsLike ?? "/x:0", in: file, rowsLike: nil).count
            return (0..<n).map(Double.init)
        }
        if let other = foreignInput(ref) {
            guard context.hasInput(other) else {
                throw FlowError.stageFailed(stage: context.stageName, message: "figure reference '\(ref)': no input '\(other)'; inputs: \(context.inputNames.joined(separator: ", "))")
            }
            let f = try context.input(other)
            defer { try? f.close() }
            return try column(local(ref), in: f, rowsLike: nil)
        }
        let (ds, col) = parse(ref)
        guard file.root.contains(ds), !file.root.isGroup(ds) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "figure of input '\(spec.input)': no dataset '/\(ds)'")
        }
        let (v, shape) = try file.root.read(ds, as: Double.self)
        if shape.count <= 1 { return v }
        let cols = shape.dropFirst().reduce(1, *)
        let c = col ?? 0
        guard c < cols else {
            throw FlowError.stageFailed(stage: context.stageName, message: "figure of input '\(spec.input)': '/\(ds)' has \(cols) columns, column \(c) requested")
        }
        return Swift.stride(from: c, to: v.count, by: cols).map { v[$0] }
    }

    /// Contour lines of a 2-D potential as a gnuplot table, levels spread over the low-energy
    /// part of the box (minimum to the 60th percentile of grid values).
    func contourTable(_ system: SimulationSystem, box: [ClosedRange<Double>], name: String) throws -> String {
        let n = 120
        var rows: [[Double]] = []
        var values: [Double] = []
        for i in 0..<n {
            let x = box[0].lowerBound + (box[0].upperBound - box[0].lowerBound) * Double(i) / Double(n - 1)
            for j in 0..<n {
                let y = box[1].lowerBound + (box[1].upperBound - box[1].lowerBound) * Double(j) / Double(n - 1)
                let v = system.potential.energy([x, y])
                rows.append([x, y, v])
                values.append(v)
            }
            rows.append([])
        }
        let grid = try plot.data("\(name).grid", rows: rows)
        let sorted = values.sorted()
        let lo = sorted[0], hi = sorted[Int(Double(sorted.count) * 0.6)]
        let stepSize = (hi - lo) / 14
        return """
        set contour base
        set cntrparam levels incremental \(lo + stepSize / 2),\(stepSize),\(hi)
        unset surface
        set view map
        set table \(Gnuplot.quote(plot.directory + "/\(name).contours"))
        splot \(Gnuplot.quote(grid)) using 1:2:3 with lines notitle
        unset table
        unset contour
        set surface

        """
    }
}
