import FlowLinalg

/// Points around an embedded data set but off it: the samples on which the manifold function ψ
/// is pushed away from zero (Yuan, Sule, Lam & Cameron 2025, Step 3). Candidates are drawn
/// uniformly in the data's bounding box enlarged by `margin` × its extent on every side, and
/// rejected when closer than the exclusion radius to any data point (a uniform grid of cells of
/// that size makes each test look at 3ᵐ cells only).
struct SurroundingCloud {
    let lower: [Double]
    let upper: [Double]
    let radius: Double

    struct Exhausted: Error, CustomStringConvertible {
        let found: Int, wanted: Int, draws: Int
        var description: String {
            "only \(found) of \(wanted) cloud points lie outside the exclusion radius after \(draws) draws; lower params.cloud.exclusion_radius or raise params.cloud.margin"
        }
    }

    /// `margin`: fraction of each coordinate's extent added on both sides; `exclusion`: the
    /// exclusion radius as a fraction of the bounding box's diagonal.
    init(around data: Matrix, margin: Double, exclusion: Double) {
        var lo = [Double](repeating: .infinity, count: data.cols), hi = [Double](repeating: -.infinity, count: data.cols)
        for i in 0..<data.rows {
            for k in 0..<data.cols {
                lo[k] = Swift.min(lo[k], data[i, k])
                hi[k] = Swift.max(hi[k], data[i, k])
            }
        }
        let extent = zip(lo, hi).map { $1 - $0 }
        let diagonal = extent.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let pad = extent.map { margin * ($0 > 0 ? $0 : diagonal) }
        lower = zip(lo, pad).map { $0 - $1 }
        upper = zip(hi, pad).map { $0 + $1 }
        radius = exclusion * diagonal
    }

    /// `count` accepted points (count × m), drawn from `rng`; gives up after 1000 draws per point.
    func sample(_ count: Int, avoiding data: Matrix, rng: inout RandomSource) throws -> Matrix {
        let grid = CellGrid(data, cell: radius)
        var out: [Double] = []
        out.reserveCapacity(count * data.cols)
        var found = 0, draws = 0
        let limit = 1000 * count
        while found < count {
            guard draws < limit else { throw Exhausted(found: found, wanted: count, draws: draws) }
            draws += 1
            let p = (0..<data.cols).map { rng.uniform(lower[$0], upper[$0]) }
            if !grid.hasPoint(within: radius, of: p) {
                out += p
                found += 1
            }
        }
        return Matrix(rows: count, cols: data.cols, storage: out)
    }
}

/// The rows of a point set bucketed in cubic cells, for "is any point within r of p" queries
/// with r no larger than the cell size.
struct CellGrid {
    let points: Matrix
    let cell: Double
    private var buckets: [[Int]: [Int]] = [:]

    init(_ points: Matrix, cell: Double) {
        self.points = points
        self.cell = cell > 0 ? cell : 1
        for i in 0..<points.rows { buckets[key(points.row(i)), default: []].append(i) }
    }

    private func key(_ p: [Double]) -> [Int] { p.map { Int(($0 / cell).rounded(.down)) } }

    func hasPoint(within r: Double, of p: [Double]) -> Bool {
        let centre = key(p), m = p.count
        var offset = [Int](repeating: -1, count: m)
        while true {
            if let rows = buckets[zip(centre, offset).map { $0 + $1 }] {
                for i in rows {
                    var d2 = 0.0
                    for k in 0..<m { d2 += (points[i, k] - p[k]) * (points[i, k] - p[k]) }
                    if d2 < r * r { return true }
                }
            }
            var k = 0
            while k < m, offset[k] == 1 {
                offset[k] = -1
                k += 1
            }
            if k == m { return false }
            offset[k] += 1
        }
    }
}
