import XCTest
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN
@testable import FlowStages

/// The CV adapter of trained networks and the chain rule of `orthogonal-cvs`, with hand-made
/// networks fed to the stage as file inputs: ∇V₁ must be the gradient of ψ ∘ f_e, the stage must
/// record the data's feature map, and the adapter must compose it (values and Jacobians).
final class NetworkCVTests: XCTestCase {
    var ws: LearningWorkspace!

    override func setUp() { ws = LearningWorkspace() }
    override func tearDown() { ws.remove() }

    func saveNetwork(_ net: MLP, to file: String) throws {
        let f = try HDF5File.create(ws.root + "/" + file)
        try net.save(to: f.root.createGroup("network"))
        try f.close()
    }

    func testNormalsAreTheGradientOfPsiThroughTheEncoder() throws {
        var rng = RandomSource(seed: 3)
        let encoder = MLP(sizes: [3, 5, 2], activation: .tanh, rng: &rng)
        encoder.inputNormalization = Normalization(shift: [0.1, -0.2, 0.3], scale: [1.5, 0.7, 2])
        let psi = MLP(sizes: [2, 4, 1], activation: .tanh, outputActivation: .sigmoid, rng: &rng)
        try saveNetwork(encoder, to: "encoder.h5")
        try saveNetwork(psi, to: "psi.h5")
        var x = Matrix(rows: 40, cols: 3)
        for i in 0..<x.count { x.storage[i] = rng.uniform(-1, 1) }
        try ws.writeHDF5("data.h5", matrices: ["x": x])
        ws.write("chain.yaml", """
        name: chain
        stages:
          cvs:
            kind: orthogonal-cvs
            resources: {cpus: 1}
            inputs: {data: {file: data.h5}, encoder: {file: encoder.h5}, manifold: {file: psi.h5}}
            params: {cvs: 2, network: {hidden: [8]}, training: {epochs: 2, batch_size: 20}}
        """)
        let summary = try ws.run("chain.yaml")
        XCTAssertEqual(summary.exitCode, 0, ws.failure(of: "cvs", in: summary) ?? "")
        let out = try ws.open("chain", "cvs")
        defer { try? out.close() }
        let normals = try out.root.matrix("normals")
        let h = 1e-6
        var worst = 0.0
        for i in 0..<x.rows {
            for c in 0..<3 {
                var up = x.row(i), down = x.row(i)
                up[c] += h
                down[c] -= h
                let v = { (p: [Double]) in psi.values(encoder.values(Matrix(rows: 1, cols: 3, storage: p))).storage[0] }
                worst = max(worst, abs((v(up) - v(down)) / (2 * h) - normals[i, c]))
            }
        }
        XCTAssertLessThan(worst, 1e-8, "∇V₁ = ∇ₓψ(f_e(x)) against central differences")
    }

    func testTheFeatureMapIsRecordedAndComposedWithTheNetwork() throws {
        var rng = RandomSource(seed: 8)
        let layout = ParticleLayout.planar(particles: 7)
        var hexagon: [[Double]] = [[0, 0]]
        for k in 0..<6 {
            let angle = Double(k) * Double.pi / 3
            hexagon.append([1.12 * cos(angle), 1.12 * sin(angle)])
        }
        var x = Matrix(rows: 60, cols: 14)
        for i in 0..<x.rows {
            for p in 0..<7 {
                x[i, layout.index(p, 0)] = hexagon[p][0] + 0.15 * rng.normal()
                x[i, layout.index(p, 1)] = hexagon[p][1] + 0.15 * rng.normal()
            }
        }
        try ws.writeHDF5("lj7.h5", matrices: ["x": x])
        let encoder = MLP(sizes: [7, 6, 3], activation: .tanh, rng: &rng)
        let psi = MLP(sizes: [3, 4, 1], activation: .tanh, outputActivation: .sigmoid, rng: &rng)
        try saveNetwork(encoder, to: "encoder.h5")
        try saveNetwork(psi, to: "psi.h5")
        ws.write("lj7.yaml", """
        name: lj7cv
        stages:
          features:
            kind: features
            inputs: {data: {file: lj7.h5}}
            params: {map: sorted-coordination-numbers, layout: {particles: 7, dimension: 2, order: coordinate-major}}
          cvs:
            kind: orthogonal-cvs
            resources: {cpus: 1}
            inputs: {data: features, encoder: {file: encoder.h5}, manifold: {file: psi.h5}, configurations: {file: lj7.h5}}
            params: {cvs: 2, network: {hidden: [10]}, training: {epochs: 3, batch_size: 20}}
        """)
        let summary = try ws.run("lj7.yaml")
        XCTAssertEqual(summary.exitCode, 0, ws.failure(of: "cvs", in: summary) ?? "")
        let out = try ws.open("lj7cv", "cvs")
        defer { try? out.close() }
        let cv = try NetworkCV.load(from: out.root, layout: nil)
        XCTAssertEqual(cv.inputDimension, 14, "the adapter takes configurations, not features")
        XCTAssertTrue(cv.features is SortedCoordinationNumbers)
        let stored = try out.root.matrix("cv")
        var worst = 0.0
        for i in 0..<x.rows {
            worst = max(worst, zip(cv.value(x.row(i)), stored.row(i)).map { abs($0 - $1) }.max()!)
        }
        XCTAssertLessThan(worst, 1e-12, "ξ(φ(x)) on configurations equals the stage's /cv on features")
        assertJacobianMatchesFiniteDifferences(cv, at: (0..<10).map { x.row($0 * 6) })

        // The metric in the system's coordinates: mean ∂ξ/∂x (∂ξ/∂x)ᵀ over the 60 configurations,
        // with ∂ξ/∂x from central differences of ξ(φ(x)).
        var expected = [Double](repeating: 0, count: 4)
        let h = 1e-6
        for i in 0..<x.rows {
            var j = [[Double]](repeating: [Double](repeating: 0, count: 14), count: 2)
            for c in 0..<14 {
                var up = x.row(i), down = x.row(i)
                up[c] += h
                down[c] -= h
                let (a, b) = (cv.value(up), cv.value(down))
                for r in 0..<2 { j[r][c] = (a[r] - b[r]) / (2 * h) }
            }
            for p in 0..<2 { for q in 0..<2 { expected[p * 2 + q] += zip(j[p], j[q]).reduce(0) { $0 + $1.0 * $1.1 } / Double(x.rows) } }
        }
        let metric = try out.root.matrix("system_metric")
        for k in 0..<4 { XCTAssertEqual(metric.storage[k], expected[k], accuracy: 1e-6 * max(1, abs(expected[k]))) }
        XCTAssertEqual(try out.root.matrix("feature_metric").rows, 2)
        XCTAssertEqual(try out.root.matrix("reconstruction").cols, 3, "the decoder rebuilds the 3 embedding components")
        XCTAssertTrue(out.root.isGroup("decoder"))
    }

