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
            script += "set xlabel \(Gnuplot.quote(label(spec.x))); set ylabel \(Gnuplot.quote(label(spec.y[0])))\n"
            var layers: [String] = []
            if spec.contours, let system, system.potential.dimension == 2, let box = system.domain {
                script += try contourTable(system, box: box, name: name)
                script += "set xrange [\(box[0].lowerBound):\(box[0].upperBound)]; set yrange [\(box[1].lowerBound):\(box[1].upperBound)]\n"
                layers.append("\(Gnuplot.quote(plot.directory + "/\(name).contours")) with lines lc rgb '#9a9a9a' lw 1 notitle")
            }
            if colors != nil {
                script += "set palette rgbformulae 33,13,10\nset cblabel \(Gnuplot.quote(label(spec.color!)))\n"
                layers.append("\(Gnuplot.quote(points)) using 1:2:3 with points pt 7 ps 0.35 lc palette notitle")
            } else {
                layers.append("\(Gnuplot.quote(points)) using 1:2 with points pt 7 ps 0.35 lc rgb '#1f77b4' notitle")
            }
            script += "plot " + layers.joined(separator: ", \\\n     ") + "\n"
        case .line:
            var columns: [[Double]] = [xs]
            for y in spec.y { columns.append(try column(y, in: file, rowsLike: nil)) }
            let n = columns.map(\.count).min() ?? 0
            let rows = (0..<n).map { i in columns.map { $0[i] } }
            let data = try plot.data("\(name).lines", rows: rows)
            script += "set xlabel \(Gnuplot.quote(label(spec.x)))\nset key outside right top\n"
            script += "plot " + spec.y.enumerated().map { i, y in
                "\(Gnuplot.quote(data)) using 1:\(i + 2) with lines lw 2 title \(Gnuplot.quote(label(y)))"
            }.joined(separator: ", \\\n     ") + "\n"
        }
        return try plot.render(script, output: output, figure: name)
    }

    func label(_ ref: String) -> String {
        if ref == "index" { return "index" }
        let (dataset, col) = parse(ref)
        if dataset == "x", let col, let names = system?.coordinateNames, col < names.count { return names[col] }
        return col.map { "\(dataset)[\($0)]" } ?? dataset
    }

    func parse(_ ref: String) -> (dataset: String, column: Int?) {
        let parts = ref.split(separator: ":", maxSplits: 1).map(String.init)
        let ds = String(parts[0].drop { $0 == "/" })
        return (ds, parts.count > 1 ? Int(parts[1]) : nil)
    }

    /// Values of `dataset[:column]`; `index` gives 0, 1, … with the row count of `rowsLike`.
    func column(_ ref: String, in file: HDF5File, rowsLike: String?) throws -> [Double] {
        if ref == "index" {
            let n = try column(rowsLike ?? "/x:0", in: file, rowsLike: nil).count
            return (0..<n).map(Double.init)
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
