import Foundation
import FlowHDF5
import FlowLinalg

/// What a run does besides moving walkers: how long, which frames to keep, when to watch them.
public struct EnsembleSettings: Sendable {
    /// Steps per walker.
    public var steps: Int
    /// A frame is saved every `stride` steps (0: no frames).
    public var stride: Int
    public var seed: UInt64
    /// Observers are called every this many steps (0: never).
    public var observationInterval: Int
    /// Metadynamics deposits hills only up to this step (nil: throughout).
    public var depositionSteps: Int?
    /// Accumulate the work of time-dependent biases (steered runs).
    public var tracksWork: Bool

    public init(steps: Int, stride: Int, seed: UInt64, observationInterval: Int = 0,
                depositionSteps: Int? = nil, tracksWork: Bool = false) {
        precondition(steps >= 1 && stride >= 0 && observationInterval >= 0)
        self.steps = steps
        self.stride = stride
        self.seed = seed
        self.observationInterval = observationInterval
        self.depositionSteps = depositionSteps
        self.tracksWork = tracksWork
    }
}

/// Independent walkers of one dynamics (OpenMM's Context for many replicas at once), advanced in
/// blocks: within a block the walkers run in parallel, a thread per contiguous group of walkers,
/// each in small batches through the potential's batched path; between blocks the ensemble
/// deposits metadynamics hills (from all walkers, in walker order), reports progress, honours
/// cancellation and writes checkpoints. Walker w draws only from the random stream `walker-w` of
/// the seed, so results do not depend on the thread count, and a run resumed from its checkpoint
/// ends bit-identical to an uninterrupted one. An ensemble may hold walkers `firstWalker…` of a
/// larger set (one part of a sharded stage): each keeps its global index for its stream, its
/// biases and its reports, so the parts together give the whole set's bits.
public final class WalkerEnsemble {
    public let potential: any Potential
    public let integrator: any EnsembleIntegrator
    public let settings: EnsembleSettings
    public let metadynamics: WellTemperedMetadynamics?
    public let walkers: Int
    /// Global index of this ensemble's walker 0.
    public let firstWalker: Int
    public let dimension: Int
    let makeBiases: () -> [any Bias]
    let observers: [WalkerObserver]

    let positions: WalkerStorage<Double>
    let velocities: WalkerStorage<Double>
    let gradients: WalkerStorage<Double>
    let energies: WalkerStorage<Double>
    let biasEnergies: WalkerStorage<Double>
    /// The walkers' random streams, word by word (`WalkerStreams`: state word w of walker k at
    /// w · walkers + k).
    let random: WalkerStorage<UInt64>
    let accepted: WalkerStorage<Int>
    let work: WalkerStorage<Double>
    let frames: EnsembleFrameStore
    public internal(set) var stepsDone = 0

    /// Walkers per batch handed to the integrator: small enough to stay in cache (LJ7: 128 × 14
    /// coordinates of positions, gradients and noise, 43 KB), large enough that the per-batch calls
    /// and loop set-up weigh little once the kernels are fast (Müller–Brown: 4–10% faster than 32).
    static let batchSize = 128

    /// `biases` is called once per thread for the static and time-dependent biases; the
    /// metadynamics bias, if any, is shared and must not be returned by it (it is added here).
    public init(potential: any Potential, integrator: any EnsembleIntegrator, initial: [[Double]],
                settings: EnsembleSettings, biases: @escaping () -> [any Bias] = { [] },
                metadynamics: WellTemperedMetadynamics? = nil, observers: [WalkerObserver] = [], firstWalker: Int = 0) {
        precondition(!initial.isEmpty && initial.allSatisfy { $0.count == potential.dimension },
                     "every walker needs a configuration of the potential's dimension")
        precondition(observers.isEmpty || observers.count == initial.count, "one observer per walker")
        self.potential = potential
        self.integrator = integrator
        self.settings = settings
        self.metadynamics = metadynamics
        self.observers = observers
        walkers = initial.count
        self.firstWalker = firstWalker
        dimension = potential.dimension
        makeBiases = metadynamics.map { m in { biases() + [m] } } ?? biases
        positions = WalkerStorage(initial.flatMap { $0 })
        var streams = (0..<walkers).map { RandomSource(seed: settings.seed, stream: "walker-\(firstWalker + $0)") }
        var v: [Double] = []
        if integrator.usesVelocities {
            for w in 0..<walkers { v += integrator.initialVelocities(dimension: dimension, &streams[w]) }
        }
        velocities = WalkerStorage(v.isEmpty ? [Double](repeating: 0, count: walkers * dimension) : v)
        gradients = WalkerStorage(repeating: 0, count: walkers * dimension)
        energies = WalkerStorage(repeating: 0, count: walkers)
        biasEnergies = WalkerStorage(repeating: 0, count: walkers)
        random = WalkerStorage((0..<4).flatMap { i in streams.map { $0.stateWords[i] } })
        accepted = WalkerStorage(repeating: 0, count: walkers)
        work = WalkerStorage(repeating: 0, count: walkers)
        frames = EnsembleFrameStore(walkers: walkers, perWalker: settings.stride > 0 ? settings.steps / settings.stride : 0,
                                    dimension: dimension)
    }

