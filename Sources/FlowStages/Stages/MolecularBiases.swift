import Foundation
import FlowCore
import FlowMD

/// The production biases of a molecular `simulate` run, resolved against the molecule once
/// (atoms, CVs, speeds) and instantiated per replica (biases keep scratch buffers and, for
/// metadynamics, their own history). Also names the CVs written to `/cv`.
struct MolecularBiases {
    /// Steered MD: atoms, spring constant, centre at t = 0 and its speed (Å/ps).
    struct Steered { var a: Int, b: Int, k: Double, from: Double, velocity: Double }
    /// Tethered pulling: atoms, spring constant, anchor velocity (Å/ps) and optional direction.
    struct Tethered { var fixed: Int, pulled: Int, k: Double, speed: Double, direction: SIMD3<Double>? }

    let atomCount: Int
    let steered: Steered?
    let tethered: Tethered?
    let metadynamics: MetadynamicsSpec?
    let restraints: [RestraintSpec]
    let system: SimulationSystem
    let stage: String
    /// The CVs behind the `/cv` columns (each gives `outputDimension` columns).
    private(set) var cvs: [any CollectiveVariable]
    /// One name per `/cv` column, e.g. `steered:distance`.
    private(set) var cvNames: [String]

    /// `duration` is the production time (ps) over which the steered centre moves.
    init(_ spec: BiasSpec?, model: CharmmModel, duration: Double, stage: String) throws {
        let topology = model.topology
        atomCount = topology.atoms.count
        system = model.simulationSystem
        self.stage = stage
        if let s = spec?.steered {
            let a = try s.atoms[0].resolve(in: topology, key: "params.bias.steered.atoms[0]", stage: stage)
            let b = try s.atoms[1].resolve(in: topology, key: "params.bias.steered.atoms[1]", stage: stage)
            guard a != b else { throw FlowError.stageFailed(stage: stage, message: "params.bias.steered.atoms: the two atoms are the same (\(a))") }
            steered = Steered(a: a, b: b, k: s.k, from: s.from, velocity: (s.to - s.from) / duration)
        } else {
            steered = nil
        }
        if let t = spec?.tethered, let f = t.fixed, let p = t.pulled {
            let fixed = try f.resolve(in: topology, key: "params.bias.tethered.fixed", stage: stage)
            let pulled = try p.resolve(in: topology, key: "params.bias.tethered.pulled", stage: stage)
            guard fixed != pulled else { throw FlowError.stageFailed(stage: stage, message: "params.bias.tethered: fixed and pulled are the same atom (\(fixed))") }
            tethered = Tethered(fixed: fixed, pulled: pulled, k: t.k, speed: t.speed,
                                direction: t.direction.map { SIMD3($0[0], $0[1], $0[2]) })
        } else {
            tethered = nil
        }
        metadynamics = spec?.metadynamics
        restraints = spec?.restraints ?? []
        cvs = []
        cvNames = []
        // Resolving once also stops the stage on CV errors before any dynamics.
        (cvs, cvNames) = labelledCVs(of: try make(start: model.molecule.positions))
    }

    /// Whether a bias depends on time (then the run is non-equilibrium and `/work` is written).
    var moves: Bool { steered.map { $0.velocity != 0 } ?? false || tethered.map { $0.speed != 0 } ?? false || restraints.contains { $0.moves } }

    /// One replica's biases; tethered anchors start where the atoms are in `start`.
    func make(start: [Double]) throws -> [any Bias] {
        var biases: [any Bias] = []
        if let s = steered {
            biases.append(MovingHarmonicRestraint(cv: DistanceCV(s.a, s.b, atomCount: atomCount), forceConstant: s.k,
                                                  initialCenter: s.from, velocity: s.velocity))
        }
        if let t = tethered {
            let rf = SIMD3(start[3 * t.fixed], start[3 * t.fixed + 1], start[3 * t.fixed + 2])
            let rp = SIMD3(start[3 * t.pulled], start[3 * t.pulled + 1], start[3 * t.pulled + 2])
            let axis = t.direction ?? (rp - rf)
            let unit = axis / ((axis * axis).sum()).squareRoot()
            biases.append(TetheredPulling(springs: [.init(atom: t.fixed, forceConstant: t.k, anchor: rf),
                                                    .init(atom: t.pulled, forceConstant: t.k, anchor: rp, velocity: t.speed * unit)]))
        }
        for (n, r) in restraints.enumerated() { biases.append(try r.build(system: system, stage: stage, index: n)) }
        if let m = metadynamics {
            let bias = try m.build(system: system, stage: stage)
            bias.depositionSteps = m.depositSteps
            biases.append(bias)
        }
        return biases
    }

    /// The CVs written to `/cv` and their column names, in bias order: steered distance,
    /// tethered distance (fixed–pulled), restraint CVs, metadynamics CVs. CVs are stateless
    /// values, so one list serves every replica.
    func labelledCVs(of biases: [any Bias]) -> (cvs: [any CollectiveVariable], names: [String]) {
        var out: (cvs: [any CollectiveVariable], names: [String]) = ([], [])
        var restraintsSeen = 0
        for bias in biases {
            let prefix: String
            let cv: any CollectiveVariable
            if let r = bias as? MovingHarmonicRestraint {
                prefix = steered != nil && restraintsSeen == 0 ? "steered" : "restraint"
                restraintsSeen += 1
                cv = r.cv
            } else if bias is TetheredPulling, let t = tethered {
                prefix = "tethered"
                cv = DistanceCV(t.fixed, t.pulled, atomCount: atomCount)
            } else if let m = bias as? WellTemperedMetadynamics {
                prefix = "metadynamics"
                cv = m.cv
            } else {
                continue
            }
            out.cvs.append(cv)
            out.names += cv.componentNames.map { "\(prefix):\($0)" }
        }
        return out
    }
}
