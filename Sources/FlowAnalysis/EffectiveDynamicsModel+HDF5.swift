import FlowHDF5
import FlowLinalg

/// Fitted effective dynamics in HDF5, readable by h5py as much as by flow:
///
///     <group>                 attrs: format = "flow-effective-dynamics/1", convention, beta,
///                                    trivial_eigenvalue
///     <group>/axes/lower, upper        float64 (d)     the grid's cell range per axis
///     <group>/axes/count, periodic     int64 (d)       cells per axis; 1 for a periodic axis
///     <group>/free_energy              float64 (cells) F per cell as fitted (NaN/∞ where removed)
///     <group>/diffusion                float64 (cells × d × d)
///     <group>/nodes                    int64 (nodes)   the grid cell (row-major, first axis
///                                                      slowest) of each node
///     <group>/stationary               float64 (nodes)
///     <group>/eigenvalues              float64 (k)     λ > 0 of −L, ascending
///     <group>/eigenfunctions           float64 (nodes × k)
///
/// Loading rebuilds the finite-element generator from the axes, F, M and the node set (so
/// committors and rates can be computed again) and takes the eigenpairs as stored.
public extension EffectiveDynamicsModel {
    static let formatName = "flow-effective-dynamics/1"
    static let convention = "L f = beta^-1 exp(beta F) div(exp(-beta F) M grad f), P1 finite elements on the cell centres, lumped mass; "
        + "eigenvalues lambda > 0 of -L in 1/time; eigenfunctions normalized to sum_i stationary_i f_i^2 = 1"

    /// Writes the model into `group` (which should be empty).
    func save(to group: HDF5Group) throws {
        let d = axes.count
        try group.setAttribute("format", .string(Self.formatName))
        try group.setAttribute("convention", .string(Self.convention))
        try group.setAttribute("beta", .double(beta))
        try group.setAttribute("trivial_eigenvalue", .double(trivialEigenvalue))
        try group.write("axes/lower", axes.map(\.lower), shape: [d])
        try group.write("axes/upper", axes.map(\.upper), shape: [d])
        try group.write("axes/count", axes.map { Int64($0.count) }, shape: [d])
        try group.write("axes/periodic", axes.map { Int64($0.periodic ? 1 : 0) }, shape: [d])
        try group.write("free_energy", generator.freeEnergy, shape: [generator.freeEnergy.count])
        try group.write("diffusion", generator.diffusion.values.storage, shape: [generator.diffusion.cellCount, d, d])
        try group.write("nodes", nodes.cells.map(Int64.init), shape: [nodes.count])
        try group.write("stationary", stationary, shape: [nodes.count])
        try group.write("eigenvalues", eigenvalues, shape: [eigenvalues.count])
        try group.write("eigenfunctions", eigenfunctions.storage, shape: [eigenfunctions.rows, eigenfunctions.cols])
    }

    /// Reads a model written by `save(to:)`.
    static func load(from group: HDF5Group) throws -> EffectiveDynamicsModel {
        func fail(_ reason: String) -> HDF5Error {
            HDF5Error(operation: "load effective-dynamics model", file: group.file.path, object: group.path, reason: reason)
        }
        guard case .string(let format)? = try group.attribute("format"), format == formatName else {
            throw fail("no '\(formatName)' format attribute")
        }
        guard case .double(let beta)? = try group.attribute("beta"),
              case .double(let trivial)? = try group.attribute("trivial_eigenvalue") else {
            throw fail("missing 'beta' or 'trivial_eigenvalue'")
        }
        let lower = try group.read("axes/lower", as: Double.self).values
        let upper = try group.read("axes/upper", as: Double.self).values
        let counts = try group.read("axes/count", as: Int64.self).values
        let periodic = try group.read("axes/periodic", as: Int64.self).values
        let d = lower.count
        guard (1...2).contains(d), upper.count == d, counts.count == d, periodic.count == d else {
            throw fail("axes/lower, upper, count and periodic must have 1 or 2 entries each")
        }
        let axes = (0..<d).map { GridAxis(lower: lower[$0], upper: upper[$0], count: Int(counts[$0]), periodic: periodic[$0] != 0) }
        let cells = axes.reduce(1) { $0 * $1.count }
        let freeEnergy = try group.read("free_energy", as: Double.self)
        let diffusion = try group.read("diffusion", as: Double.self)
        let nodeCells = try group.read("nodes", as: Int64.self).values.map(Int.init)
        guard freeEnergy.shape == [cells], diffusion.shape == [cells, d, d] else {
            throw fail("free_energy \(freeEnergy.shape) and diffusion \(diffusion.shape) do not fit a grid of \(cells) cells in \(d)-D")
        }
        guard nodeCells.allSatisfy({ $0 >= 0 && $0 < cells }) else { throw fail("nodes outside the grid's \(cells) cells") }
        var mask = [Bool](repeating: false, count: cells)
        for c in nodeCells { mask[c] = true }
        let field = try DiffusionTensorField(dimension: d, values: Matrix(rows: cells, cols: d * d, storage: diffusion.values))
        let generator = try FiniteElementGenerator(axes: axes, freeEnergy: freeEnergy.values, diffusion: field, beta: beta,
                                                   selection: NodeSelection(mask: mask))
        guard generator.nodes.cells == nodeCells else {
            throw fail("the stored node set is not the one its free energy, diffusion and axes give")
        }
        let (values, _) = try group.read("eigenvalues", as: Double.self)
        let functions = try group.read("eigenfunctions", as: Double.self)
        guard functions.shape == [nodeCells.count, values.count] else {
            throw fail("eigenfunctions \(functions.shape), expected [\(nodeCells.count), \(values.count)]")
        }
        return EffectiveDynamicsModel(generator: generator, eigenvalues: values,
                                      eigenfunctions: Matrix(rows: nodeCells.count, cols: values.count, storage: functions.values),
                                      trivialEigenvalue: trivial)
    }
}
