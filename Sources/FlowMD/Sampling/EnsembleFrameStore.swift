import FlowLinalg

/// Frames of a run as saved: per walker, framesPerWalker rows of positions with the potential
/// energy, total bias, metadynamics offset c(t) and accumulated work at that moment.
final class EnsembleFrameStore {
    let walkers: Int
    let perWalker: Int
    let dimension: Int
    let x: WalkerStorage<Double>
    let energy: WalkerStorage<Double>
    let bias: WalkerStorage<Double>
    let offset: WalkerStorage<Double>
    let work: WalkerStorage<Double>

    init(walkers: Int, perWalker: Int, dimension: Int) {
        self.walkers = walkers
        self.perWalker = perWalker
        self.dimension = dimension
        x = WalkerStorage(repeating: 0, count: walkers * perWalker * dimension)
        energy = WalkerStorage(repeating: 0, count: walkers * perWalker)
        bias = WalkerStorage(repeating: 0, count: walkers * perWalker)
        offset = WalkerStorage(repeating: 0, count: walkers * perWalker)
        work = WalkerStorage(repeating: 0, count: walkers * perWalker)
    }

    var scalarSeries: [(String, WalkerStorage<Double>)] {
        [("energy", energy), ("bias", bias), ("offset", offset), ("work", work)]
    }

    func record(walker w: Int, index k: Int, x source: UnsafePointer<Double>, energy e: Double, bias b: Double,
                offset c: Double, work wk: Double) {
        let row = w * perWalker + k
        (x.pointer + row * dimension).update(from: source, count: dimension)
        energy[row] = e
        bias[row] = b
        offset[row] = c
        work[row] = wk
    }

    func trajectory(stride: Int, timeStep: Double) -> EnsembleTrajectory {
        let rows = walkers * perWalker
        var walker: [Int] = [], time: [Double] = []
        walker.reserveCapacity(rows)
        time.reserveCapacity(rows)
        for w in 0..<walkers {
            for k in 1...max(perWalker, 1) where perWalker > 0 {
                walker.append(w)
                time.append(Double(k * stride) * timeStep)
            }
        }
        return EnsembleTrajectory(x: Matrix(rows: rows, cols: dimension, storage: x.array), walker: walker, time: time,
                                  energy: energy.array, bias: bias.array, offset: offset.array, work: work.array)
    }
}

/// All frames of a run, walker-major (walker 0's frames first), one row per frame.
public struct EnsembleTrajectory: Sendable {
    public var x: Matrix
    public var walker: [Int]
    public var time: [Double]
    /// Potential energy V.
    public var energy: [Double]
    /// Total bias B felt at the frame (0 for unbiased runs).
    public var bias: [Double]
    /// Metadynamics offset c(t) at the frame (0 without metadynamics).
    public var offset: [Double]
    /// Work done by time-dependent biases up to the frame.
    public var work: [Double]

    public init(x: Matrix, walker: [Int], time: [Double], energy: [Double], bias: [Double], offset: [Double], work: [Double]) {
        self.x = x
        self.walker = walker
        self.time = time
        self.energy = energy
        self.bias = bias
        self.offset = offset
        self.work = work
    }
}