    public var timeStep: Double { integrator.timeStep }

    var streams: WalkerStreams { WalkerStreams(words: random.pointer, stride: walkers) }

    /// Fraction of accepted proposals per walker (MALA; 1 for the other integrators).
    public var acceptanceRates: [Double] {
        guard integrator.reportsAcceptance, stepsDone > 0 else { return [Double](repeating: 1, count: walkers) }
        return accepted.array.map { Double($0) / Double(stepsDone) }
    }

    /// Current positions of walker w.
    public func position(_ w: Int) -> [Double] {
        Array(UnsafeBufferPointer(start: positions.pointer + w * dimension, count: dimension))
    }

    /// Runs to the end, resuming from the last checkpoint first if there is one.
    public func run(monitor: any WorkMonitor, checkpoints: Checkpointing?, threads: Int) throws {
        if let checkpoints { _ = try checkpoints.restore { try self.restore(from: $0) } }
        let chunks = max(1, min(threads, walkers))
        let perChunk = (walkers + chunks - 1) / chunks
        let ranges = (0..<chunks).map { ($0 * perChunk)..<min(walkers, ($0 + 1) * perChunk) }.filter { !$0.isEmpty }
        let forces = ranges.map { _ in WalkerForces(potential: potential, biases: makeBiases()) }
        let scratch = ranges.map { _ in ProposalScratch(count: Self.batchSize, dimension: dimension) }
        refreshForces(ranges, forces)
        let block = max(1, 2_000_000 / (walkers * max(dimension, 1)))
        let depositUntil = settings.depositionSteps ?? settings.steps
        while stepsDone < settings.steps {
            try monitor.checkCancellation()
            var n = min(block, settings.steps - stepsDone)
            if let m = metadynamics, stepsDone < depositUntil { n = min(n, m.pace - stepsDone % m.pace) }
            let start = stepsDone
            let offset = metadynamics?.offset ?? 0
            let failures = WalkerStorage<DivergenceReport?>(repeating: nil, count: ranges.count)
            parallelChunks(ranges.count, chunkSize: 1) { chunk in
                let c = chunk.lowerBound
                failures[c] = self.advance(ranges[c], forces: forces[c], scratch: scratch[c], from: start, steps: n, offset: offset)
            }
            if let f = failures.array.compactMap({ $0 }).min(by: { ($0.step, $0.walker) < ($1.step, $1.walker) }) {
                throw SamplingError.diverged(walker: firstWalker + f.walker, step: f.step, quantity: f.quantity)
            }
            stepsDone += n
            if let m = metadynamics, stepsDone % m.pace == 0, stepsDone <= depositUntil {
                m.deposit(at: (0..<walkers).map { m.cv.value(position($0)) }, time: Double(stepsDone) * timeStep)
                refreshForces(ranges, forces)
            }
            monitor.progress(done: stepsDone, total: settings.steps, note: progressNote)
            if let checkpoints, checkpoints.isDue(), stepsDone < settings.steps {
                try checkpoints.save { try self.save(to: $0) }
            }
        }
    }

    var progressNote: String {
        var note = "\(walkers) walkers"
        if let m = metadynamics { note += ", \(m.hills.count) hills" }
        if integrator.reportsAcceptance {
            note += String(format: ", acceptance %.3f", acceptanceRates.reduce(0, +) / Double(walkers))
        }
        return note
    }

    /// Recomputes the cached forces of every walker at the current positions and time.
    func refreshForces(_ ranges: [Range<Int>], _ forces: [WalkerForces]) {
        let t = Double(stepsDone) * timeStep, d = dimension
        parallelChunks(ranges.count, chunkSize: 1) { chunk in
            let c = chunk.lowerBound, r = ranges[c]
            forces[c].evaluate(positions.pointer + r.lowerBound * d, count: r.count, firstWalker: firstWalker + r.lowerBound, time: t,
                               energies: energies.pointer + r.lowerBound, biases: biasEnergies.pointer + r.lowerBound,
                               gradients: gradients.pointer + r.lowerBound * d)
        }
    }

