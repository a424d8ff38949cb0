import Foundation
import FlowLinalg
import FlowMD

/// Comparisons of generated frames with molecular-dynamics frames (Cava et al., §3: RMSD after
/// optimal superposition of each generated frame against the ground-truth frames), and the
/// spread of a set of frames, used both for noise draws and for replicas at the same time.
enum GeneratedPathAnalysis {
    /// Atom rows (x, y, z) of a flat frame.
    static func atoms(_ frame: ArraySlice<Double>) -> [[Double]] {
        stride(from: frame.startIndex, to: frame.endIndex, by: 3).map { [frame[$0], frame[$0 + 1], frame[$0 + 2]] }
    }

    static func row(_ m: Matrix, _ i: Int) -> ArraySlice<Double> { m.storage[(i * m.cols)..<((i + 1) * m.cols)] }

    /// RMSD of a and b (flat frames, Å) after centring both and rotating a onto b.
    static func rmsd(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        let reference = RigidAlignment.centered(atoms(b))
        return RigidAlignment.rmsd(RigidAlignment.align(RigidAlignment.centered(atoms(a)), onto: reference), reference)
    }

    /// RMSD of every row of `path` against every row of `frames` (path rows × frame rows),
    /// in parallel over path rows.
    static func rmsdMatrix(_ path: Matrix, _ frames: Matrix) -> Matrix {
        var out = Matrix(rows: path.rows, cols: frames.rows)
        let centredFrames = (0..<frames.rows).map { RigidAlignment.centered(atoms(row(frames, $0))) }
        out.storage.withUnsafeMutableBufferPointer { o in
            let p = o.baseAddress!
            parallelChunks(path.rows, chunkSize: 1) { range in
                for i in range {
                    let a = RigidAlignment.centered(atoms(row(path, i)))
                    for j in 0..<frames.rows {
                        p[i * frames.rows + j] = RigidAlignment.rmsd(RigidAlignment.align(a, onto: centredFrames[j]), centredFrames[j])
                    }
                }
            }
        }
        return out
    }

    /// RMS deviation of the frames from their mean structure, after superposing every frame on
    /// the mean (two passes: onto the first frame, then onto the mean of those). Å; 0 for
    /// identical frames or fewer than two.
    static func spread(_ frames: [ArraySlice<Double>]) -> Double {
        guard frames.count > 1 else { return 0 }
        var reference = RigidAlignment.centered(atoms(frames[0]))
        var aligned: [[[Double]]] = []
        for _ in 0..<2 {
            aligned = frames.map { RigidAlignment.align(RigidAlignment.centered(atoms($0)), onto: reference) }
            reference = (0..<reference.count).map { a in (0..<3).map { c in aligned.reduce(0) { $0 + $1[a][c] } / Double(frames.count) } }
        }
        let squares = aligned.reduce(0.0) { s, f in s + RigidAlignment.rmsd(f, reference) * RigidAlignment.rmsd(f, reference) }
        return (squares / Double(frames.count)).squareRoot()
    }

    /// Shortest and longest bond of a frame (Å).
    static func bondRange(_ frame: ArraySlice<Double>, bonds: [Bond]) -> (min: Double, max: Double) {
        let lengths = BondLengthOp(bonds: bonds).values(Matrix(rows: 1, cols: frame.count, storage: Array(frame))).storage
        return (lengths.min() ?? 0, lengths.max() ?? 0)
    }
}
