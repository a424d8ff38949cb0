import FlowLinalg
import FlowMD
import Foundation

/// A benchmark data set: samples (one per row) and the target log-density log π = −βV at each.
struct Dataset {
    var points: Matrix
    var logTarget: [Double]
    var beta: Double
    /// How the samples were made, for the output.
    var provenance: String
}

enum DatasetKind: String, CaseIterable {
    case muellerBrown = "mueller-brown"
    case lj7 = "lj7"

    var label: String {
        switch self {
        case .muellerBrown: return "Müller–Brown 2D"
        case .lj7: return "LJ7 14D"
        }
    }

    func make(_ n: Int) throws -> Dataset {
        switch self {
        case .muellerBrown: return muellerBrownSamples(n)
        case .lj7: return try lj7Samples(n)
        }
    }
}

/// Exact Boltzmann samples of Müller–Brown ×0.05 at β = 1 by rejection from the box
/// [−1.7, 1.3] × [−0.5, 2.2] (the potential's minimum is −7.335, so e^{−(V + 7.4)} ≤ 1 is a valid
/// acceptance probability; the box holds all but a negligible tail of the mass).
func muellerBrownSamples(_ n: Int) -> Dataset {
    let potential = MuellerBrown(scale: 0.05)
    var rng = RandomSource(seed: 7, stream: "tmdmap-bench mueller-brown")
    var s = [Double](), logTarget = [Double]()
    s.reserveCapacity(2 * n)
    logTarget.reserveCapacity(n)
    while logTarget.count < n {
        let x = [rng.uniform(-1.7, 1.3), rng.uniform(-0.5, 2.2)]
        let v = potential.energy(x)
        if rng.uniform() < exp(-(v + 7.4)) {
            s += x
            logTarget.append(-v)
        }
    }
    return Dataset(points: Matrix(rows: n, cols: 2, storage: s), logTarget: logTarget, beta: 1,
                   provenance: "rejection sampling from e^{-V}, seed 7")
}

/// LJ7 in 2D at β = 5 (DESIGN §7) in the hexagon basin: overdamped Langevin by FlowMD's
/// Euler–Maruyama walker ensemble, dt = 5·10⁻⁵, walkers started at the hexagon. Each walker drops
/// `burnIn` frames, then keeps frames `stride` steps apart until its first frame outside the
/// hexagon basin, (μ2, μ3) in the largest ellipse around the hexagon that lies inside its basin
/// (`LJ7Sampling.basin`). Why the basin: in the 14 labelled coordinates every basin has 7!-fold
/// copies that differ by particle labels, and a walker that leaves the hexagon (about a fifth of
/// them within one time unit at β = 5) ends in its own copy of a parallelogram or of a permuted
/// hexagon with a handful of samples, far from all others. Those isolated clusters give dozens of
/// eigenvalues within 10⁻³ of 1 that neither flow's nor pydiffmap's ARPACK resolves (Benchmarks/README.md).
/// Frames are centred and rotated onto the hexagon (DESIGN §10: distance-based methods should not
/// see the free translation and rotation) and keep all 14 coordinates (x₁…x₇, y₁…y₇). Target
/// π ∝ e^{−βV}. Walkers run in rounds of fresh seeds until n frames are collected.
func lj7Samples(_ n: Int) throws -> Dataset {
    let plan = LJ7Sampling()
    let potential = LennardJonesCluster2D()
    let hexagon = LennardJonesMinima.minima(of: potential)["hexagon"]!
    let reference = RigidAlignment.centered(particles(hexagon))
    let moments = CoordinationMoments(layout: potential.layout)
    var s = [Double](), logTarget = [Double]()
    s.reserveCapacity(14 * n)
    logTarget.reserveCapacity(n)
    var walkersRun = 0, round: UInt64 = 0
    while logTarget.count < n {
        // Sized for the yield so far (first round: about 80% of the frames are kept).
        let yield = walkersRun == 0 ? 0.8 * Double(plan.framesPerWalker) : Double(logTarget.count) / Double(walkersRun)
        let walkers = Swift.max(16, Int((Double(n - logTarget.count) / Swift.max(yield, 1) * 1.05).rounded(.up)))
        let ensemble = WalkerEnsemble(potential: potential, integrator: EulerMaruyama(timeStep: plan.timeStep, beta: plan.beta),
                                      initial: [[Double]](repeating: hexagon, count: walkers),
                                      settings: EnsembleSettings(steps: plan.stepsPerWalker, stride: plan.stride, seed: 11 + round))
        try ensemble.run(monitor: SilentMonitor(), checkpoints: nil, threads: ProcessInfo.processInfo.activeProcessorCount)
        let trajectory = ensemble.trajectory()
        let perWalker = plan.burnIn + plan.framesPerWalker
        for w in 0..<walkers {
            for f in 0..<perWalker {
                let row = w * perWalker + f
                let x = Array(trajectory.x.storage[(row * 14)..<((row + 1) * 14)])
                guard plan.basin.contains(moments.value(x)) else { break }
                guard f >= plan.burnIn, logTarget.count < n else { continue }
                let aligned = RigidAlignment.align(RigidAlignment.centered(particles(x)), onto: reference)
                s += aligned.map { $0[0] } + aligned.map { $0[1] }
                logTarget.append(-plan.beta * trajectory.energy[row])
            }
        }
        walkersRun += walkers
        round += 1
    }
    let note = String(format: "Euler–Maruyama β = %g, dt = %g, %d walkers from the hexagon in %d rounds (seeds 11…), frames every %d steps after %d steps, kept until the first one outside the hexagon basin",
                      plan.beta, plan.timeStep, walkersRun, Int(round), plan.stride, plan.burnIn * plan.stride)
    return Dataset(points: Matrix(rows: n, cols: 14, storage: s), logTarget: logTarget, beta: plan.beta, provenance: note)
}

/// The sampling schedule of `lj7Samples`.
struct LJ7Sampling {
    let beta = 5.0
    let timeStep = 5e-5
    /// 1000 steps = 0.05 time units = 2.5 relaxation times of the hexagon's softest vibration
    /// (Hessian eigenvalue 50.6, overdamped relaxation time 1/50.6): successive frames of a walker
    /// correlate by at most e^{−2.5} ≈ 0.08 in that mode, less in the stiffer ones.
    let stride = 1000
    /// Frames dropped at the start of every walker: 0.2 time units, 10 relaxation times.
    let burnIn = 4
    let framesPerWalker = 20
    /// The hexagon basin in (μ2, μ3): the largest ellipse around the hexagon that lies inside its
    /// basin (checked by quenching; `LennardJonesStates`), 51% of the equilibrium weight at β = 5.
    let basin = CVRegion.ellipse(center: [0.747, 1.318], semiAxes: [0.44, 0.69])

    var stepsPerWalker: Int { (burnIn + framesPerWalker) * stride }
}

/// (x₁…x_N, y₁…y_N) → [[x₁, y₁], …].
func particles(_ x: [Double]) -> [[Double]] {
    let n = x.count / 2
    return (0..<n).map { [x[$0], x[n + $0]] }
}
