import XCTest
import FlowHDF5
import FlowLinalg
import FlowNN
@testable import FlowStages

/// The learned-CV path of `effective-dynamics` against the built-in one: (μ2, μ3) wrapped as a
/// "learned" CV — an identity network composed with the `features` map mu2-mu3, stored as an
/// `orthogonal-cvs` output — goes through `NetworkCV` (its Jacobian J_N J_φ in ℝ¹⁴, the batched
/// restraint, the recorded feature map), while `cvs: [mu2, mu3]` goes through the built-in CV.
/// With the same seed both stages must give the same F, M and spectrum: the identity
/// layer multiplies by 1 and adds 0, which is exact, so any difference is a defect of the
/// learned-CV path (a Jacobian taken in feature space instead of ℝ¹⁴, a dropped normalization,
/// a force with the wrong sign or scale).
final class LearnedCVEffectiveDynamicsTests: XCTestCase {
    var ws: LearningWorkspace!

    override func setUp() { ws = LearningWorkspace() }
    override func tearDown() { ws.remove() }

    func testAWrappedBuiltInCVGivesTheBuiltInEffectiveDynamics() throws {
        let identity = MLP(sizes: [2, 2], activations: [.identity], weights: [[1, 0, 0, 1]], biases: [[0, 0]],
                           inputNormalization: .identity(2), outputNormalization: .identity(2))
        let f = try HDF5File.create(ws.root + "/wrapped.h5")
        let network = try f.root.createGroup("network")
        try identity.save(to: network)
        try network.setAttribute("feature_kind", .string(FeaturesStage.name))
        try network.setAttribute("feature_parameters", .string(#"{"map": "mu2-mu3"}"#))
        try f.close()
        let ed = """
            system: lj7
            seed: 11
            resources: {cpus: 1}
            params:
              grid: {lower: [0.3, -0.5], upper: [1.3, 1.5], bins: [8, 8]}
              cutoff: 0.95
              eigenvalues: 2
              diffusion: {kappa: [1000.0], steps: 300, equilibration: 100, dt: 5.0e-5, interval: 10}
        """
        ws.write("wrap.yaml", """
        name: wrap
        seed: 5
        systems:
          lj7: {kind: lj7-2d, beta: 5.0, params: {kappa: 100}}
        stages:
          sample:
            kind: simulate
            system: lj7
            params:
              integrator: mala
              dt: 5.0e-5
              steps: 40000
              stride: 100
              initial: hexagon
              bias: {metadynamics: {cvs: [mu2, mu3], height: 0.05, sigma: [0.05], pace: 100, bias_temperature: 1.0, lower: [0.0, -1.5], upper: [2.0, 2.5], bins: [101, 201]}}
          builtin:
            kind: effective-dynamics
            inputs: {data: sample}
        \(ed.replacingOccurrences(of: "params:\n", with: "params:\n      cvs: [mu2, mu3]\n"))
          wrapped:
            kind: effective-dynamics
            inputs: {data: sample, cv: {file: wrapped.h5}}
        \(ed)
        """)
        let summary = try ws.run("wrap.yaml")
        for stage in ["builtin", "wrapped"] { XCTAssertNil(ws.failure(of: stage, in: summary), stage) }
        let a = try ws.open("wrap", "builtin"), b = try ws.open("wrap", "wrapped")
        defer { try? a.close(); try? b.close() }
        func values(_ file: HDF5File, _ name: String) throws -> [Double] { try file.root.read(name, as: Double.self).values }
        let m = try values(a, "diffusion")
        XCTAssertGreaterThan(m.filter(\.isFinite).count, 20, "windows ran in enough cells")
        for name in ["cv", "free_energy", "diffusion", "eigenvalues", "eigenfunctions"] {
            let (u, v) = (try values(a, name), try values(b, name))
            XCTAssertEqual(u.count, v.count, name)
            let worst = zip(u, v).map { $0.isNaN && $1.isNaN ? 0 : abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1e-12, "\(name): the wrapped CV against the built-in (μ2, μ3)")
        }
    }
}
