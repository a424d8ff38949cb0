import XCTest
import FlowCore
import FlowHDF5
import FlowLinalg
@testable import FlowStages

/// Bad parameters are reported at validation, mismatched inputs when the stage runs, each in one
/// line naming the key or the input; divergence names epoch, batch and term.
final class LearningStageErrorTests: XCTestCase {
    var ws: LearningWorkspace!

    override func setUp() {
        ws = LearningWorkspace()
        let (x, z) = DevelopableSheet.samples(200)
        try! ws.writeHDF5("data.h5", matrices: ["x": x], indices: ["source_index": (0..<200).map { 1000 + 2 * $0 }])
        try! ws.writeHDF5("dmap.h5", matrices: ["eigenvectors": z], vectors: ["eigenvalues": [0.9, 0.8, 0.7], "epsilon": [0.1]])
    }

    override func tearDown() { ws.remove() }

    func diagnostics(_ stages: String) -> [String] {
        ws.write("bad.yaml", "name: bad\nstages:\n" + stages)
        do {
            _ = try ws.load("bad.yaml")
            return []
        } catch FlowError.invalidWorkflow(let ds) {
            return ds.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    func testBadParametersAreReportedAtValidation() {
        let found = diagnostics("""
          net:
            kind: diffusion-net
            inputs: {data: {file: data.h5}, embedding: {file: dmap.h5}}
            params:
              components: [0, 2]
              training: {epoch: 10, schedule: {kind: multi-step}, validation_fraction: 0.95}
              network: {hidden: []}
          psi:
            kind: manifold
            inputs: {embedding: net}
            params: {cloud: {exclusion_radius: 1.5}, output: tanh}
          cvs:
            kind: orthogonal-cvs
            inputs: {data: {file: data.h5}, encoder: net, manifold: psi}
            params: {theta1: 0, theta2: 0, orthogonality: cosines}
        """)
        let expected = [
            "params.components: components are distinct 1-based indices",
            "params.training: unknown key 'epoch' (did you mean 'epochs'?)",
            "params.training.schedule.milestones: multi-step needs increasing milestones",
            "params.training.validation_fraction: must be in [0.0, 0.9] (got 0.95)",
            "params.network.hidden: give at least one hidden layer",
            "params.cloud.exclusion_radius: must be in (0.0, 1.0] (got 1.5)",
            "params.output: unknown value 'tanh'",
            "params.theta1: θ1 and θ2 cannot both be 0",
            "params.orthogonality: unknown value 'cosines' (did you mean 'cosine'?)",
        ]
        for e in expected {
            XCTAssertTrue(found.contains { $0.contains(e) }, "missing '\(e)' in:\n\(found.joined(separator: "\n"))")
        }
        for d in found { XCTAssertFalse(d.contains("\n"), "one line: \(d)") }
    }

    func run(_ stages: String) throws -> (RunSummary, String) {
        ws.write("run.yaml", "name: run\nstages:\n" + stages)
        let summary = try ws.run("run.yaml")
        let failures = summary.outcomes.compactMap { ws.failure(of: $0.stage, in: summary) }
        return (summary, failures.joined(separator: "\n"))
    }

    func testMismatchedInputsFailInOneLine() throws {
        let net = "    network: {hidden: [8]}\n    training: {epochs: 2, batch_size: 50}\n"
        let cases: [(String, String)] = [
            ("""
              net: {kind: diffusion-net, inputs: {data: {file: data.h5}, embedding: {file: dmap.h5}}, params: {components: [1, 4]}}
            """, "input 'embedding' has 3 components, params.components asks for 4"),
            ("""
              psi: {kind: manifold, inputs: {embedding: {file: dmap.h5}}}
            """, "input 'embedding' (dmap.h5) has no dataset /embedding; connect a diffusion-net output"),
            ("""
              net: {kind: diffusion-net, inputs: {data: {file: data.h5}, embedding: {file: data.h5}}}
            """, "input 'embedding' (data.h5) has no dataset /eigenvectors; connect a diffusion-map output"),
            ("""
              net:
                kind: diffusion-net
                inputs: {data: {file: data.h5}, embedding: {file: dmap.h5}}
                params:
            \(net.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
              cvs: {kind: orthogonal-cvs, inputs: {data: {file: data.h5}, encoder: net, manifold: net}}
            """, "input 'manifold' maps 3 → 3 but input 'encoder' has 3 outputs"),
            ("""
              net: {kind: diffusion-net, inputs: {data: {file: data.h5}, embedding: {file: dmap.h5}}, params: {targets: diffusion-coordinates, components: [2]}}
              cvs: {kind: orthogonal-cvs, inputs: {data: {file: data.h5}, encoder: net, manifold: net}, params: {cvs: 3}}
            """, "params.cvs is 3 but the data has 3 columns; at most 2 CVs can be orthogonal to ∇V₁"),
        ]
        for (stages, message) in cases {
            let (summary, failures) = try run(stages)
            XCTAssertEqual(summary.exitCode, 1, stages)
            XCTAssertTrue(failures.contains(message), "expected '\(message)' in: \(failures)")
            XCTAssertFalse(failures.contains("\n"), failures)
        }
    }

    func testAnEmbeddingOfSomeRowsIsMatchedThroughSourceIndices() throws {
        let (x, z) = DevelopableSheet.samples(200)
        let picked = (0..<60).map { ($0 * 37) % 200 }
        try ws.writeHDF5("subset.h5", matrices: ["eigenvectors": Matrix(rows: 60, cols: 3, storage: picked.flatMap { z.row($0) })],
                         indices: ["source_index": picked.map { 1000 + 2 * $0 }])
        try ws.writeHDF5("stranger.h5", matrices: ["eigenvectors": Matrix(rows: 2, cols: 3, storage: z.row(0) + z.row(1))],
                         indices: ["source_index": [1000, 7]])
        try ws.writeHDF5("short.h5", matrices: ["eigenvectors": Matrix(rows: 2, cols: 3, storage: z.row(0) + z.row(1))])
        let (summary, failures) = try run("""
          net: {kind: diffusion-net, inputs: {data: {file: data.h5}, embedding: {file: subset.h5}}, params: {training: {epochs: 2}}}
          stranger: {kind: diffusion-net, inputs: {data: {file: data.h5}, embedding: {file: stranger.h5}}}
          short: {kind: diffusion-net, inputs: {data: {file: data.h5}, embedding: {file: short.h5}}}
        """)
        XCTAssertEqual(ws.failure(of: "net", in: summary), nil)
        XCTAssertTrue(failures.contains("input 'embedding' row 1 has source index 7, which is not among the /source_index of input 'data'"), failures)
        XCTAssertTrue(failures.contains("input 'embedding' has 2 rows and input 'data' 200, and the embedding has no /source_index"), failures)
        let out = try ws.open("run", "net")
        defer { try? out.close() }
        XCTAssertEqual(try out.root.read("target_row", as: Int64.self).values, picked.map(Int64.init))
        XCTAssertEqual(try out.root.matrix("target"), Matrix(rows: 60, cols: 3, storage: picked.flatMap { z.row($0) }))
        XCTAssertEqual(try out.root.matrix("embedding").rows, x.rows, "the encoder is applied to every data row")
    }

    func testDivergenceNamesEpochBatchAndTerm() throws {
        let (_, failures) = try run("""
          net:
            kind: diffusion-net
            inputs: {data: {file: data.h5}, embedding: {file: dmap.h5}}
            params: {training: {optimizer: sgd, momentum: 0, learning_rate: 1.0e+150, epochs: 5, batch_size: 50}}
        """)
        XCTAssertTrue(failures.contains("training diverged at epoch 1, batch"), failures)
        XCTAssertTrue(failures.contains("'fidelity'"), failures)
        XCTAssertTrue(failures.contains("lower params.training.learning_rate"), failures)
    }
}
