import FlowCore
import FlowHDF5
import FlowLinalg

/// Writing and reading the datasets a stage kind declares (`OutputDataset`): the declaration
/// gives the name, checks the element type, and supplies the `description` attribute and the
/// `units` (a writer may state the units of its system instead, e.g. Å for molecules).
extension HDF5Group {
    func write(_ d: OutputDataset, matrix: Matrix, units: String? = nil) throws {
        try write(d, values: matrix.storage, shape: [matrix.rows, matrix.cols], units: units)
    }

    func write(_ d: OutputDataset, vector: [Double], units: String? = nil) throws {
        try write(d, values: vector, shape: [vector.count], units: units)
    }

    /// A float64 dataset of any shape (a grid, a stack of matrices).
    func write(_ d: OutputDataset, values: [Double], shape: [Int], units: String? = nil) throws {
        precondition(d.element == .float64, "\(d.path) is declared as \(d.element.rawValue)")
        try write(d.name, values, shape: shape)
        try annotate(d, units: units ?? d.units)
    }

    func write(_ d: OutputDataset, integers: [Int64], shape: [Int]? = nil) throws {
        precondition(d.element == .int64, "\(d.path) is declared as \(d.element.rawValue)")
        try write(d.name, integers, shape: shape ?? [integers.count])
        try annotate(d, units: nil)
    }

    func write(_ d: OutputDataset, strings: [String]) throws {
        precondition(d.element == .string, "\(d.path) is declared as \(d.element.rawValue)")
        try write(d.name, strings: strings)
        try annotate(d, units: nil)
    }

    func createGroup(_ d: OutputDataset) throws -> HDF5Group {
        precondition(d.element == .group, "\(d.path) is declared as \(d.element.rawValue)")
        return try createGroup(d.name)
    }

    func annotate(_ d: OutputDataset, units: String?) throws {
        let dataset = try self.dataset(d.name)
        try dataset.setAttribute("description", .string(d.help))
        if let units { try dataset.setAttribute("units", .string(units)) }
    }

    func contains(_ d: OutputDataset) -> Bool { contains(d.name) }

    func readMatrix(_ d: OutputDataset) throws -> Matrix { try readMatrix(d.name) }

    func readVector(_ d: OutputDataset) throws -> [Double] { try read(d.name, as: Double.self).values }

    func readIntegers(_ d: OutputDataset) throws -> [Int64] { try read(d.name, as: Int64.self).values }

    /// A member of a declared group (`/summary/time`, `/bias_grid/axis0`), as a matrix.
    func write(_ name: String, matrix: Matrix, units: String? = nil, description: String? = nil) throws {
        try write(name, matrix.storage, shape: [matrix.rows, matrix.cols])
        try annotate(name, units: units, description: description)
    }

    /// A member of a declared group, as a vector.
    func write(_ name: String, vector: [Double], units: String? = nil, description: String? = nil) throws {
        try write(name, vector, shape: [vector.count])
        try annotate(name, units: units, description: description)
    }

    func annotate(_ name: String, units: String?, description: String?) throws {
        guard units != nil || description != nil else { return }
        let d = try dataset(name)
        if let units { try d.setAttribute("units", .string(units)) }
        if let description { try d.setAttribute("description", .string(description)) }
    }

    /// Reads a 2-D (or 1-D, as one column) float64 dataset into a matrix.
    func readMatrix(_ name: String) throws -> Matrix {
        let (values, shape) = try read(name, as: Double.self)
        switch shape.count {
        case 1: return Matrix(rows: shape[0], cols: 1, storage: values)
        case 2: return Matrix(rows: shape[0], cols: shape[1], storage: values)
        default:
            let rows = shape.first ?? 1
            return Matrix(rows: rows, cols: rows == 0 ? 0 : values.count / rows, storage: values)
        }
    }
}

extension OutputDataset {
    /// The same dataset documented for one stage kind: a shared name and element type (what
    /// readers rely on) with the kind's own shape, units and help.
    func documented(shape: String? = nil, units: String? = nil, when condition: String? = nil, _ help: String) -> OutputDataset {
        OutputDataset(path, element, shape: shape ?? self.shape, units: units ?? self.units, when: condition ?? self.condition, help)
    }
}

/// Datasets that several stage kinds write and others read, declared once: the name and type
/// are the contract between stages.
enum SharedDatasets {
    static let x = OutputDataset.float64("/x", "rows × D", "one sample per row")
    static let weights = OutputDataset.float64("/weights", "rows", when: "the data carry weights",
                                               "reweighting weight of each row, normalized to mean 1")
    static let sourceIndex = OutputDataset.int64("/source_index", "rows",
                                                 "row of the original data each row comes from, so later stages can align rows")
    static let walker = OutputDataset.int64("/walker", "frames", "walker index of each frame")
    static let network = OutputDataset.group("/network", "a network in the flow-mlp/1 layout (layer{i}/weight in × out, bias; normalization attributes)")
    static let topology = OutputDataset.group("/topology", when: "charmm systems",
                                              "atoms (names, types, residues, masses, charges) and bonded lists")
    static let files = OutputDataset.group("/files", "published side files (figures, reports, trajectories), also linked into results/<workflow>/")
    static let grid = OutputDataset.group("/grid", when: "2-D data with a system box",
                                          "functions on a plane grid: x (nx), y (ny), values (ny × nx × functions, y slowest)")
}
