/// A small matrix P (rows × depth) packed for products with blocks of columns stored
/// feature-major, X (depth × walkers, one row per feature, walkers contiguous): what a network's
/// layer is for a block of walkers, Z = W_lᵀ Y + b_l, and its backward step, G_{l−1} = W_l G_l.
///
/// OpenBLAS spends most of such a product on its packing and dispatch when the matrices are a few
/// dozen wide: the benchmark's 7→45→30→25→2 network ran its products at a few GFlop/s. Here P is
/// packed once, in panels of four rows (row r0 + q of panel t at offset d·4 + q), and each 4 × 8
/// tile of the result is held in eight SIMD registers while the depth runs, one fused
/// multiply–add per register per step: the register blocking of Goto & van de Geijn (ACM TOMS 34,
/// 12 (2008)) without its cache blocking, which these sizes do not need. The sum over d runs in
/// one fixed order, so the result does not depend on the number of walkers or where a walker sits
/// in the block.
struct PackedPanels {
    let rows: Int
    let depth: Int
    /// Panels of four rows; in the last panel, rows past `rows` repeat its first row (computed
    /// and never stored).
    private let panels: [Double]

    /// Columns of a block are processed eight at a time; blocks are padded to a multiple of it.
    static let columnTile = 8

    /// P[r, d] = element(r, d).
    init(rows: Int, depth: Int, _ element: (Int, Int) -> Double) {
        self.rows = rows
        self.depth = depth
        var p = [Double]()
        p.reserveCapacity(((rows + 3) / 4) * 4 * depth)
        for r0 in stride(from: 0, to: rows, by: 4) {
            for d in 0..<depth {
                for q in 0..<4 { p.append(element(r0 + q < rows ? r0 + q : r0, d)) }
            }
        }
        panels = p
    }

    /// out[r·stride + k] = bias[r] (0 without one) + Σ_d P[r, d] x[d·stride + k] for r < rows and
    /// k < columns; `columns` is a multiple of `columnTile`.
    func multiply(_ x: UnsafePointer<Double>, columns: Int, stride: Int, bias: UnsafePointer<Double>?,
                  into out: UnsafeMutablePointer<Double>) {
        precondition(columns % Self.columnTile == 0, "the block is padded to whole column tiles")
        let depth = depth
        panels.withUnsafeBufferPointer { pb in
            for r0 in Swift.stride(from: 0, to: rows, by: 4) {
                let panel = pb.baseAddress! + r0 * depth
                let live = min(4, rows - r0)
                let b0 = bias.map { $0[r0] } ?? 0
                let b1 = live > 1 ? bias.map { $0[r0 + 1] } ?? 0 : 0
                let b2 = live > 2 ? bias.map { $0[r0 + 2] } ?? 0 : 0
                let b3 = live > 3 ? bias.map { $0[r0 + 3] } ?? 0 : 0
                for k in Swift.stride(from: 0, to: columns, by: Self.columnTile) {
                    var a00 = Lanes(repeating: b0), a01 = a00
                    var a10 = Lanes(repeating: b1), a11 = a10
                    var a20 = Lanes(repeating: b2), a21 = a20
                    var a30 = Lanes(repeating: b3), a31 = a30
                    var xp = x + k, w = panel
                    for _ in 0..<depth {
                        let x0 = load(xp), x1 = load(xp + 4)
                        let w0 = Lanes(repeating: w[0]), w1 = Lanes(repeating: w[1])
                        let w2 = Lanes(repeating: w[2]), w3 = Lanes(repeating: w[3])
                        a00 = a00.addingProduct(w0, x0)
                        a01 = a01.addingProduct(w0, x1)
                        a10 = a10.addingProduct(w1, x0)
                        a11 = a11.addingProduct(w1, x1)
                        a20 = a20.addingProduct(w2, x0)
                        a21 = a21.addingProduct(w2, x1)
                        a30 = a30.addingProduct(w3, x0)
                        a31 = a31.addingProduct(w3, x1)
                        xp += stride
                        w += 4
                    }
                    let o = out + r0 * stride + k
                    store(a00, o)
                    store(a01, o + 4)
                    if live > 1 { store(a10, o + stride); store(a11, o + stride + 4) }
                    if live > 2 { store(a20, o + 2 * stride); store(a21, o + 2 * stride + 4) }
                    if live > 3 { store(a30, o + 3 * stride); store(a31, o + 3 * stride + 4) }
                }
            }
        }
    }

    private typealias Lanes = SIMD4<Double>

    @inline(__always)
    private func load(_ p: UnsafePointer<Double>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    private func store(_ v: Lanes, _ p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }
}
