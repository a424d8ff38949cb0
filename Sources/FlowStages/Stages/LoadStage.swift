import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg

/// `kind: load` — imports external data into `/x` (one sample per row): NumPy `.npy` files
/// (float64/float32/int, any rank; trailing dimensions are flattened, so a frames × atoms × 3
/// trajectory becomes frames × 3·atoms) or a dataset of an HDF5 file.
enum LoadStage: StageKind {
    static let name = "load"
    static let version = 1
    static let summary = "import external data (.npy, HDF5 dataset) as /x"
    static let inputs = [InputSpec("source", help: "the file to import, as {file: path}")]
    enum Output {
        static let x = SharedDatasets.x.documented(shape: "samples × features", "the imported samples as float64 (attribute original_shape)")
        static let weights = SharedDatasets.weights.documented(when: "params.weights names a dataset", "per-sample weights, as imported")
    }
    static let outputs = [Output.x, Output.weights]

    enum Format: String, ParameterEnum {
        case auto, npy, hdf5
    }

    struct Parameters: Decodable {
        var format: Format
        var dataset: String
        var weights: String?

        enum CodingKeys: String, CodingKey { case format, dataset, weights }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            format = try p(.format, default: .auto, help: "file format; auto decides by the extension (.npy, .h5/.hdf5)")
            dataset = try p(.dataset, default: "/x", help: "dataset to read from an HDF5 file")
            weights = try p.optional(.weights, help: "HDF5 only: a dataset of per-sample weights to copy to /weights")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        guard let path = context.inputPath("source") else {
            throw FlowError.stageFailed(stage: context.stageName, message: "input 'source' is missing")
        }
        let shown = context.inputFileName("source") ?? path
        var format = p.format
        if format == .auto {
            let ext = (path as NSString).pathExtension.lowercased()
            switch ext {
            case "npy": format = .npy
            case "h5", "hdf5", "hdf", "he5": format = .hdf5
            default:
                format = HDF5File.isHDF5(path) ? .hdf5 : .npy
            }
        }
        let out = context.output.root
        switch format {
        case .npy, .auto:
            let a: NPYReader.Array
            do { a = try NPYReader.read(path) } catch {
                throw FlowError.stageFailed(stage: context.stageName, message: "cannot import '\(shown)': \(error)")
            }
            try out.write(Output.x, matrix: try Self.checkedSamples(a.values, shape: a.shape, shown, context))
            try out.dataset(Output.x.name).setAttribute("original_shape", .ints(a.shape.map(Int64.init)))
            try out.dataset(Output.x.name).setAttribute("source_dtype", .string(a.descr))
        case .hdf5:
            let f: HDF5File
            do { f = try HDF5File.open(path, mode: .readOnly) } catch {
                throw FlowError.stageFailed(stage: context.stageName, message: "cannot import '\(shown)': \(error)")
            }
            defer { try? f.close() }
            guard f.root.contains(String(p.dataset.drop { $0 == "/" })) else {
                throw FlowError.stageFailed(stage: context.stageName, message: "params.dataset: '\(shown)' has no dataset '\(p.dataset)'")
            }
            let (values, shape) = try f.root.read(String(p.dataset.drop { $0 == "/" }), as: Double.self)
            try out.write(Output.x, matrix: try Self.checkedSamples(values, shape: shape, "\(shown):\(p.dataset)", context))
            try out.dataset(Output.x.name).setAttribute("original_shape", .ints(shape.map(Int64.init)))
            if let w = p.weights {
                guard f.root.contains(String(w.drop { $0 == "/" })) else {
                    throw FlowError.stageFailed(stage: context.stageName, message: "params.weights: '\(shown)' has no dataset '\(w)'")
                }
                let (wv, _) = try f.root.read(String(w.drop { $0 == "/" }), as: Double.self)
                guard wv.count == shape.first ?? 0 else {
                    throw FlowError.stageFailed(stage: context.stageName, message: "params.weights: '\(w)' has \(wv.count) values for \(shape.first ?? 0) samples")
                }
                if let why = SampleChecks.weightsProblem(wv) {
                    throw FlowError.stageFailed(stage: context.stageName, message: "params.weights: '\(shown):\(w)' \(why)")
                }
                try out.write(Output.weights, vector: wv)
            }
        }
        try out.setAttribute("source", .string(shown))
    }

    /// The imported values as samples, refused with the file's name when they are empty or not
    /// finite: fix the file, not a stage downstream.
    static func checkedSamples(_ v: [Double], shape: [Int], _ shown: String, _ context: StageContext) throws -> Matrix {
        let m = asMatrix(v, shape: shape)
        if let why = SampleChecks.samplesProblem(m) {
            throw FlowError.stageFailed(stage: context.stageName, message: "cannot import '\(shown)': it \(why); remove or fill those samples")
        }
        return m
    }

    /// Rank 0 → 1×1, rank 1 → n×1, rank ≥ 2 → n × (product of the other extents).
    static func asMatrix(_ v: [Double], shape: [Int]) -> Matrix {
        let rows = shape.first ?? 1
        let cols = shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *)
        return Matrix(rows: rows, cols: cols, storage: v)
    }
}
