import FlowLinalg
import FlowMD
import FlowNN

/// The generator of the overdamped limit of Langevin dynamics with friction γ and masses M,
/// γ M dx = −∇V dt + √(2γ β⁻¹ M) dW:  L = γ⁻¹(β⁻¹ M⁻¹Δ − M⁻¹∇V·∇), M⁻¹Δ = Σᵢ mᵢ⁻¹ ∂ᵢ². In
/// mass-weighted coordinates y = M^{1/2} x it is γ⁻¹(β⁻¹Δ_y − ∇_y V·∇_y), so its Dirichlet form
/// β⁻¹E[∇f·M⁻¹∇f]/γ is the plain one, β⁻¹E|∇_y f|², divided by γ: `EigenfunctionLoss` trains
/// on y with the effective β' = βγ/c and reports λ in 1/time (c converts energy/(mass·length²)
/// to time⁻², 418.4 for kcal/mol, amu, Å and ps). The variational setting is that of Zhang,
/// Li & Schütte, J. Comput. Phys. 2022 (§2: a general diffusion matrix; their molecular example
/// uses this mass-weighted, friction-scaled form).
struct MassWeightedGenerator {
    /// √mᵢ per coordinate.
    let rootMasses: [Double]
    /// γ, in 1/time.
    let friction: Double
    /// c: energy/(mass·length²) in time⁻² (1 for model systems in reduced units).
    let unitFactor: Double

    init(masses: [Double], friction: Double, unitFactor: Double) {
        precondition(masses.allSatisfy { $0 > 0 } && friction > 0 && unitFactor > 0, "masses, friction and units must be positive")
        rootMasses = masses.map { $0.squareRoot() }
        self.friction = friction
        self.unitFactor = unitFactor
    }

    /// β' = βγ/c: the inverse temperature that makes β'⁻¹E|∇_y f|²/Var f the eigenvalue in 1/time.
    func effectiveBeta(_ beta: Double) -> Double { beta * friction / unitFactor }

    /// y = M^{1/2} x, row by row.
    func massWeighted(_ x: Matrix) -> Matrix {
        var y = x
        for i in 0..<x.rows { for j in 0..<x.cols { y[i, j] *= rootMasses[j] } }
        return y
    }

    /// The same network as a function of x: (y − s)/c = (x − s/√m)/(c/√m) for the stored input
    /// normalization (shift s, scale c) of a network trained on y.
    func takingCartesianInputs(_ network: MLP) {
        let n = network.inputNormalization
        network.inputNormalization = Normalization(shift: zip(n.shift, rootMasses).map { $0 / $1 },
                                                   scale: zip(n.scale, rootMasses).map { $0 / $1 })
    }

    var description: String {
        "L = γ⁻¹(β⁻¹M⁻¹Δ − M⁻¹∇V·∇), γ = \(friction), λ = β⁻¹E[∇f·M⁻¹∇f]/(γ Var f) × \(unitFactor) in 1/time"
    }
}
