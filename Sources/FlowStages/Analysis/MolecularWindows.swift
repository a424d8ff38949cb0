import FlowCore
import FlowLinalg
import FlowMD

/// The restrained windows of a `charmm` system: one replica per window and walker, each a
/// Langevin BAOAB run (the system's temperature, `diffusion.dt` in ps, friction γ =
/// `diffusion.friction`) under ½κ|ξ(x) − z|² (`MovingHarmonicRestraint` at rest, the restraint
/// `simulate` uses), started from the data frame nearest its centre. Frames every `interval`
/// steps after the equilibration give ⟨ξ⟩ and the mass-weighted
/// M(z) = (418.4/γ) ⟨∇ξ diag(m)⁻¹ ∇ξᵀ⟩: the diffusion tensor of the overdamped (Brownian)
/// dynamics γ m dx = −∇V dt + √(2γ m k_BT) dW, in CV²/(ps·kcal/mol) (418.4 converts kcal/mol/(amu·Å²)
/// to ps⁻², `MDUnits`). Both are averages over the restrained Boltzmann distribution, which any
/// thermostat samples; Langevin samples it faster than the Brownian dynamics they describe.
/// The effective dynamics then predicts that Brownian dynamics' rates, in 1/ps.
///
/// With constraints (`constraints: h-bonds`), the replicas run g-BAOAB with SHAKE/RATTLE and M is
/// M(z) = (418.4/γ)⟨∇ξ P diag(m)⁻¹ ∇ξᵀ⟩, P the mass-weighted projector onto the tangent space of
/// the constraint manifold (Ciccotti, Lelièvre & Vanden-Eijnden, Commun. Pure Appl. Math. 61, 371
/// (2008); `WindowAverages`): the diffusion tensor of the constrained Brownian dynamics, which
/// `transition-rates` runs with the same constraints. A CV along a constrained bond has M = 0.
struct MolecularWindows {
    let windows: RestrainedWindows
    let model: CharmmModel

    /// The averages of one window at `center`: ⟨ξ⟩ and the mass-weighted, constraint-projected
    /// M in CV²/(ps·kcal/mol) at friction γ (the mobility (418.4/γ)/m per coordinate).
    /// `masses` per coordinate (amu); `constraints` this window's own instance, or nil.
    static func averages(cv: any CollectiveVariable, center: [Double], periods: [Double?], masses: [Double],
                         constraints: Constraints?, friction: Double) -> WindowAverages {
        let mobility = masses.map { MDUnits.accelerationFactor / (friction * $0) }
        return WindowAverages(cv: cv, center: center, periods: periods, inverseMasses: mobility,
                              constraints: constraints, equilibrationSteps: 0)
    }

    func run(data: Matrix, values: Matrix, context: StageContext) throws -> RestrainedWindows.Estimate {
        let stage = context.stageName
        let spec = windows.spec, cv = windows.cv, periods = windows.periods
        let d = cv.outputDimension
        let kappa = try windows.forceConstants(stage: stage)
        let masses = model.molecule.coordinateMasses
        // A part of a sharded stage runs its share of the windows; replica r of the set is global replica first + r.
        let mine = try context.partItems(of: windows.centers.count, items: "windows")
        let first = mine.lowerBound * spec.walkers
        let centers = windows.centers[mine].flatMap { [[Double]](repeating: $0, count: spec.walkers) }
        let averages = centers.map {
            Self.averages(cv: cv, center: $0, periods: periods, masses: masses, constraints: model.freshConstraints(), friction: spec.friction)
        }
        let starts = windows.centers[mine].flatMap { [[Double]](repeating: data.row(windows.nearestFrame(to: $0, values: values)), count: spec.walkers) }
        let thermalizer = {
            LangevinIntegrator(timeStep: spec.dt, temperature: model.temperature, friction: spec.friction, masses: masses,
                               constraints: model.freshConstraints())
        }
        let names = (0..<(d + d * d)).map { "window\($0)" }
        let phases = [
            DynamicsPhase(name: "equilibration", steps: spec.equilibration, integrator: thermalizer,
                          biases: { r, _ in [MovingHarmonicRestraint(cv: cv, forceConstants: kappa, initialCenters: centers[r], periods: periods)] }),
            DynamicsPhase(name: "windows", steps: spec.steps - spec.equilibration, stride: spec.interval, integrator: thermalizer,
                          biases: { r, _ in [MovingHarmonicRestraint(cv: cv, forceConstants: kappa, initialCenters: centers[r], periods: periods)] }),
        ].filter { $0.steps > 0 }
        let set = ReplicaSet(replicas: centers.count, phases: phases, masses: masses, valueNames: names,
                             potential: { model.forceField.independentCopy() },
                             measure: { r, s in averages[r].sample(s.state.positions) })
        set.firstReplica = first
        context.log("\(StageShard.describe(mine, of: windows.centers.count, "windows")) × \(spec.walkers) replica(s) × \(spec.steps) Langevin steps, κ \(kappa), dt \(spec.dt) ps, γ \(spec.friction)/ps")
        do {
            try set.run(starts: {
                starts.enumerated().map { r, x in
                    var random = context.random("window-\(first + r)")
                    var state = DynamicsState(positions: x)
                    thermalizer().maxwellBoltzmannVelocities(for: &state, &random)
                    return ReplicaStart(positions: x, velocities: state.velocities, random: random)
                }
            }, threads: context.cpus, monitor: context.monitor, checkpoints: context.checkpoints)
        } catch let e as ReplicaDiverged {
            throw FlowError.stageFailed(stage: stage, message: "restrained windows: \(e.description); lower diffusion.dt or diffusion.kappa")
        }
        for (r, a) in averages.enumerated() {
            let v = set.frameValues(r), n = names.count
            for f in 0..<(v.count / n) { a.add(Array(v[(f * n)..<((f + 1) * n)])) }
        }
        return windows.pooled(averages, windows: mine)
    }
}
