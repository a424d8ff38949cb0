/// The positions of selected 3D particles after optimal superposition onto a reference (Kabsch /
/// Horn's quaternion method, `RigidAlignment`, unweighted: every selected particle counts alike,
/// which for butane's four carbons of equal mass is also the mass-weighted superposition):
/// yᵢ = R(x)(xᵢ − c(x)), c the centroid of the selection, R the rotation minimizing
/// Σ‖R(xᵢ − c) − rᵢ‖² with r the centred reference. Features invariant under rigid motions of
/// the molecule, as the butane features of Sule, Mehta & Cameron (arXiv 2506.01222).
///
/// Jacobian: ∂yᵢ = dR (xᵢ − c) + R ∂(xᵢ − c). R = B(q, q) is quadratic in the unit quaternion
/// q, the top eigenvector of Davenport's matrix K (linear in S = Σ (xᵢ − c) rᵢᵀ), so dR = 2B(q, dq)
/// and, by first-order perturbation of a simple eigenvalue λ₁,
/// dq = Σ_{k>1} v_k (v_kᵀ dK q)/(λ₁ − λ_k). With Σ rᵢ = 0, ∂S/∂x_{jα} has the single row α equal
/// to r_j. The derivative exists where λ₁ is simple, i.e. wherever the superposition is unique.
public struct AlignedPositions: CollectiveVariable {
    public let layout: ParticleLayout
    public let selection: [Int]
    /// The reference of the selected particles, centred.
    public let reference: [[Double]]

    public init(_ selection: [Int], reference: [[Double]], layout: ParticleLayout) {
        precondition(layout.spatialDimension == 3 && selection.count >= 3 && reference.count == selection.count,
                     "alignment of at least three 3D particles onto as many reference positions")
        precondition(selection.allSatisfy { (0..<layout.particles).contains($0) }, "select particles of the system")
        self.selection = selection
        self.layout = layout
        self.reference = RigidAlignment.centered(reference)
    }

    public var inputDimension: Int { layout.dimension }
    public var outputDimension: Int { 3 * selection.count }
    public var componentNames: [String] {
        selection.flatMap { p in ["x", "y", "z"].map { "aligned_\($0)\(p + 1)" } }
    }

    func centeredRows(_ x: [Double]) -> [[Double]] {
        RigidAlignment.centered(selection.map { layout.position($0, in: x) })
    }

    public func value(_ x: [Double]) -> [Double] {
        let rows = centeredRows(x)
        let r = RigidAlignment.rotation(RigidAlignment.quaternion(rows, onto: reference).q)
        return rows.flatMap { p in (0..<3).map { i in r[i][0] * p[0] + r[i][1] * p[1] + r[i][2] * p[2] } }
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        for k in jacobian.indices { jacobian[k] = 0 }
        let rows = centeredRows(x)
        let (q, _, values, vectors) = RigidAlignment.quaternion(rows, onto: reference)
        let top = values.indices.max { values[$0] < values[$1] }!
        let r = RigidAlignment.rotation(q)
        let n = selection.count, d = inputDimension, inverseCount = 1 / Double(n)
        for (j, particle) in selection.enumerated() {
            for alpha in 0..<3 {
                // dS for x_{jα}: row α is r_j.
                var ds = [[Double]](repeating: [0, 0, 0], count: 3)
                ds[alpha] = reference[j]
                let dk = RigidAlignment.davenport(ds)
                let dkq = (0..<4).map { a in (0..<4).reduce(0.0) { $0 + dk[a][$1] * q[$1] } }
                var dq = [0.0, 0, 0, 0]
                for e in 0..<4 where e != top {
                    let v = vectors[e]
                    let c = (0..<4).reduce(0.0) { $0 + v[$1] * dkq[$1] } / (values[top] - values[e])
                    for a in 0..<4 { dq[a] += c * v[a] }
                }
                let half = RigidAlignment.rotation(q, dq)
                let column = layout.index(particle, alpha)
                for (i, p) in rows.enumerated() {
                    let shift = (i == j ? 1 : 0) - inverseCount
                    for a in 0..<3 {
                        let dr = 2 * (half[a][0] * p[0] + half[a][1] * p[1] + half[a][2] * p[2])
                        jacobian[(3 * i + a) * d + column] = dr + r[a][alpha] * shift
                    }
                }
            }
        }
        return rows.flatMap { p in (0..<3).map { i in r[i][0] * p[0] + r[i][1] * p[1] + r[i][2] * p[2] } }
    }
}
