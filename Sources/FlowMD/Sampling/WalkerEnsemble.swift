import Foundation
import FlowHDF5
import FlowLinalg

/// Independent walkers of one stochastic dynamics, advanced in blocks: within a block the
/// walkers run in parallel (one thread per chunk of walkers), between blocks the ensemble
/// reports progress, honours cancellation and writes checkpoints. Walker w uses the random
/// stream `walker-w` of the seed, so the result does not depend on the thread count, and an
/// interrupted run resumed from its checkpoint ends bit-identical to an uninterrupted one.
public final class WalkerEnsemble {
    public let walkers: Int
    /// Steps per walker.
    public let steps: Int
    /// A frame is saved every `stride` steps (steps/stride frames per walker).
    public let stride: Int
    public let dimension: Int
    public let dt: Double
    let makeIntegrator: () -> StochasticIntegrator
    var positions: [[Double]]
    var random: [RandomSource]
    var integrators: [StochasticIntegrator]
    /// Frames per walker, walker-major: frames[w] has framesPerWalker × dimension values.
    var frames: [[Double]]
    var energies: [[Double]]
    var stepsDone = 0

    public var framesPerWalker: Int { steps / stride }

    public init(initial: [[Double]], steps: Int, stride: Int, dt: Double, seed: UInt64,
                integrator: @escaping () -> StochasticIntegrator) {
        precondition(!initial.isEmpty && steps >= stride && stride >= 1)
        walkers = initial.count
        self.steps = steps
        self.stride = stride
        self.dt = dt
        dimension = initial[0].count
        makeIntegrator = integrator
        positions = initial
        random = (0..<initial.count).map { RandomSource(seed: seed, stream: "walker-\($0)") }
        integrators = (0..<initial.count).map { _ in integrator() }
        frames = [[Double]](repeating: [], count: initial.count)
        energies = [[Double]](repeating: [], count: initial.count)
    }

    /// Runs to the end (or resumes from a checkpoint first).
    public func run(monitor: WorkMonitor, checkpoints: Checkpointing?, threads: Int) throws {
        if let checkpoints { _ = try checkpoints.restore { try self.restore(from: $0) } }
        let blockSteps = max(stride, (max(1, 200_000 / max(1, walkers * dimension)) / stride) * stride)
        let chunks = max(1, min(threads, walkers))
        while stepsDone < steps {
            try monitor.checkCancellation()
            let n = min(blockSteps, steps - stepsDone)
            let start = stepsDone
            let walkersPerChunk = (walkers + chunks - 1) / chunks
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let lo = chunk * walkersPerChunk, hi = min(walkers, lo + walkersPerChunk)
                guard lo < hi else { return }
                for w in lo..<hi { self.advance(walker: w, from: start, steps: n) }
            }
            stepsDone += n
            for w in 0..<walkers where positions[w].contains(where: { !$0.isFinite }) {
                throw SamplingError.diverged(walker: w, detail: "its position became non-finite before step \(stepsDone) (time \(Double(stepsDone) * dt)); reduce dt")
            }
            monitor.progress(done: stepsDone, total: steps, note: "\(walkers) walkers")
            if let checkpoints, checkpoints.isDue(), stepsDone < steps {
                try checkpoints.save { try self.save(to: $0) }
            }
        }
    }

    func advance(walker w: Int, from start: Int, steps n: Int) {
        var x = positions[w]
        var rng = random[w]
        var integrator = integrators[w]
        var f = frames[w]
        var e = energies[w]
        for s in 1...n {
            let v = integrator.step(&x, rng: &rng)
            if (start + s) % stride == 0 {
                f.append(contentsOf: x)
                e.append(v)
            }
        }
        positions[w] = x
        random[w] = rng
        integrators[w] = integrator
        frames[w] = f
        energies[w] = e
    }

    /// All frames, walker-major (frames × dimension), with each frame's walker, time and energy.
    public func trajectory() -> (x: Matrix, walker: [Int], time: [Double], energy: [Double]) {
        let per = framesPerWalker
        var data: [Double] = []
        data.reserveCapacity(walkers * per * dimension)
        var walker: [Int] = [], time: [Double] = [], energy: [Double] = []
        for w in 0..<walkers {
            data += frames[w]
            energy += energies[w]
            for k in 1...per {
                walker.append(w)
                time.append(Double(k * stride) * dt)
            }
        }
        return (Matrix(rows: walkers * per, cols: dimension, storage: data), walker, time, energy)
    }

    func save(to g: HDF5Group) throws {
        try g.write("step", [Int64(stepsDone)], shape: [])
        try g.write("positions", positions.flatMap { $0 }, shape: [walkers, dimension])
        try g.write("rng", random.flatMap { $0.stateWords.map { Int64(bitPattern: $0) } }, shape: [walkers, 4])
        try g.write("spare", random.map { $0.spareNormal ?? .nan }, shape: [walkers])
        let aux = integrators.map(\.auxiliaryState)
        try g.write("auxiliary", aux.flatMap { $0 }, shape: [walkers, aux.first?.count ?? 0])
        try g.write("frames", frames.flatMap { $0 }, shape: [walkers, stepsDone / stride * dimension])
        try g.write("energies", energies.flatMap { $0 }, shape: [walkers, stepsDone / stride])
    }

    func restore(from g: HDF5Group) throws {
        let step = Int(try g.read("step", as: Int64.self).values[0])
        let p = try g.read("positions", as: Double.self).values
        let r = try g.read("rng", as: Int64.self).values
        let spare = try g.read("spare", as: Double.self).values
        let (aux, auxShape) = try g.read("auxiliary", as: Double.self)
        let f = try g.read("frames", as: Double.self).values
        let e = try g.read("energies", as: Double.self).values
        let perFrames = step / stride
        guard p.count == walkers * dimension, r.count == walkers * 4, f.count == walkers * perFrames * dimension else {
            throw SamplingError.badCheckpoint("the checkpoint does not match this run's walkers and dimension")
        }
        stepsDone = step
        let auxWidth = auxShape.count == 2 ? auxShape[1] : 0
        for w in 0..<walkers {
            positions[w] = Array(p[(w * dimension)..<((w + 1) * dimension)])
            random[w] = RandomSource(stateWords: r[(w * 4)..<((w + 1) * 4)].map { UInt64(bitPattern: $0) },
                                     spareNormal: spare[w].isNaN ? nil : spare[w])
            if auxWidth > 0 { integrators[w].auxiliaryState = Array(aux[(w * auxWidth)..<((w + 1) * auxWidth)]) }
            frames[w] = Array(f[(w * perFrames * dimension)..<((w + 1) * perFrames * dimension)])
            energies[w] = Array(e[(w * perFrames)..<((w + 1) * perFrames)])
        }
    }
}

public enum SamplingError: Error, CustomStringConvertible {
    case diverged(walker: Int, detail: String)
    case badCheckpoint(String)

    public var description: String {
        switch self {
        case .diverged(let w, let d): return "simulation diverged (walker \(w)): \(d)"
        case .badCheckpoint(let m): return "cannot resume: \(m)"
        }
    }
}
