/// A potential energy surface V: ℝᴰ → ℝ with its gradient — the "System" half of OpenMM's
/// System/Integrator split. Configurations are flat arrays of D coordinates; for particle systems
/// the coordinate order is documented by each potential (e.g. `lj7-2d` uses x₁…x₇, y₁…y₇;
/// molecules use x₁,y₁,z₁,x₂,…).
public protocol Potential: Sendable {
    /// Number of coordinates D.
    var dimension: Int { get }
    /// V(x).
    func energy(_ x: [Double]) -> Double
    /// V(x); writes ∇V(x) into `gradient` (which has `dimension` elements).
    func energy(_ x: [Double], gradient: inout [Double]) -> Double
    /// The batched path the walker ensemble uses: V and ∇V of `count` configurations stored one
    /// after another in `x` (count × dimension values), written to `energies` (count) and
    /// `gradients` (count × dimension). The default evaluates them one by one through
    /// `energy(_:gradient:)`; model potentials override it with allocation-free kernels. The
    /// result for one configuration must not depend on the others in the batch (so that results
    /// do not depend on how walkers are split over threads).
    func energies(_ x: UnsafePointer<Double>, count: Int, energies: UnsafeMutablePointer<Double>,
                  gradients: UnsafeMutablePointer<Double>)
}

public extension Potential {
    func energy(_ x: [Double]) -> Double {
        var g = [Double](repeating: 0, count: dimension)
        return energy(x, gradient: &g)
    }

    func energies(_ x: UnsafePointer<Double>, count: Int, energies: UnsafeMutablePointer<Double>,
                  gradients: UnsafeMutablePointer<Double>) {
        let d = dimension
        var g = [Double](repeating: 0, count: d)
        for k in 0..<count {
            let xk = Array(UnsafeBufferPointer(start: x + k * d, count: d))
            energies[k] = energy(xk, gradient: &g)
            for i in 0..<d { gradients[k * d + i] = g[i] }
        }
    }

    /// ∇V(x).
    func gradient(_ x: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: dimension)
        _ = energy(x, gradient: &g)
        return g
    }
}

/// A collective variable ξ: ℝᴰ → ℝᵈ with its Jacobian, evaluated at one configuration. Built-in
/// CVs (distances, dihedrals, coordination numbers, μ2/μ3) and trained networks both conform, so
/// biases and analyses treat them alike.
public protocol CollectiveVariable: Sendable {
    /// Number of coordinates D of the configurations it takes.
    var inputDimension: Int { get }
    /// Number of CV components d.
    var outputDimension: Int { get }
    /// Short human-readable names of the components, e.g. ["mu2", "mu3"].
    var componentNames: [String] { get }
    /// ξ(x), d values.
    func value(_ x: [Double]) -> [Double]
    /// ξ(x); writes the d×D Jacobian ∂ξᵢ/∂xⱼ row-major into `jacobian`.
    func value(_ x: [Double], jacobian: inout [Double]) -> [Double]
}
