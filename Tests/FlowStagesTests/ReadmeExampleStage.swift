// The README's "Adding a stage kind" example, compiled and run by the tests so that it cannot
// drift from the API (keep the two in sync).
import XCTest
import FlowCore
import FlowHDF5
@testable import FlowStages

/// `kind: moments` — mean and variance of each column of an input's `/x`, weighted by
/// `/weights` when the input has them.
enum MomentsStage: StageKind {
    static let name = "moments"
    static let version = 1
    static let summary = "weighted mean and variance of each column"
    static let inputs = [InputSpec("data", help: "samples (/x, optional /weights)")]

    enum Output {
        static let mean = OutputDataset.float64("/mean", "D", "weighted mean of each column")
        static let variance = OutputDataset.float64("/variance", "D", "weighted variance of each column")
    }
    static let outputs = [Output.mean, Output.variance]

    struct Parameters: Decodable {
        var weighted: Bool
        var shift: Double
        enum CodingKeys: String, CodingKey { case weighted, shift }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            weighted = try p(.weighted, default: true, help: "use the input's /weights")
            shift = try p(.shift, default: 0.0, in: .nonNegative, help: "added to every variance")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let input = try context.input("data")
        defer { try? input.close() }
        let x = try input.root.readMatrix(SharedDatasets.x)
        let w = p.weighted && input.root.contains(SharedDatasets.weights)
            ? try input.root.readVector(SharedDatasets.weights) : [Double](repeating: 1, count: x.rows)
        let total = w.reduce(0, +)
        let mean = (0..<x.cols).map { j in (0..<x.rows).reduce(0) { $0 + w[$1] * x[$1, j] } / total }
        let variance = (0..<x.cols).map { j in
            (0..<x.rows).reduce(0) { $0 + w[$1] * (x[$1, j] - mean[j]) * (x[$1, j] - mean[j]) } / total + p.shift
        }
        try context.output.root.write(Output.mean, vector: mean)
        try context.output.root.write(Output.variance, vector: variance)
    }
}

final class ReadmeExampleStageTests: XCTestCase {
    func testTheReadmeExampleDeclaresItsParametersAndOutputsOnce() throws {
        let registry = StageRegistry()
        registry.register(MomentsStage.self)
        let kind = registry.stageKinds["moments"]!
        XCTAssertEqual(kind.parameterDocs().map(\.path), ["weighted", "shift"])
        let session = ParameterSession(stage: "m", keyPrefix: "params", at: SourceLocation(file: "<test>", line: 1, column: 1))
        let decoded = kind.decode(ConfigNode(json: .object(["shift": 0.5]), at: SourceLocation(file: "<test>", line: 1, column: 1)), session)
        XCTAssertEqual(decoded?.resolved, .object(["weighted": true, "shift": 0.5]))
        XCTAssertEqual(kind.outputs.map(\.path), ["/mean", "/variance"])
    }
}
