import Foundation

/// A harmonic restraint on a collective variable whose centre moves at constant speed:
/// U(x, t) = Σ_c ½ k_c (ξ_c(x) − z_c(t))², z_c(t) = z_c(0) + v_c t — colvars' `harmonic` bias with
/// `targetCenters` reached by a linear schedule (steered MD, Isralewitz, Gao & Schulten, Curr.
/// Opin. Struct. Biol. 11, 224 (2001)); with v = 0 an ordinary umbrella restraint. Note the ½
/// (colvars/NAMD convention for biases), unlike CHARMM's bonded terms.
///
/// The work is exact for the discrete protocol: W += U(x, t1) − U(x, t0) at fixed x, which for
/// constant speed equals −Σ_c k_c v_c (t1 − t0) (ξ_c − z̄_c) with z̄_c the centre at mid-interval.
/// Periodic components (dihedrals) use the minimum-image difference. With a CV that has a block
/// evaluator (a learned CV), a block of walkers is one batched evaluation and one pullback.
public final class MovingHarmonicRestraint: BatchedBias {
    public let cv: any CollectiveVariable
    public let forceConstants: [Double]
    public let initialCenters: [Double]
    /// Centre speed per component (CV units per ps).
    public let velocities: [Double]
    /// Period per component (2π for dihedrals) or nil.
    public let periods: [Double?]
    private var jacobian: [Double]
    private lazy var block = HarmonicBlock(cv: cv, forceConstants: forceConstants)

    public init(cv: any CollectiveVariable, forceConstants: [Double], initialCenters: [Double],
                velocities: [Double]? = nil, periods: [Double?]? = nil) {
        let d = cv.outputDimension
        precondition(forceConstants.count == d && initialCenters.count == d, "one force constant and centre per CV component")
        self.cv = cv
        self.forceConstants = forceConstants
        self.initialCenters = initialCenters
        self.velocities = velocities ?? [Double](repeating: 0, count: d)
        self.periods = periods ?? [Double?](repeating: nil, count: d)
        jacobian = [Double](repeating: 0, count: d * cv.inputDimension)
    }

    /// Convenience: one-dimensional CV.
    public convenience init(cv: any CollectiveVariable, forceConstant: Double, initialCenter: Double,
                            velocity: Double = 0, period: Double? = nil) {
        self.init(cv: cv, forceConstants: [forceConstant], initialCenters: [initialCenter],
                  velocities: [velocity], periods: [period])
    }

    public func center(_ c: Int, time: Double) -> Double { initialCenters[c] + velocities[c] * time }

    func deviation(_ value: Double, _ c: Int, _ time: Double) -> Double {
        var d = value - center(c, time: time)
        if let p = periods[c] { d -= p * (d / p).rounded() }
        return d
    }

    public func energy(_ x: [Double], time: Double) -> Double {
        let xi = cv.value(x)
        var e = 0.0
        for c in xi.indices {
            let d = deviation(xi[c], c, time)
            e += 0.5 * forceConstants[c] * d * d
        }
        return e
    }

    public func energy(_ x: [Double], time: Double, addingGradientTo gradient: inout [Double]) -> Double {
        let xi = cv.value(x, jacobian: &jacobian)
        return HarmonicBlock.energy(xi, jacobian: jacobian, inputDimension: cv.inputDimension, forceConstants: forceConstants, addingGradientTo: &gradient) { c, v in
            deviation(v, c, time)
        }
    }

    public var evaluatesInBlocks: Bool { (cv as? any BatchedCollectiveVariable)?.prefersBlocks ?? false }

    public func addEnergies(_ x: UnsafePointer<Double>, count: Int, firstWalker: Int, time: Double,
                            energies: UnsafeMutablePointer<Double>, gradients: UnsafeMutablePointer<Double>) {
        block.add(x, count: count, energies: energies, gradients: gradients) { _, c, v in deviation(v, c, time) }
    }
}

/// Atoms tethered by isotropic springs to anchor points moving at constant velocity:
/// U(x, t) = Σ_s ½ k_s |r_{a_s} − (p_s + u_s t)|². With two springs — one anchor fixed at the
/// N-terminal atom, one moving along the helix axis from the C-terminal atom — this is the
/// constant-velocity pulling of the NAMD SMD tutorial's deca-alanine (`smd.tcl`: k = 7.2
/// kcal/mol/Å², 0.002 Å per 2 fs step along z). Work as for `MovingHarmonicRestraint`.
public final class TetheredPulling: Bias {
    public struct Spring: Sendable {
        public var atom: Int
        public var forceConstant: Double
        public var anchor: SIMD3<Double>
        /// Anchor velocity in Å/ps.
        public var velocity: SIMD3<Double>
        public init(atom: Int, forceConstant: Double, anchor: SIMD3<Double>, velocity: SIMD3<Double> = .zero) {
            self.atom = atom; self.forceConstant = forceConstant; self.anchor = anchor; self.velocity = velocity
        }
    }

    public let springs: [Spring]

    public init(springs: [Spring]) { self.springs = springs }

    func displacement(_ x: [Double], _ s: Spring, _ time: Double) -> SIMD3<Double> {
        let a = 3 * s.atom
        return SIMD3(x[a], x[a + 1], x[a + 2]) - (s.anchor + time * s.velocity)
    }

    public func energy(_ x: [Double], time: Double) -> Double {
        springs.reduce(0) { e, s in
            let d = displacement(x, s, time)
            return e + 0.5 * s.forceConstant * (d * d).sum()
        }
    }

    public func energy(_ x: [Double], time: Double, addingGradientTo gradient: inout [Double]) -> Double {
        var e = 0.0
        for s in springs {
            let d = displacement(x, s, time)
            e += 0.5 * s.forceConstant * (d * d).sum()
            for k in 0..<3 { gradient[3 * s.atom + k] += s.forceConstant * d[k] }
        }
        return e
    }
}
