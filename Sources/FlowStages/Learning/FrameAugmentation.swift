import FlowCore
import FlowLinalg
import FlowMD

/// Rigid-body data augmentation of molecular frames (Cava et al., "Towards conditional generation
/// of minimal action potential pathways for molecular dynamics", §2: every frame randomly rotated
/// and centred): each frame is centred (centre of mass, centroid, or not at all) and copied with
/// independent rotations drawn from the Haar measure on SO(3) (SO(2) in the plane), so that a
/// model learns orientation-free structure. Frames are stored in a particle layout (interleaved
/// x1,y1,z1,x2,… for molecules; coordinate-major for some model systems).
///
/// Randomness: frame i draws its rotations from `stream(i)` of the generator, so the output does
/// not depend on how frames are scheduled.
struct FrameAugmentation {
    enum Centering: String, ParameterEnum { case mass, centroid, none }

    let layout: ParticleLayout
    let copies: Int
    let centering: Centering
    /// Per-particle masses for `.mass` (ignored otherwise).
    let masses: [Double]

    /// The centred frame (a copy).
    func centred(_ frame: ArraySlice<Double>) -> [Double] {
        var x = Array(frame)
        guard centering != .none else { return x }
        let n = layout.particles
        let w = centering == .mass ? masses : [Double](repeating: 1, count: n)
        let total = w.reduce(0, +)
        for a in 0..<layout.spatialDimension {
            var c = 0.0
            for i in 0..<n { c += w[i] * x[layout.index(i, a)] }
            c /= total
            for i in 0..<n { x[layout.index(i, a)] -= c }
        }
        return x
    }

    /// `copies` rotated copies of every row of `x` (frames × layout.dimension), frame-major: row
    /// i·copies + c is copy c of frame i.
    func augment(_ x: Matrix, random: RandomSource) -> Matrix {
        precondition(x.cols == layout.dimension, "frames must have layout.dimension columns")
        let n = layout.particles, dimension = layout.spatialDimension
        var out = [Double](repeating: 0, count: x.rows * copies * x.cols)
        for i in 0..<x.rows {
            var rng = random.stream(i)
            let frame = centred(x.storage[(i * x.cols)..<((i + 1) * x.cols)])
            for c in 0..<copies {
                let r = dimension == 3 ? rng.rotation3D() : rng.rotation2D()
                let base = (i * copies + c) * x.cols
                for p in 0..<n {
                    for a in 0..<dimension {
                        var s = 0.0
                        for b in 0..<dimension { s += r.storage[a * dimension + b] * frame[layout.index(p, b)] }
                        out[base + layout.index(p, a)] = s
                    }
                }
            }
        }
        return Matrix(rows: x.rows * copies, cols: x.cols, storage: out)
    }

    /// Normalized time of each frame within its replica: the k-th of a replica's F frames (in
    /// order of appearance) gets k/(F − 1), so every replica spans [0, 1] (a one-frame replica
    /// gets 0). This is the condition the cGAN's generator receives as t ∈ [0, 1].
    static func normalizedTime(replicaOf rows: [Int64]) -> [Double] {
        var counts: [Int64: Int] = [:]
        for r in rows { counts[r, default: 0] += 1 }
        var seen: [Int64: Int] = [:]
        return rows.map { r in
            let k = seen[r, default: 0]
            seen[r] = k + 1
            let f = counts[r]!
            return f > 1 ? Double(k) / Double(f - 1) : 0
        }
    }
}
