import FlowHDF5

/// One harmonic umbrella window per walker on a collective variable ξ:
/// U_w(x) = ½ Σ_c κ_c (ξ_c(x) − z_{w,c})², so a single walker ensemble samples every window of a
/// grid at once. Periodic components use the minimum-image difference. This is the restraint of
/// the restrained-run estimators of the effective dynamics (Legoll & Lelièvre 2010; Maragliano,
/// Fischer, Vanden-Eijnden & Ciccotti, J. Chem. Phys. 125, 024106 (2006)): the mean force
/// ∇F(z) ≈ κ(z − ⟨ξ⟩_z) and the diffusion tensor M(z) ≈ ⟨∇ξ ∇ξᵀ⟩_z, both exact as κ → ∞.
///
/// With a CV that has a block evaluator (a learned CV), a block of walkers is one batched
/// evaluation and one pullback (`BatchedBias`).
public final class UmbrellaWindows: BatchedBias {
    public let cv: any CollectiveVariable
    public let forceConstants: [Double]
    /// Centre of each walker's window (walkers × d).
    public let centers: [[Double]]
    public let periods: [Double?]
    private var jacobian: [Double]
    private lazy var block = HarmonicBlock(cv: cv, forceConstants: forceConstants)

    public init(cv: any CollectiveVariable, forceConstants: [Double], centers: [[Double]], periods: [Double?]) {
        let d = cv.outputDimension
        precondition(forceConstants.count == d && periods.count == d && centers.allSatisfy { $0.count == d },
                     "one force constant, period and centre coordinate per CV component")
        self.cv = cv
        self.forceConstants = forceConstants
        self.centers = centers
        self.periods = periods
        jacobian = [Double](repeating: 0, count: d * cv.inputDimension)
    }

    /// ξ − z with the minimum image on periodic components.
    func deviation(_ value: Double, _ c: Int, walker: Int) -> Double {
        var d = value - centers[walker][c]
        if let p = periods[c] { d -= p * (d / p).rounded() }
        return d
    }

    public func energy(_ x: [Double], walker: Int, time: Double, addingGradientTo gradient: inout [Double]) -> Double {
        let xi = cv.value(x, jacobian: &jacobian)
        return HarmonicBlock.energy(xi, jacobian: jacobian, inputDimension: cv.inputDimension, forceConstants: forceConstants, addingGradientTo: &gradient) { c, v in
            deviation(v, c, walker: walker)
        }
    }

    public var evaluatesInBlocks: Bool { (cv as? any BatchedCollectiveVariable)?.prefersBlocks ?? false }

    public func addEnergies(_ x: UnsafePointer<Double>, count: Int, firstWalker: Int, time: Double,
                            energies: UnsafeMutablePointer<Double>, gradients: UnsafeMutablePointer<Double>) {
        block.add(x, count: count, energies: energies, gradients: gradients) { k, c, v in
            deviation(v, c, walker: firstWalker + k)
        }
    }

    /// The windows differ by walker: the walker-free entry points are not meaningful.
    public func energy(_ x: [Double], time: Double) -> Double {
        preconditionFailure("UmbrellaWindows needs the walker index (WalkerForces passes it)")
    }

    public func energy(_ x: [Double], time: Double, addingGradientTo gradient: inout [Double]) -> Double {
        preconditionFailure("UmbrellaWindows needs the walker index (WalkerForces passes it)")
    }

    public func work(_ x: [Double], from t0: Double, to t1: Double) -> Double { 0 }
}

