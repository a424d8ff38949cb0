import Foundation
import FlowLinalg

/// The generator L f = β⁻¹ e^{βF} ∇·(e^{−βF} M ∇f) of the effective dynamics
/// dZ = (−M∇F + β⁻¹∇·M) dt + √(2β⁻¹) M^{1/2} dW (Legoll & Lelièvre 2010) with a full,
/// position-dependent, symmetric positive-definite d × d tensor M (d = 1, 2), discretized by P1
/// finite elements with a lumped mass:
///
///     K_ij = β⁻¹ ∫ e^{−βF} ∇φ_i · M ∇φ_j,   B_ii = ∫ e^{−βF} φ_i,   −L ≈ B⁻¹K,   K v = λ B v.
///
/// Nodes are the cell centres of `GridNodes`. In 1D the elements are the segments between
/// neighbouring nodes; in 2D each rectangle of four neighbouring nodes is split into two right
/// triangles. K is symmetric positive semidefinite with the constants in its null space and B is
/// diagonal and positive, so the discrete generator B⁻¹K is reversible with respect to the
/// stationary distribution π_i = B_ii / Σ B (detailed balance with e^{−βF} holds exactly), and the
/// eigenproblem is the symmetric one of B^{−1/2} K B^{−1/2}. The scheme is consistent for any
/// anisotropic M (eigenvalue errors O(h²)); the square-root approximation of `GridGenerator` is
/// not, because it sees only M's diagonal.
///
/// Choices, and why:
/// - **Quadrature.** On each element e^{−βF} is taken at the centroid of the linear interpolant of
///   F, exp(−β·mean_v F_v), and M as the vertex mean. In 1D this makes K the square-root
///   approximation's conductances, e^{−β(F_i + F_j)/2}·M̄/h, which across a barrier are closer to
///   the exact flux conductance (the harmonic mean of e^{−βF} along the edge) than the vertex mean
///   of e^{−βF}, which overestimates it: for F = (x² − 1)² + x/5, β = 4, 41 nodes on [−2, 2], λ₁
///   is 1.5% high with the centroid and 2.9% with the vertex mean.
///   The mass is lumped by the trapezoidal rule on each full rectangle (B_ii gets h₀h₁/4 ·
///   e^{−βF_i} from each), or the vertex rule on a triangle whose fourth corner was removed.
/// - **Diagonal of each rectangle.** P1 couples the two ends of the diagonal by
///   −β⁻¹|T| w M₀₁/(h₀h₁) for the diagonal along (h₀, h₁) and +β⁻¹|T| w M₀₁/(h₀h₁) for the
///   other one. Each rectangle takes the diagonal that makes this coupling a positive rate: along
///   (h₀, h₁) where the corners' Σ M₀₁ > 0, along (h₀, −h₁) where it is < 0, and the average of
///   both splits where it vanishes (diagonal M: then no diagonal coupling, and the scheme is the
///   5-point one, symmetric under reflections). The choice follows M, so it is equivariant under
///   reflections and 90° rotations. All off-diagonal K_ij are then ≤ 0 (an M-matrix: committors in
///   [0, 1], a discrete maximum principle) whenever |M₀₁| ≤ min(M₀₀ h₁/h₀, M₁₁ h₀/h₁) on each
///   element; `positiveCouplings` counts the entries where that fails (the spectrum stays real and
///   ≥ 0 regardless).
/// - **Boundaries.** A non-periodic axis ends at its outermost nodes; periodic axes (angles) wrap.
///   Cells whose F or M is not finite, or that `NodeSelection` cuts off, are removed, with every
///   element that touches them: a reflecting wall (the natural boundary condition of the weak
///   form). A rectangle with one corner removed keeps the triangle of the other three.
///
/// Units: F in energy, β in 1/energy, M in length²/(energy·time): eigenvalues and rates in 1/time.
public struct FiniteElementGenerator: Sendable {
    public let nodes: GridNodes
    public let beta: Double
    /// F per grid cell, as given (all cells).
    public let freeEnergy: [Double]
    /// M per grid cell, as given (all cells).
    public let diffusion: DiffusionTensorField
    /// K over the nodes, with e^{−βF} taken relative to the minimum F over the nodes.
    public let stiffness: SparseMatrix
    /// B_ii over the nodes, on the same scale as `stiffness`.
    public let mass: [Double]
    /// Off-diagonal entries K_ij > 0 (each pair counted once): 0 when K is an M-matrix.
    public let positiveCouplings: Int
    /// Grid cells that passed the cut-offs but lay outside the connected region kept by
    /// `NodeSelection.keepComponentOfMinimum`.
    public let disconnectedCells: Int
    /// B^{−1/2} K B^{−1/2} and B^{1/2}.
    let form: SymmetricGeneratorForm