    struct DivergenceReport {
        var walker: Int
        var step: Int
        var quantity: String
    }

    /// Advances walkers `range` by `n` steps from step `start`, batch by batch; records frames and
    /// calls observers. Returns the first divergence, if any.
    func advance(_ range: Range<Int>, forces: WalkerForces, scratch: ProposalScratch, from start: Int, steps n: Int,
                 offset: Double) -> DivergenceReport? {
        let d = dimension, dt = timeStep
        var lo = range.lowerBound
        while lo < range.upperBound {
            let count = min(Self.batchSize, range.upperBound - lo)
            var batch = WalkerBatch(count: count, firstWalker: firstWalker + lo, dimension: d, positions: positions.pointer + lo * d,
                                    velocities: velocities.pointer + lo * d, gradients: gradients.pointer + lo * d,
                                    energies: energies.pointer + lo, biases: biasEnergies.pointer + lo,
                                    random: streams.advanced(by: lo), accepted: accepted.pointer + lo, scratch: scratch,
                                    forces: forces, time: 0)
            for s in 1...n {
                let step = start + s
                batch.time = Double(step - 1) * dt
                integrator.step(&batch)
                if settings.tracksWork {
                    forces.accumulateWork(batch.positions, count: count, from: Double(step - 1) * dt, to: batch.time,
                                          into: work.pointer + lo)
                }
                if let failure = divergence(in: lo..<(lo + count), step: step) { return failure }
                if settings.stride > 0, step % settings.stride == 0 {
                    for w in lo..<(lo + count) {
                        frames.record(walker: w, index: step / settings.stride - 1, x: positions.pointer + w * d,
                                      energy: energies[w], bias: biasEnergies[w], offset: offset, work: work[w])
                    }
                }
                if settings.observationInterval > 0, step % settings.observationInterval == 0 {
                    for w in lo..<(lo + count) {
                        observers[w].observe(UnsafeBufferPointer(start: positions.pointer + w * d, count: d), step: step,
                                             time: Double(step) * dt)
                    }
                }
            }
            lo += count
        }
        return nil
    }

    /// The first walker of `walkers` whose energy, bias or position is not finite. A quick check of
    /// the whole batch first (`allFinite`), so the per-walker search runs only when something is.
    func divergence(in walkers: Range<Int>, step: Int) -> DivergenceReport? {
        let d = dimension, lo = walkers.lowerBound
        guard !Self.allFinite(energies.pointer + lo, count: walkers.count)
            || !Self.allFinite(biasEnergies.pointer + lo, count: walkers.count)
            || !Self.allFinite(positions.pointer + lo * d, count: walkers.count * d) else { return nil }
        for w in walkers {
            if !energies[w].isFinite { return DivergenceReport(walker: w, step: step, quantity: "the potential energy") }
            if !biasEnergies[w].isFinite { return DivergenceReport(walker: w, step: step, quantity: "the bias energy") }
            if !Self.allFinite(positions.pointer + w * d, count: d) {
                return DivergenceReport(walker: w, step: step, quantity: "the position")
            }
        }
        return nil
    }

    /// Whether all `count` values are finite, from their exponent bits: adding 1 to the exponent
    /// field carries into the sign bit only when it is all ones (∞ and NaN), and OR keeps any such
    /// carry. Only AND, add and OR, which the compiler vectorizes (a floating-point sum would keep
    /// its order, a compare-and-select became a branch per value); it runs after every step.
    @inline(__always)
    static func allFinite(_ x: UnsafePointer<Double>, count: Int) -> Bool {
        let exponent: UInt64 = 0x7FF0_0000_0000_0000, one: UInt64 = 0x0010_0000_0000_0000
        var carries: UInt64 = 0
        for i in 0..<count { carries |= (x[i].bitPattern & exponent) &+ one }
        return carries >> 63 == 0
    }

    /// The saved frames, walker-major, with global walker indices.
    public func trajectory() -> EnsembleTrajectory {
        var t = frames.trajectory(stride: settings.stride, timeStep: timeStep)
        if firstWalker != 0 { t.walker = t.walker.map { $0 + firstWalker } }
        return t
    }
}
