import FlowLinalg

/// The P1 elements over the kept cells of a grid and the lumped volume of each cell, with the
/// rectangle splits and lumping rules `FiniteElementGenerator` documents.
struct FiniteElementMesh {
    struct Element {
        /// Grid cells of the vertices (2 in 1D, 3 in 2D).
        var vertices: [Int]
        /// ∇φ of each vertex's hat function on the element.
        var gradients: [[Double]]
        /// Length or area.
        var measure: Double
        /// 1, or ½ for each of the two splits of a rectangle whose splits are averaged.
        var share: Double
    }

    var elements: [Element] = []
    /// Per grid cell, Σ over its elements of the volume the lumped mass gives it.
    var lumpedVolume: [Double]

    init(grid: GridNodes, keep: [Bool], diffusion: DiffusionTensorField) {
        let axes = grid.axes
        lumpedVolume = [Double](repeating: 0, count: grid.cellCount)
        if axes.count == 1 {
            let h = axes[0].spacing
            let last = axes[0].periodic ? axes[0].count : axes[0].count - 1
            for i in 0..<last {
                let a = i, b = grid.cell(at: [i + 1])!
                guard keep[a] && keep[b] else { continue }
                elements.append(Element(vertices: [a, b], gradients: [[-1 / h], [1 / h]], measure: h, share: 1))
                lumpedVolume[a] += h / 2
                lumpedVolume[b] += h / 2
            }
            return
        }
        let (h0, h1) = (axes[0].spacing, axes[1].spacing)
        let last0 = axes[0].periodic ? axes[0].count : axes[0].count - 1
        let last1 = axes[1].periodic ? axes[1].count : axes[1].count - 1
        for i in 0..<last0 {
            for j in 0..<last1 {
                // Corners (0,0), (1,0), (1,1), (0,1) in units of (h₀, h₁).
                let corners = [grid.cell(at: [i, j])!, grid.cell(at: [i + 1, j])!,
                               grid.cell(at: [i + 1, j + 1])!, grid.cell(at: [i, j + 1])!]
                let offsets: [(Double, Double)] = [(0, 0), (1, 0), (1, 1), (0, 1)]
                let kept = corners.map { keep[$0] }
                let keptCount = kept.filter { $0 }.count
                guard keptCount >= 3 else { continue }
                func add(_ local: [Int], share: Double) {
                    let p = local.map { (offsets[$0].0 * h0, offsets[$0].1 * h1) }
                    let twiceArea = (p[1].0 - p[0].0) * (p[2].1 - p[0].1) - (p[2].0 - p[0].0) * (p[1].1 - p[0].1)
                    let gradients = (0..<3).map { k -> [Double] in
                        let (b, c) = (p[(k + 1) % 3], p[(k + 2) % 3])
                        return [(b.1 - c.1) / twiceArea, (c.0 - b.0) / twiceArea]
                    }
                    elements.append(Element(vertices: local.map { corners[$0] }, gradients: gradients,
                                            measure: abs(twiceArea) / 2, share: share))
                }
                if keptCount == 3 {
                    let triangle = (0..<4).filter { kept[$0] }
                    add(triangle, share: 1)
                    for k in triangle { lumpedVolume[corners[k]] += h0 * h1 / 6 }
                    continue
                }
                for c in corners { lumpedVolume[c] += h0 * h1 / 4 }
                var offDiagonal = 0.0, scale = 0.0
                for c in corners {
                    let m = diffusion.tensor(atCell: c)
                    offDiagonal += m[1]
                    scale += (m[0] * m[3]).squareRoot()
                }
                let main = [[0, 1, 2], [0, 2, 3]], anti = [[0, 1, 3], [1, 2, 3]]
                if abs(offDiagonal) <= 1e-12 * scale {
                    for t in main + anti { add(t, share: 0.5) }
                } else {
                    for t in offDiagonal > 0 ? main : anti { add(t, share: 1) }
                }
            }
        }
    }

    /// Connected components of the graph whose edges join the vertices of each element.
    func components(cells: Int) throws -> ConnectedComponents {
        var rows = [Int](), cols = [Int]()
        for e in elements {
            for a in e.vertices { for b in e.vertices { rows.append(a); cols.append(b) } }
        }
        for c in 0..<cells { rows.append(c); cols.append(c) }
        let graph = try SparseMatrix(rows: cells, cols: cells, rowIndices: rows, columnIndices: cols,
                                      values: [Double](repeating: 1, count: rows.count))
        return ConnectedComponents(graph)
    }
}