/// Running averages of one window's walker after its equilibration: ⟨ξ⟩ (on periodic components
/// the mean displacement from the window centre, added back, so windows at the seam average
/// correctly) and ⟨∇ξ P M⁻¹ ∇ξᵀ⟩ with M⁻¹ the inverse masses (1 for the overdamped model
/// systems) and P the projector onto the tangent space of the constraint manifold, orthogonal in
/// the metric M⁻¹ (P = I − M⁻¹Cᵀ(CM⁻¹Cᵀ)⁻¹C with C the constraints' Jacobian; P = I without
/// constraints): the diffusion tensor of the effective dynamics of a CV of constrained dynamics
/// (Ciccotti, Lelièvre & Vanden-Eijnden, Commun. Pure Appl. Math. 61, 371 (2008), where the
/// mobility on the manifold is P M⁻¹). P is RATTLE's velocity projection (`Constraints`), the
/// one the integrators apply, so M and the dynamics see the same manifold.
public final class WindowAverages: WalkerObserver {
    let cv: any CollectiveVariable
    let center: [Double]
    let periods: [Double?]
    let inverseMasses: [Double]?
    let constraints: Constraints?
    let skipSteps: Int
    private var jacobian: [Double]
    /// Samples, Σ (ξ − z) per component, Σ J M⁻¹ Jᵀ (d × d).
    private var sums: [Double]

    /// `constraints`: this window's own instance (it keeps scratch buffers), or nil.
    public init(cv: any CollectiveVariable, center: [Double], periods: [Double?], inverseMasses: [Double]? = nil,
                constraints: Constraints? = nil, equilibrationSteps: Int) {
        self.cv = cv
        self.center = center
        self.periods = periods
        self.inverseMasses = inverseMasses
        self.constraints = constraints
        skipSteps = equilibrationSteps
        let d = cv.outputDimension
        jacobian = [Double](repeating: 0, count: d * cv.inputDimension)
        sums = [Double](repeating: 0, count: 1 + d + d * d)
    }

    public func observe(_ x: UnsafeBufferPointer<Double>, step: Int, time: Double) {
        guard step > skipSteps else { return }
        add(sample(Array(x)))
    }

    /// One sample at x: ξ − z per component (minimum image on periodic ones), then
    /// ∇ξ P M⁻¹ ∇ξᵀ (d × d row-major). Runs that keep samples as frame values (molecular replicas,
    /// which checkpoint their frames) average them later with `add`.
    public func sample(_ x: [Double]) -> [Double] {
        let d = cv.outputDimension, n = cv.inputDimension
        let xi = cv.value(x, jacobian: &jacobian)
        var out = [Double](repeating: 0, count: d + d * d)
        for c in 0..<d {
            var u = xi[c] - center[c]
            if let p = periods[c] { u -= p * (u / p).rounded() }
            out[c] = u
        }
        if let constraints {
            // Row a of ∇ξ P M⁻¹: the mobility M⁻¹∇ξ_aᵀ, projected as RATTLE projects a velocity.
            let mobility = (0..<d).map { a -> [Double] in
                var w = (0..<n).map { jacobian[a * n + $0] * (inverseMasses?[$0] ?? 1) }
                constraints.rattleVelocities(&w, positions: x)
                return w
            }
            for a in 0..<d {
                for b in a..<d {
                    var s = 0.0
                    for j in 0..<n { s += jacobian[b * n + j] * mobility[a][j] }
                    out[d + a * d + b] = s
                    out[d + b * d + a] = s
                }
            }
            return out
        }
        for a in 0..<d {
            for b in a..<d {
                var s = 0.0
                for j in 0..<n { s += jacobian[a * n + j] * jacobian[b * n + j] * (inverseMasses?[j] ?? 1) }
                out[d + a * d + b] = s
                out[d + b * d + a] = s
            }
        }
        return out
    }

    /// Adds one `sample` to the averages.
    public func add(_ sample: [Double]) {
        sums[0] += 1
        for i in sample.indices { sums[1 + i] += sample[i] }
    }

    public var state: [Double] {
        get { sums }
        set { sums = newValue }
    }

    public var samples: Int { Int(sums[0]) }

    /// ⟨ξ⟩ (nil before any sample).
    public var meanValue: [Double]? {
        guard sums[0] > 0 else { return nil }
        return center.indices.map { center[$0] + sums[1 + $0] / sums[0] }
    }

    /// ⟨∇ξ M⁻¹ ∇ξᵀ⟩ row-major d × d (nil before any sample).
    public var meanDiffusion: [Double]? {
        guard sums[0] > 0 else { return nil }
        let d = cv.outputDimension
        return (0..<(d * d)).map { sums[1 + d + $0] / sums[0] }
    }
}