    func testFeatureChainsAreComposedAndOnlyNamedAlignmentIsDifferentiated() throws {
        let layout = ParticleLayout.atoms(4)
        let chain = #"{"chain": [{"distances": {"sorted": false, "squared": false}}, {"dihedrals": {"quadruples": [[0, 1, 2, 3]], "as": "cos-sin"}}]}"#
        let map = try NetworkCV.featureMap(chain, layout: layout)
        XCTAssertEqual(map.outputDimension, 6 + 2)
        XCTAssertEqual(map.componentNames.suffix(2), ["cos_phi1_2_3_4", "sin_phi1_2_3_4"])
        var rng = RandomSource(seed: 2)
        let net = MLP(sizes: [8, 5, 1], activation: .tanh, rng: &rng)
        let cv = NetworkCV(network: net, features: map)
        let points = (0..<5).map { _ in (0..<12).map { _ in rng.uniform(-1.5, 1.5) } }
        assertJacobianMatchesFiniteDifferences(cv, at: points)
        XCTAssertThrowsError(try NetworkCV.featureMap(#"{"chain": [{"align": "first"}, {"positions": true}]}"#, layout: layout)) {
            XCTAssertTrue("\($0)".contains("the reference 'first' is not a named configuration"), "\($0)")
        }
        XCTAssertThrowsError(try NetworkCV.featureMap(#"{"chain": [{"center": true}, {"distances": {}}]}"#, layout: layout)) {
            XCTAssertTrue("\($0)".contains("[select (optional), align onto a named configuration, positions]"), "\($0)")
        }
        // [select, align onto a named configuration, positions]: the aligned positions, differentiable.
        let reference = (0..<12).map { _ in rng.uniform(-1.5, 1.5) }
        let aligned = try NetworkCV.featureMap(#"{"chain": [{"select": [0, 1, 3]}, {"align": "structure"}, {"positions": true}]}"#,
                                               layout: layout, named: ["structure": reference])
        XCTAssertEqual(aligned.outputDimension, 9)
        XCTAssertEqual((aligned as? AlignedPositions)?.selection, [0, 1, 3])
        let alignedCV = NetworkCV(network: MLP(sizes: [9, 4, 2], activation: .tanh, rng: &rng), features: aligned)
        assertJacobianMatchesFiniteDifferences(alignedCV, at: points)
        XCTAssertThrowsError(try NetworkCV.featureMap(#"{"map": "mu2-mu3"}"#, layout: nil)) {
            XCTAssertTrue("\($0)".contains("particle layout"), "\($0)")
        }
    }

    func testOneAdapterServesConcurrentCallers() {
        var rng = RandomSource(seed: 4)
        let net = MLP(sizes: [3, 16, 2], activation: .tanh, rng: &rng)
        let cv = NetworkCV(network: net, features: nil)
        let points = (0..<64).map { i in [Double(i) / 64, -0.5, 0.25] }
        let serial = points.map { cv.value($0) }
        var parallel = [[Double]](repeating: [], count: points.count)
        parallel.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: points.count) { i in
                var j = [Double](repeating: 0, count: 6)
                out[i] = cv.value(points[i], jacobian: &j)
            }
        }
        XCTAssertEqual(serial, parallel)
    }
}
