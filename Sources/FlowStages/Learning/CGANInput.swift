import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// The `cgan` stage's input read from an `augment` output: the training frames with their times
/// and frame numbers, and the ground truth — one frame per source frame (copy 0), with its time
/// and replica — that generated frames are compared with.
struct CGANInput {
    let data: CGANData
    let truth: Matrix
    let truthTime: [Double]
    let truthReplica: [Int]
    let replicaCount: Int

    init(_ root: HDF5Group, topology: Topology, stage: String) throws {
        func fail(_ message: String) -> FlowError { .stageFailed(stage: stage, message: "input 'data': \(message)") }
        let x = try root.readMatrix("x")
        guard x.cols == 3 * topology.atoms.count else {
            throw fail("/x has \(x.cols) columns; the system's molecule has \(topology.atoms.count) atoms (\(3 * topology.atoms.count) coordinates)")
        }
        guard root.contains("condition") else { throw fail("no /condition (normalized time of each frame); feed the output of an augment stage") }
        let times = try root.read("condition", as: Double.self).values
        guard times.count == x.rows, times.allSatisfy({ (0...1).contains($0) }) else {
            throw fail("/condition must give one time in [0, 1] per row of /x (\(times.count) values for \(x.rows) rows)")
        }
        if root.isGroup("topology"), try Topology(hdf5: root.group("topology")).atoms.count != topology.atoms.count {
            throw fail("its /topology is not the system's molecule; give the cgan stage the system the frames were simulated with")
        }
        guard x.rows > 0 else { throw fail("no frames") }
        let source = root.contains("source_index") ? try root.read("source_index", as: Int64.self).values.map(Int.init) : Array(0..<x.rows)
        let replica = root.contains("replica") ? try root.read("replica", as: Int64.self).values.map(Int.init) : [Int](repeating: 0, count: x.rows)
        guard source.count == x.rows, replica.count == x.rows else { throw fail("/source_index and /replica need one entry per row of /x") }
        var framesOf: [Int: Set<Int>] = [:]
        for (s, r) in zip(source, replica) { framesOf[r, default: []].insert(s) }
        let frameIndex = (0..<x.rows).map { i in Int((times[i] * Double(max(framesOf[replica[i]]!.count - 1, 0))).rounded()) }
        data = CGANData(x: x, times: times, frameIndex: frameIndex)
        var first: [Int: Int] = [:]
        for (i, s) in source.enumerated() where first[s] == nil { first[s] = i }
        let rows = first.keys.sorted().map { first[$0]! }
        truth = Matrix(rows: rows.count, cols: x.cols, storage: rows.flatMap { GeneratedPathAnalysis.row(x, $0) })
        truthTime = rows.map { times[$0] }
        truthReplica = rows.map { replica[$0] }
        replicaCount = framesOf.count
    }
}
