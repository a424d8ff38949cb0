import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: state-separation` — how well coordinate sets (learned CVs, reference CVs, diffusion-map
/// coordinates, …) separate the metastable states of a system. A seeded subset of the sampled
/// configurations is quenched by FIRE to the basin of one of the system's named minima
/// (`QuenchStates.basins`, identified by sorted coordination numbers for particle systems); each
/// coordinate set is scored by the leave-one-out k-nearest-neighbour vote accuracy
/// (`StateSeparation`, standardized columns). A set that does not see the states scores about the
/// largest state's share. This is the check DESIGN §10 asks of every learned CV ("orthogonality
/// alone does not define a CV"). Configurations whose quench ends at no named minimum are left
/// out (counted in the attribute `unassigned`).
enum StateSeparationStage: StageKind {
    static let name = "state-separation"
    static let version = 1
    static let summary = "quench-assigned states and the k-nearest-neighbour vote accuracy of coordinate sets"
    static let system = SystemRequirement.required
    static let cpus = 2
    static let inputs = [InputSpec("configurations", help: "the sampled configurations (/x, a simulate output); the row numbers are the sample numbering")]
    static let acceptsAnyInputs = true

    enum Output {
        static let sampleIndex = OutputDataset.int64("/sample_index", "rows", "the scored configurations (rows of input configurations)")
        static let state = OutputDataset.int64("/state", "rows", "quench-assigned state of each scored row (index into the attribute state_names)")
        static let coordinates = OutputDataset.float64("/coordinates", "rows × columns",
            "every set's coordinates of the scored rows side by side, as read (attribute columns: label:column)")
        static let scores = OutputDataset.float64("/scores", "sets", "leave-one-out k-NN vote accuracy of each set (attribute labels)")
        static let prediction = OutputDataset.int64("/prediction", "rows × sets", "each set's leave-one-out vote for each scored row")
        static let stateCounts = OutputDataset.int64("/state_counts", "states", "scored rows per state (attribute state_names)")
    }
    static let outputs = [Output.sampleIndex, Output.state, Output.coordinates, Output.scores, Output.prediction, Output.stateCounts]

    struct SetSpec: Decodable, Equatable {
        var label: String
        var input: String
        var dataset: String
        var columns: [Int]?

        enum CodingKeys: String, CodingKey { case label, input, dataset, columns }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            label = try p(.label, default: "", help: "name of the set in the table")
            input = try p(.input, default: "", help: "the input (a key under inputs:) holding the coordinates")
            dataset = try p(.dataset, default: "/x", help: "the dataset (rows = samples, or matched through the /source_index of its group, else the input's)")
            columns = try p.optional(.columns, help: "0-based columns to use; default all")
            try p.check(!label.isEmpty, .label, "give the set a label")
            try p.check(!input.isEmpty, .input, "name the input that holds the coordinates")
            try p.check(columns.map { !$0.isEmpty && $0.allSatisfy { $0 >= 0 } } ?? true, .columns, "give at least one non-negative column")
        }
    }

    struct Parameters: Decodable {
        var sets: [SetSpec]
        var samples: Int
        var neighbors: Int
        var tolerance: Double
        var maxSteps: Int

        enum CodingKeys: String, CodingKey {
            case sets, samples, neighbors, tolerance
            case maxSteps = "max_steps"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            sets = try p.list(.sets, help: "coordinate sets to score: {label, input, dataset, columns}")
            samples = try p(.samples, default: 1500, in: .atLeast(2),
                            help: "configurations to quench and score: a seeded subset of the rows every set covers (all when fewer)")
            neighbors = try p(.neighbors, default: 10, in: .atLeast(1), help: "k of the nearest-neighbour vote")
            tolerance = try p(.tolerance, default: 1e-4, unit: "energy/length", in: .positive,
                              help: "quench until every |∂V/∂xᵢ| is at most this (FIRE)")
            maxSteps = try p(.maxSteps, default: 20_000, in: .atLeast(1), help: "FIRE step limit per quench")
            try p.check(!sets.isEmpty, .sets, "give at least one coordinate set")
            try p.check(Set(sets.map(\.label)).count == sets.count, .sets, "labels must differ")
            try p.check(samples > neighbors, .samples, "must exceed neighbors")
        }
    }

    /// One set's coordinates by sample row.
    struct Coordinates {
        let label: String
        let values: Matrix
        let rowOfSample: [Int: Int]
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        func fail(_ m: String) -> FlowError { FlowError.stageFailed(stage: stage, message: m) }
        let system = try SystemFactory.simulationSystem(for: context.system, stage: stage)
        let configurations = try LearningInput.samples("configurations", of: context, useWeights: false, system: system).x
        let sets = try p.sets.map { try read($0, samples: configurations.rows, context: context) }
        var common = Set(0..<configurations.rows)
        for s in sets { common.formIntersection(s.rowOfSample.keys) }
        var rows = common.sorted()
        guard rows.count > p.neighbors else { throw fail("only \(rows.count) configurations are covered by every set; at least \(p.neighbors + 1) are needed") }
        if rows.count > p.samples {
            var rng = context.random("subset")
            rows = Array(rng.permutation(rows.count).prefix(p.samples)).map { rows[$0] }.sorted()
        }
        let states: QuenchStates
        do {
            states = try StateSpec.basinStates(of: system, tolerance: p.tolerance, maxSteps: p.maxSteps)
        } catch let e as CVSpecError {
            throw fail(e.description)
        }
        context.log("quenching \(rows.count) configurations to the basins of \(states.stateNames.joined(separator: ", "))")
        let assigned = try quench(rows.map { configurations.row($0) }, states: states, context: context)
        let kept = rows.indices.filter { assigned[$0] != nil }
        guard kept.count > p.neighbors else { throw fail("only \(kept.count) of \(rows.count) quenches ended at a named minimum") }
        let labels = kept.map { assigned[$0]! }
        let scored = kept.map { rows[$0] }

        var scores: [Double] = [], predictions: [[Int]] = [], blocks: [Matrix] = [], columnNames: [String] = []
        for (s, spec) in zip(sets, p.sets) {
            let block = Matrix(rows: scored.count, cols: s.values.cols, storage: scored.flatMap { s.values.row(s.rowOfSample[$0]!) })
            let votes = try StateSeparation.predictions(labels: labels, coordinates: block, neighbors: p.neighbors)
            scores.append(Double(zip(votes, labels).filter { $0 == $1 }.count) / Double(labels.count))
            predictions.append(votes)
            blocks.append(block)
            columnNames += (spec.columns ?? Array(0..<s.values.cols)).map { "\(spec.label):\($0)" }
        }
        let out = context.output.root
        try out.write(Output.sampleIndex, integers: scored.map(Int64.init))
        try out.write(Output.state, integers: labels.map(Int64.init))
        let width = blocks.reduce(0) { $0 + $1.cols }
        var table = Matrix(rows: scored.count, cols: width)
        var offset = 0
        for b in blocks {
            for i in 0..<b.rows { for j in 0..<b.cols { table[i, offset + j] = b[i, j] } }
            offset += b.cols
        }
        try out.write(Output.coordinates, matrix: table)
        try out.dataset(Output.coordinates.name).setAttribute("columns", .strings(columnNames))
        try out.write(Output.scores, vector: scores)
        try out.dataset(Output.scores.name).setAttribute("labels", .strings(p.sets.map(\.label)))
        var votes = [Int64](repeating: 0, count: scored.count * sets.count)
        for (k, v) in predictions.enumerated() { for i in v.indices { votes[i * sets.count + k] = Int64(v[i]) } }
        try out.write(Output.prediction, integers: votes, shape: [scored.count, sets.count])
        let counts = states.stateNames.indices.map { s in Int64(labels.filter { $0 == s }.count) }
        try out.write(Output.stateCounts, integers: counts)
        for holder in [try out.dataset(Output.stateCounts.name) as HDF5AttributeHolder, try out.dataset(Output.state.name), out] {
            try holder.setAttribute("state_names", .strings(states.stateNames))
        }
        try out.setAttribute("unassigned", .int(Int64(rows.count - kept.count)))
        try out.setAttribute("largest_state_share", .double(Double(counts.max() ?? 0) / Double(labels.count)))
        context.log("states " + zip(states.stateNames, counts).map { "\($0) \($1)" }.joined(separator: ", ")
                    + "; \(rows.count - kept.count) unassigned")
        context.log("\(p.neighbors)-NN vote accuracy: " + zip(p.sets, scores).map { String(format: "%@ %.3f", $0.label, $1) }.joined(separator: ", "))
    }

    /// The set's columns and, for every sample row it covers, its row.
    static func read(_ spec: SetSpec, samples: Int, context: StageContext) throws -> Coordinates {
        guard context.hasInput(spec.input) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "params.sets '\(spec.label)': no input '\(spec.input)'; inputs: \(context.inputNames.joined(separator: ", "))")
        }
        let input = try LearningInput(spec.input, of: context, expected: "an output with \(spec.dataset)")
        defer { input.close() }
        let name = spec.dataset.hasPrefix("/") ? String(spec.dataset.dropFirst()) : spec.dataset
        let all = try input.matrix(name)
        let columns = spec.columns ?? Array(0..<all.cols)
        if let bad = columns.first(where: { $0 >= all.cols }) { throw input.problem("/\(name) has \(all.cols) columns; set '\(spec.label)' asks for column \(bad)") }
        let values = Matrix(rows: all.rows, cols: columns.count, storage: (0..<all.rows).flatMap { i in columns.map { all[i, $0] } })
        let source = try input.sourceIndex(of: name)
        if let source, source.count != all.rows { throw input.problem("/source_index has \(source.count) entries for \(all.rows) rows of /\(name)") }
        var rowOfSample: [Int: Int] = [:]
        for i in 0..<all.rows {
            let s = source?[i] ?? i
            if s >= 0, s < samples, rowOfSample[s] == nil { rowOfSample[s] = i }
        }
        return Coordinates(label: spec.label, values: values, rowOfSample: rowOfSample)
    }

    /// The state of each configuration (nil: the quench ended at no named minimum), in parallel
    /// chunks whose results do not depend on the thread count.
    static func quench(_ xs: [[Double]], states: QuenchStates, context: StageContext) throws -> [Int?] {
        var result = [Int?](repeating: nil, count: xs.count)
        let lock = NSLock()
        var done = 0
        try result.withUnsafeMutableBufferPointer { out in
            let buffer = out
            for start in stride(from: 0, to: xs.count, by: 256) {
                try context.checkCancellation()
                let end = Swift.min(xs.count, start + 256)
                parallelChunks(end - start, chunkSize: 16, threads: context.cpus) { r in
                    for i in r { buffer[start + i] = states.state(of: xs[start + i]) }
                    lock.lock(); done += r.count; lock.unlock()
                }
                context.progress(done: done, total: xs.count, note: "quenching")
            }
        }
        return result
    }
}
