import XCTest
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN
@testable import FlowStages

/// Steps 2–4 of the CV-learning pipeline end to end through the engine, on `DevelopableSheet`
/// (a known embedding instead of a diffusion map): the encoder must reproduce the embedding, ψ
/// must vanish on the data and not on the cloud, and the learned CVs must be tangent to the sheet
/// (orthogonal to its known normal) and orthonormal. The network CV adapter is checked against
/// the stage's values and against finite differences.
///
/// The tolerances on directions are those of the method, not of the optimizer: a sigmoid ψ ≈ 0 on
/// a data layer of finite thickness has a shallow valley there, and at points near its floor (and
/// at the sheet's edges, where the cloud lies beyond the data) ∇ψ has sizeable components along
/// the sheet; ∇V₁ is on average within ≈ 30° of the normal, and the smooth ξ averages that out.
final class LearningPipelineTests: XCTestCase {
    static let workflow = """
    name: sheet
    seed: 5
    stages:
      encoder:
        kind: diffusion-net
        resources: {cpus: 1}
        inputs: {data: {file: sheet.h5}, embedding: {file: sheet-embedding.h5}}
        params:
          network: {hidden: [32, 32], activation: tanh}
          training: {epochs: 120, batch_size: 50, learning_rate: 3.0e-3, validation_fraction: 0.1, schedule: {kind: cosine, minimum: 1.0e-4}}
      manifold:
        kind: manifold
        resources: {cpus: 1}
        inputs: {embedding: encoder}
        params:
          network: {hidden: [32, 32]}
          training: {epochs: 600, batch_size: 100, learning_rate: 3.0e-3, schedule: {kind: cosine, minimum: 1.0e-4}}
          cloud: {count: 3000, margin: 0.1, exclusion_radius: 0.02}
      cvs:
        kind: orthogonal-cvs
        resources: {cpus: 1}
        inputs: {data: {file: sheet.h5}, encoder: encoder, manifold: manifold}
        params:
          network: {hidden: [32, 32], activation: tanh}
          cvs: 2
          training: {epochs: 300, batch_size: 100, learning_rate: 3.0e-3, schedule: {kind: cosine, minimum: 1.0e-4}}
    """

