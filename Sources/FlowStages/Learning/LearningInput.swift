import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN

/// One opened input of a learning stage, with reads that fail in one line naming the input, where
/// it comes from (an upstream stage or a file), the dataset and what should be connected there.
struct LearningInput {
    let name: String
    let file: HDF5File
    let context: StageContext
    /// What should be connected, for messages: "a diffusion-net output".
    let expected: String
    /// Where the input comes from, for messages: "stage encoder" or the file's name.
    let source: String

    init(_ name: String, of context: StageContext, expected: String) throws {
        self.name = name
        self.context = context
        self.expected = expected
        source = context.upstream(name).map { "stage \($0.stage)" } ?? context.inputFileName(name) ?? name
        file = try context.input(name)
    }

    func close() { try? file.close() }

    func fail(_ message: String) -> FlowError {
        FlowError.stageFailed(stage: context.stageName, message: message)
    }

    /// A failure about this input: "input 'data' (stage sample) <problem>".
    func problem(_ text: String) -> FlowError { fail("input '\(name)' (\(source)) \(text)") }

    func has(_ dataset: String) -> Bool { file.root.contains(dataset) && !file.root.isGroup(dataset) }

    /// A 2-D (or 1-D, read as one column) float64 dataset with finite values.
    func matrix(_ dataset: String) throws -> Matrix {
        guard has(dataset) else { throw problem("has no dataset /\(dataset); connect \(expected)") }
        let m = try file.root.readMatrix(dataset)
        if let why = SampleChecks.samplesProblem(m) { throw problem("/\(dataset) \(why)") }
        return m
    }

    /// A 1-D dataset of `count` values, or nil when absent.
    func vector(_ dataset: String, count: Int) throws -> [Double]? {
        guard has(dataset) else { return nil }
        let v = try file.root.read(dataset, as: Double.self).values
        guard v.count == count else { throw problem("/\(dataset) has \(v.count) values for \(count) rows") }
        return v
    }

    /// `/source_index` as Ints, or nil when absent.
    func sourceIndex() throws -> [Int]? {
        guard has(SharedDatasets.sourceIndex.name) else { return nil }
        return try file.root.readIntegers(SharedDatasets.sourceIndex).map { Int($0) }
    }

    /// The /source_index numbering the rows of `dataset`: the one in the dataset's own group (e.g.
    /// /frames/source_index for /frames/eigenvectors of a diffusion map on a δ-net), else the root's.
    func sourceIndex(of dataset: String) throws -> [Int]? {
        if let slash = dataset.lastIndex(of: "/") {
            let sibling = String(dataset[..<slash]) + "/" + SharedDatasets.sourceIndex.name
            if has(sibling) { return try file.root.read(sibling, as: Int64.self).values.map { Int($0) } }
        }
        return try sourceIndex()
    }

    /// The network stored in `group` by `MLP.save(to:)`.
    func network(_ group: String = "network") throws -> MLP {
        guard file.root.contains(group), file.root.isGroup(group) else {
            throw problem("has no /\(group) group; connect \(expected)")
        }
        do {
            return try MLP.load(from: file.root.group(group))
        } catch {
            throw problem("/\(group) is not a readable network: \(error)")
        }
    }

    /// A root attribute written by the engine (`kind`, `parameters`), or nil.
    func rootString(_ attribute: String) -> String? {
        if case .string(let s)? = try? file.root.attribute(attribute) { return s }
        return nil
    }

    /// The samples in `/x` (at least 2; as many coordinates as `system` has, if given) with the
    /// reweighting weights `/weights` when `useWeights` and the input has them.
    func samples(useWeights: Bool, system: SimulationSystem?) throws -> SampleSet {
        let x = try matrix(SharedDatasets.x.name)
        guard x.rows >= 2 else { throw problem("has \(x.rows) sample in /x; at least 2 are needed") }
        if let system, system.potential.dimension != x.cols {
            throw problem("has \(x.cols) coordinates per sample but the system has \(system.potential.dimension); connect samples of this system")
        }
        guard useWeights, let w = try vector(SharedDatasets.weights.name, count: x.rows) else { return SampleSet(x: x, weights: nil) }
        if let why = SampleChecks.weightsProblem(w) { throw problem("/weights \(why)") }
        return SampleSet(x: x, reweightingWeights: w)
    }

    /// The samples of input `name` of the running stage (`samples(useWeights:system:)`), with the
    /// input closed again.
    static func samples(_ name: String, of context: StageContext, useWeights: Bool, system: SimulationSystem?) throws -> SampleSet {
        let input = try LearningInput(name, of: context, expected: "a stage that writes samples (simulate, load, features)")
        defer { input.close() }
        return try input.samples(useWeights: useWeights, system: system)
    }
}
