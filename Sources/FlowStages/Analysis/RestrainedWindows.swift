import FlowCore
import FlowLinalg
import FlowMD

/// Restrained runs at grid centres, all windows in one walker ensemble: walker k holds window
/// ⌊k / walkersPerWindow⌋ under ½κ|ξ(x) − z|² (`UmbrellaWindows`), starts from the data frame
/// whose ξ is nearest its centre, and after the equilibration averages ξ and ∇ξ∇ξᵀ
/// (`WindowAverages`). The dynamics is overdamped Langevin dX = −∇(V + U) dt + √(2β⁻¹) dW with
/// unit masses, the dynamics of the brute-force runs of the model systems, so M = ⟨∇ξ∇ξᵀ⟩ is in
/// CV units²/time·β and the effective dynamics' rates are in the system's time unit.
struct RestrainedWindows {
    struct Estimate {
        /// Per window: ⟨ξ⟩ and ⟨∇ξ∇ξᵀ⟩ (d × d row-major), pooled over its walkers.
        var meanValue: [[Double]]
        var diffusion: [[Double]]
        var samples: [Int]
    }

    let cv: any CollectiveVariable
    let centers: [[Double]]
    let periods: [Double?]
    let spec: WindowSpec

    /// Runs every window; `data` and `values` are the frames and their ξ, for the starting points.
    /// κ per CV component.
    func forceConstants(stage: String) throws -> [Double] {
        let d = cv.outputDimension
        let kappa = spec.kappa.count == 1 ? [Double](repeating: spec.kappa[0], count: d) : spec.kappa
        guard kappa.count == d else {
            throw FlowError.stageFailed(stage: stage, message: "params.diffusion.kappa has \(spec.kappa.count) values for \(d) CV components")
        }
        return kappa
    }

    /// A part of a sharded stage runs its share of the windows (`StageContext.partItems`), each
    /// walker on the random stream of its global index, and returns their estimates only.
    func run(system: SimulationSystem, data: Matrix, values: Matrix, context: StageContext) throws -> Estimate {
        let kappa = try forceConstants(stage: context.stageName)
        let mine = try context.partItems(of: centers.count, items: "windows")
        let walkerCenters = centers.flatMap { [[Double]](repeating: $0, count: spec.walkers) }
        let initial = mine.flatMap { [[Double]](repeating: data.row(nearestFrame(to: centers[$0], values: values)), count: spec.walkers) }
        let cv = self.cv, periods = self.periods
        let averages = walkerCenters[(mine.lowerBound * spec.walkers)..<(mine.upperBound * spec.walkers)].map {
            WindowAverages(cv: cv, center: $0, periods: periods, equilibrationSteps: spec.equilibration)
        }
        let integrator = IntegratorChoice.eulerMaruyama.make(dt: spec.dt, beta: system.beta, friction: 1)
        let ensemble = WalkerEnsemble(potential: system.potential, integrator: integrator, initial: initial,
                                      settings: EnsembleSettings(steps: spec.steps, stride: 0, seed: context.seed,
                                                                 observationInterval: spec.interval),
                                      biases: { [UmbrellaWindows(cv: cv, forceConstants: kappa, centers: walkerCenters, periods: periods)] },
                                      observers: averages, firstWalker: mine.lowerBound * spec.walkers)
        context.log("\(StageShard.describe(mine, of: centers.count, "windows")) × \(spec.walkers) walker(s) × \(spec.steps) steps, κ \(kappa), dt \(spec.dt)")
        do {
            try ensemble.run(monitor: context.monitor, checkpoints: context.checkpoints, threads: context.cpus)
        } catch let e as SamplingError {
            throw FlowError.stageFailed(stage: context.stageName, message: "restrained windows: \(e.description); lower diffusion.dt or diffusion.kappa")
        }
        return pooled(averages, windows: mine)
    }

    /// The averages of `windows`, each pooled over its walkers (`spec.walkers` consecutive ones of
    /// `averages`, which holds those windows' walkers in order).
    func pooled(_ averages: [WindowAverages], windows: Range<Int>) -> Estimate {
        let d = cv.outputDimension
        var estimate = Estimate(meanValue: [], diffusion: [], samples: [])
        for (k, w) in windows.enumerated() {
            let group = averages[(k * spec.walkers)..<((k + 1) * spec.walkers)]
            let n = group.reduce(0) { $0 + $1.samples }
            var mean = [Double](repeating: 0, count: d), m = [Double](repeating: 0, count: d * d)
            for a in group where a.samples > 0 {
                let share = Double(a.samples) / Double(max(n, 1))
                for (i, v) in a.meanValue!.enumerated() { mean[i] += share * (v - centers[w][i]) }
                for (i, v) in a.meanDiffusion!.enumerated() { m[i] += share * v }
            }
            estimate.meanValue.append(zip(centers[w], mean).map { $0 + $1 })
            estimate.diffusion.append(m)
            estimate.samples.append(n)
        }
        return estimate
    }

    /// The frame whose CV value is nearest `z` (minimum image on periodic components).
    func nearestFrame(to z: [Double], values: Matrix) -> Int {
        var best = 0, bestDistance = Double.infinity
        for r in 0..<values.rows {
            var s = 0.0
            for c in z.indices {
                var u = values[r, c] - z[c]
                if let p = periods[c] { u -= p * (u / p).rounded() }
                s += u * u
            }
            if s < bestDistance { bestDistance = s; best = r }
        }
        return best
    }
}