    func testSyntheticSheetThroughTheThreeStages() throws {
        let ws = LearningWorkspace()
        defer { ws.remove() }
        let (x, z) = DevelopableSheet.samples(800)
        try ws.writeHDF5("sheet.h5", matrices: ["x": x])
        try ws.writeHDF5("sheet-embedding.h5", matrices: ["eigenvectors": z], vectors: ["eigenvalues": [0.99, 0.98, 0.97], "epsilon": [0.05]])
        ws.write("sheet.yaml", Self.workflow)
        let started = Date()
        let summary = try ws.run("sheet.yaml")
        XCTAssertEqual(summary.exitCode, 0, summary.outcomes.compactMap { ws.failure(of: $0.stage, in: summary) }.joined(separator: "\n"))
        for o in summary.outcomes { print(String(format: "%@: %.2f s", o.stage, o.durationSeconds)) }
        print(String(format: "pipeline: %.2f s", Date().timeIntervalSince(started)))

        let encoder = try ws.open("sheet", "encoder")
        defer { try? encoder.close() }
        let r2 = try encoder.root.doubles(attribute: "r2")
        let heldR2 = try encoder.root.doubles(attribute: "validation_r2")
        print("encoder R²", r2, "validation", heldR2)
        XCTAssertEqual(r2.count, 3)
        for v in r2 + heldR2 { XCTAssertGreaterThan(v, 0.995, "the encoder reproduces every embedding coordinate") }
        XCTAssertEqual(try encoder.root.matrix("embedding").rows, 800)

        let manifold = try ws.open("sheet", "manifold")
        defer { try? manifold.close() }
        let psi = try manifold.root.read("psi", as: Double.self).values
        let cloudPsi = try manifold.root.read("cloud_psi", as: Double.self).values
        let meanAbs = psi.reduce(0) { $0 + abs($1) } / Double(psi.count)
        let cloudFar = Double(cloudPsi.filter { $0 > 0.5 }.count) / Double(cloudPsi.count)
        print("mean |ψ| on data", meanAbs, "cloud fraction ψ > 0.5", cloudFar, "max ψ on data", psi.max()!)
        XCTAssertLessThan(meanAbs, 0.03, "ψ ≈ 0 on the data (≈ 0.5 before training)")
        XCTAssertGreaterThan(cloudFar, 0.9, "ψ is large on the cloud")
        XCTAssertEqual(try manifold.root.matrix("cloud").rows, 3000)

        let cvs = try ws.open("sheet", "cvs")
        defer { try? cvs.close() }
        let normals = try cvs.root.matrix("normals")
        var alignment = 0.0
        for i in 0..<x.rows {
            let v = normals.row(i), n = DevelopableSheet.normal(x.row(i))
            let dot = zip(v, n).reduce(0) { $0 + $1.0 * $1.1 }
            alignment += abs(dot) / v.reduce(0) { $0 + $1 * $1 }.squareRoot() / Double(x.rows)
        }
        print("mean |cos(∇V₁, n)|", alignment)
        XCTAssertGreaterThan(alignment, 0.8, "∇V₁ = J_fᵀ∇ψ points along the sheet's normal (≈ 0.5 for random directions)")

        // The CV adapter, an independent evaluation path (tape-free evaluator) of the stored network.
        let cv = try NetworkCV.load(from: cvs.root, layout: nil)
        let stored = try cvs.root.matrix("cv")
        var cosine = 0.0, deviation = 0.0, valueError = 0.0
        for i in 0..<x.rows {
            var j = [Double](repeating: 0, count: 6)
            let value = cv.value(x.row(i), jacobian: &j)
            valueError = max(valueError, zip(value, stored.row(i)).map { abs($0 - $1) }.max()!)
            let n = DevelopableSheet.normal(x.row(i))
            var jn2 = 0.0, j2 = 0.0, frob = 0.0
            for p in 0..<2 {
                let jn = (0..<3).reduce(0.0) { $0 + j[p * 3 + $1] * n[$1] }
                jn2 += jn * jn
                for q in 0..<2 {
                    let g = (0..<3).reduce(0.0) { $0 + j[p * 3 + $1] * j[q * 3 + $1] } - (p == q ? 1 : 0)
                    frob += g * g
                }
                j2 += (0..<3).reduce(0.0) { $0 + j[p * 3 + $1] * j[p * 3 + $1] }
            }
            cosine += (jn2 / j2).squareRoot() / Double(x.rows)
            deviation += frob.squareRoot() / Double(x.rows)
        }
        print("ξ: mean cosine to the true normal", cosine, "mean ‖JJᵀ − I‖_F", deviation,
              "stage diagnostics", try cvs.root.doubles(attribute: "mean_orthogonality_cosine"),
              try cvs.root.doubles(attribute: "mean_orthonormality_deviation"))
        XCTAssertLessThan(valueError, 1e-12, "the adapter gives the stage's /cv")
        XCTAssertLessThan(cosine, 0.15, "the CVs are orthogonal to the sheet's normal (≈ 0.58 for random Jacobians)")
        XCTAssertLessThan(deviation, 0.2, "the CVs are orthonormal")
        XCTAssertLessThan(try cvs.root.doubles(attribute: "mean_orthogonality_cosine")[0], 0.3, "orthogonal to the ∇V₁ the stage was given")
        assertJacobianMatchesFiniteDifferences(cv, at: (0..<20).map { x.row($0 * 40) })
        XCTAssertEqual(cv.inputDimension, 3)
        XCTAssertEqual(cv.outputDimension, 2)
        let loss = try cvs.root.dataset("loss")
        XCTAssertEqual(loss.shape, [300, 4])
        guard case .strings(let names)? = try loss.attribute("names") else { return XCTFail("loss names") }
        XCTAssertEqual(names, ["orthogonality", "orthonormality", "reconstruction", "total"])
        let rebuilt = try cvs.root.doubles(attribute: "reconstruction_r2")
        print("reconstruction R² of the embedding from ξ", rebuilt)
        for r2 in rebuilt { XCTAssertGreaterThan(r2, 0.9, "the decoder rebuilds the encoder's embedding from ξ") }
    }
}