    public var axes: [GridAxis] { nodes.axes }
    /// π_i = B_ii / Σ B: the probability of node i's share of the domain.
    public var stationary: [Double] { form.stationary }
    /// F at each node.
    public var nodeFreeEnergy: [Double] { nodes.cells.map { freeEnergy[$0] } }

    /// - Parameters:
    ///   - freeEnergy: F per grid cell, row-major over the axes (count₀ × count₁), energy.
    ///   - diffusion: M per grid cell.
    public init(axes: [GridAxis], freeEnergy: [Double], diffusion: DiffusionTensorField, beta: Double,
                selection: NodeSelection = NodeSelection()) throws {
        try GridNodes.validate(axes)
        for a in axes where a.periodic && a.count < 3 {
            throw LinalgError.invalidArgument("a periodic axis needs ≥ 3 cells for finite elements, got \(a.count)")
        }
        guard beta > 0 && beta.isFinite else { throw LinalgError.invalidArgument("β must be positive, got \(beta)") }
        let total = axes.reduce(1) { $0 * $1.count }
        guard freeEnergy.count == total else {
            throw LinalgError.dimensionMismatch("free energy has \(freeEnergy.count) values for \(total) grid cells")
        }
        guard diffusion.cellCount == total, diffusion.dimension == axes.count else {
            throw LinalgError.dimensionMismatch("a \(diffusion.dimension)-D diffusion field of \(diffusion.cellCount) cells on a \(axes.count)-D grid of \(total) cells")
        }
        self.beta = beta
        self.freeEnergy = freeEnergy
        self.diffusion = diffusion
        var keep = try selection.keep(freeEnergy: freeEnergy, beta: beta)
        for c in 0..<total where !diffusion.hasTensor(atCell: c) { keep[c] = false }
        let grid = try GridNodes(axes: axes)
        var mesh = FiniteElementMesh(grid: grid, keep: keep, diffusion: diffusion)
        // Connected components of the element graph: a node in no element, or a region joined to
        // the rest by no element, would carry its own zero eigenvalue.
        let kept = (0..<total).filter { keep[$0] }
        guard !kept.isEmpty else { throw LinalgError.invalidArgument("no grid cell has a finite free energy and diffusion tensor inside the cut-offs") }
        let components = try mesh.components(cells: total)
        let label = components.labels
        let keptLabels = Set(kept.map { label[$0] })
        var disconnected = 0
        if keptLabels.count > 1 {
            let lowest = kept.min { freeEnergy[$0] < freeEnergy[$1] }!
            guard selection.keepComponentOfMinimum else {
                let sizes = keptLabels.map { l in kept.filter { label[$0] == l }.count }
                throw LinalgError.disconnectedGraph(components: keptLabels.count, largest: sizes.max()!,
                                                    advice: "the retained grid cells do not form one connected region of elements; raise the free-energy cut-off, refine the grid, or keep only the component of the minimum")
            }
            for c in kept where label[c] != label[lowest] { keep[c] = false; disconnected += 1 }
            mesh = FiniteElementMesh(grid: grid, keep: keep, diffusion: diffusion)
        }
        guard kept.count - disconnected >= 2 else {
            throw LinalgError.invalidArgument("the retained region has a single node; refine the grid or raise the free-energy cut-off")
        }
        disconnectedCells = disconnected
        let nodes = try GridNodes(axes: axes, keep: keep)
        self.nodes = nodes

        let fMin = nodes.cells.map { freeEnergy[$0] }.min()!
        let weight = freeEnergy.map { exp(-beta * ($0 - fMin)) }
        var rows = [Int](), cols = [Int](), values = [Double]()
        rows.reserveCapacity(mesh.elements.count * 9)
        cols.reserveCapacity(mesh.elements.count * 9)
        values.reserveCapacity(mesh.elements.count * 9)
        for element in mesh.elements {
            let v = element.vertices
            let meanF = v.reduce(0) { $0 + freeEnergy[$1] } / Double(v.count)
            let w = exp(-beta * (meanF - fMin))
            let d = axes.count
            var m = [Double](repeating: 0, count: d * d)
            for c in v { for k in 0..<(d * d) { m[k] += diffusion.values[c, k] / Double(v.count) } }
            let g = element.gradients
            let factor = element.share * element.measure * w / beta
            for p in 0..<v.count {
                for q in 0..<v.count {
                    var s = 0.0
                    for a in 0..<d { for b in 0..<d { s += g[p][a] * m[a * d + b] * g[q][b] } }
                    rows.append(nodes.nodeOfCell[v[p]])
                    cols.append(nodes.nodeOfCell[v[q]])
                    values.append(factor * s)
                }
            }
        }
        let n = nodes.count
        stiffness = try SparseMatrix(rows: n, cols: n, rowIndices: rows, columnIndices: cols, values: values)
        mass = nodes.cells.map { mesh.lumpedVolume[$0] * weight[$0] }
        let diagonal = stiffness.diagonal
        var positive = 0
        for i in 0..<n {
            for e in stiffness.rowStart[i]..<stiffness.rowStart[i + 1] where Int(stiffness.columnIndices[e]) > i {
                // Rounding in cancelling contributions is not a coupling.
                let j = Int(stiffness.columnIndices[e])
                if stiffness.values[e] > 1e-12 * (diagonal[i] * diagonal[j]).squareRoot() { positive += 1 }
            }
        }
        positiveCouplings = positive
        let sqrtMass = mass.map { $0.squareRoot() }
        let inverse = sqrtMass.map { 1 / $0 }
        form = SymmetricGeneratorForm(matrix: stiffness.scaled(left: inverse, right: inverse), sqrtWeight: sqrtMass)
    }

