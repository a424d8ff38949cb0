import FlowAnalysis
import FlowLinalg
import FlowMD

/// The exact reference for 1-D and 2-D model systems: the generator L = β⁻¹Δ − ∇V·∇ discretized
/// on a grid of cells over a box by the square-root approximation (`GridGenerator` with F = V,
/// M = I; Lie, Fackeldey & Weber 2013).
struct ReferenceGrid {
    let system: SimulationSystem
    let box: [ClosedRange<Double>]
    /// Cells with β(V − V_min) above this are removed (a reflecting wall where the density is
    /// negligible; see `GridGenerator`).
    let maxReducedEnergy: Double

    /// The system's box, widened side by side (in steps of a tenth of its width, up to 3 widths)
    /// until β(V − V_min) ≥ `maxReducedEnergy` all along that side: the grid's reflecting boundary
    /// must lie where e^{−βV} is negligible, or it changes the slow eigenvalues (the Müller–Brown
    /// box of the figures cuts the B well at about 2 k_BT, which changes λ₁ by about 1%).
    static func box(for system: SimulationSystem, maxReducedEnergy: Double) -> [ClosedRange<Double>]? {
        guard var box = system.domain, box.count == system.potential.dimension, box.count <= 2 else { return nil }
        let probes = 200
        func edgeMinimum(_ axis: Int, at value: Double) -> Double {
            guard box.count == 2 else { return system.potential.energy([value]) }
            let other = box[1 - axis]
            return (0...probes).map { t -> Double in
                var x = [0.0, 0.0]
                x[axis] = value
                x[1 - axis] = other.lowerBound + (other.upperBound - other.lowerBound) * Double(t) / Double(probes)
                return system.potential.energy(x)
            }.min()!
        }
        let vMin = ReferenceGrid(system: system, box: box, maxReducedEnergy: maxReducedEnergy).minimumEnergy()
        for axis in 0..<box.count {
            let step = (box[axis].upperBound - box[axis].lowerBound) / 10
            var (lo, hi) = (box[axis].lowerBound, box[axis].upperBound)
            for _ in 0..<30 where system.beta * (edgeMinimum(axis, at: lo) - vMin) < maxReducedEnergy { lo -= step }
            for _ in 0..<30 where system.beta * (edgeMinimum(axis, at: hi) - vMin) < maxReducedEnergy { hi += step }
            box[axis] = lo...hi
        }
        return box
    }

    /// The lowest potential energy on a 400-point (1-D) or 400 × 400 scan of the box.
    func minimumEnergy() -> Double {
        let axes = box.map { GridAxis(lower: $0.lowerBound, upper: $0.upperBound, count: 400) }
        return energies(axes).min() ?? 0
    }

    /// V at every cell centre, row-major (first axis slowest).
    func energies(_ axes: [GridAxis]) -> [Double] {
        if axes.count == 1 { return (0..<axes[0].count).map { system.potential.energy([axes[0].center($0)]) } }
        return (0..<axes[0].count).flatMap { i in
            (0..<axes[1].count).map { j in system.potential.energy([axes[0].center(i), axes[1].center(j)]) }
        }
    }

    /// The generator with `cells` cells per axis.
    func generator(cells: Int) throws -> GridGenerator {
        let axes = box.map { GridAxis(lower: $0.lowerBound, upper: $0.upperBound, count: cells) }
        return try GridGenerator(axes: axes, freeEnergy: energies(axes), beta: system.beta,
                                 maxReducedFreeEnergy: maxReducedEnergy)
    }
}
