import FlowHDF5
import FlowLinalg

extension HDF5Group {
    /// Writes a matrix as an (rows × cols) float64 dataset, one sample per row, with optional
    /// `units` and `description` attributes (DESIGN §6).
    func write(_ name: String, matrix: Matrix, units: String? = nil, description: String? = nil) throws {
        try write(name, matrix.storage, shape: [matrix.rows, matrix.cols])
        try annotate(name, units: units, description: description)
    }

    /// Writes a vector as a 1-D float64 dataset with optional attributes.
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
