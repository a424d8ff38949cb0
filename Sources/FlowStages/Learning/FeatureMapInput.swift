import FlowCore
import FlowLinalg
import FlowMD

/// The feature map φ a CV stage's data were computed with (recorded by `features` in the data's
/// root attributes) and, when the stage has the input `configurations`, the configuration behind
/// each data row (the data's `/source_index`, else row for row): what ∂ξ/∂x = J_ξ(φ(x)) J_φ(x)
/// in the system's coordinates and the mapping of a path into feature space need.
struct FeatureMapInput {
    let context: StageContext
    let kind: String?
    let parameters: String?
    let sourceIndex: [Int]?

    init(data: LearningInput, context: StageContext) throws {
        self.context = context
        kind = data.rootString("kind")
        parameters = data.rootString("parameters")
        sourceIndex = try data.sourceIndex()
    }

    private func fail(_ m: String) -> FlowError { FlowError.stageFailed(stage: context.stageName, message: m) }

    /// φ as a collective variable (nil when the data are not a `features` output: then they are
    /// the configurations themselves). With `required`, a missing or unusable map is an error.
    func map(required: Bool) throws -> (any CollectiveVariable)? {
        guard kind == FeaturesStage.name, let parameters else {
            if required { throw fail("input 'data' is not a features output, so there is no feature map to apply; connect the features stage's output") }
            return nil
        }
        let system = try context.system.map { try SystemFactory.simulationSystem(for: $0, stage: context.stageName) }
        let layout = system?.layout
        do {
            return try NetworkCV.featureMap(parameters, layout: layout, named: system?.namedConfigurations ?? [:])
        } catch let e as NetworkCVError {
            if !required { return nil }
            throw fail("the data's feature map cannot be rebuilt: \(e.description)\(layout == nil ? " (set system: to the system the features came from)" : "")")
        }
    }

    /// The configurations (input `configurations` /x) behind data rows 0..<count, or nil without that input.
    func configurationRows(count: Int) throws -> Matrix? {
        guard context.hasInput("configurations") else { return nil }
        let input = try LearningInput("configurations", of: context, expected: "the simulate output the features were computed from")
        defer { input.close() }
        let all = try input.matrix(SharedDatasets.x.name)
        let rows = sourceIndex ?? Array(0..<count)
        guard rows.count == count else { throw fail("input 'data' /source_index has \(rows.count) entries for \(count) rows") }
        if let bad = rows.first(where: { $0 < 0 || $0 >= all.rows }) {
            throw input.problem("has \(all.rows) rows but input 'data' refers to row \(bad); connect the configurations the features were computed from")
        }
        return Matrix(rows: count, cols: all.cols, storage: rows.flatMap { all.row($0) })
    }
}