    /// The `count` smallest eigenvalues of −L, i.e. of K v = λ B v (the first is 0 up to rounding),
    /// and the eigenfunctions (see `GridSpectrum`).
    public func spectrum(count: Int, solver: GridEigenSolver = .automatic, monitor: WorkMonitor = SilentMonitor()) throws -> GridSpectrum {
        try form.spectrum(count: count, solver: solver, monitor: monitor)
    }

    /// The forward committor between disjoint node sets: K q = 0 off A ∪ B, q = 0 on A, 1 on B.
    public func committor(from a: [Int], to b: [Int]) throws -> [Double] {
        try form.committor(from: a, to: b)
    }

    /// Committor, reactive flux ν_AB = qᵀKq / Σ B = β⁻¹ ∫ e^{−βF} ∇q·M∇q / ∫ e^{−βF}, ρ_A and the
    /// rates (see `TransitionPathResult`).
    public func transitionPaths(from a: [Int], to b: [Int]) throws -> TransitionPathResult {
        try form.transitionPaths(from: a, to: b)
    }

    /// Mean first-passage time to B: K τ = B·1 off B, τ = 0 on B (units of time).
    public func meanFirstPassageTime(to b: [Int]) throws -> [Double] {
        try form.meanFirstPassageTime(to: b)
    }
}
