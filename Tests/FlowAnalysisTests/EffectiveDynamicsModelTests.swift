import XCTest
import Foundation
@testable import FlowAnalysis
import FlowLinalg
import FlowHDF5

final class EffectiveDynamicsModelTests: XCTestCase {
    /// Three wells on a cylinder (x, θ) with a full M, an impassable wall (F = ∞) that cuts off a
    /// strip at large x, and a free-energy cut-off.
    func fit(keepComponentOfMinimum: Bool) throws -> EffectiveDynamicsModel {
        let axes = [GridAxis(lower: -1.6, upper: 1.6, count: 32), GridAxis(lower: -.pi, upper: .pi, count: 30, periodic: true)]
        let f = cellValues(axes) { z in
            if abs(z[0] - 1.2) < 0.06 { return .infinity }
            return 2 * (z[0] * z[0] - 0.6) * (z[0] * z[0] - 0.6) + 0.8 * cos(3 * z[1]) + 0.1 * z[0]
        }
        let m = try diffusionField(axes) { z in
            let off = 0.3 * sin(z[1])
            return [1 + 0.2 * z[0] * z[0], off, off, 0.7]
        }
        return try EffectiveDynamics(beta: 2, eigenpairs: 4,
                                     selection: NodeSelection(maxFreeEnergyFraction: 0.9, keepComponentOfMinimum: keepComponentOfMinimum))
            .fit(axes: axes, freeEnergy: f, diffusion: m)
    }

    func testDisconnectedRegionsFailUnlessOnlyTheMinimumsComponentIsKept() throws {
        XCTAssertThrowsError(try fit(keepComponentOfMinimum: false)) { error in
            XCTAssertTrue("\(error)".contains("connected components"), "\(error)")
        }
        let model = try fit(keepComponentOfMinimum: true)
        XCTAssertGreaterThan(model.generator.disconnectedCells, 0)
        XCTAssertTrue(model.nodes.coordinates.column(0).allSatisfy { $0 < 1.2 }, "the strip beyond the wall is dropped")
        XCTAssertTrue(model.eigenvalues.allSatisfy { $0 > 0 })
        XCTAssertEqual(model.trivialEigenvalue, 0, accuracy: 1e-9 * model.eigenvalues[0])
    }

    func testSaveAndLoadRoundTrip() throws {
        let model = try fit(keepComponentOfMinimum: true)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ed-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try HDF5File.create(path)
        try model.save(to: file.root.createGroup("model"))
        try file.close()

        let reopened = try HDF5File.open(path)
        let loaded = try EffectiveDynamicsModel.load(from: reopened.root.group("model"))
        try reopened.close()
        XCTAssertEqual(loaded.axes, model.axes)
        XCTAssertEqual(loaded.beta, model.beta)
        XCTAssertEqual(loaded.nodes, model.nodes)
        XCTAssertEqual(loaded.eigenvalues, model.eigenvalues)
        XCTAssertEqual(loaded.eigenfunctions, model.eigenfunctions)
        XCTAssertEqual(loaded.trivialEigenvalue, model.trivialEigenvalue)
        XCTAssertEqual(loaded.generator.stiffness, model.generator.stiffness)
        XCTAssertEqual(loaded.stationary, model.stationary)
        XCTAssertEqual(loaded.freeEnergy, model.freeEnergy)
        XCTAssertEqual(loaded.diffusion, model.diffusion)
        // The rebuilt generator computes the same committor, and the model extends the same way.
        let a = try model.nodes(in: .ellipse(center: [-0.77, 0], semiAxes: [0.2, 0.4], angle: 0))
        let b = try model.nodes(in: .ellipse(center: [0.77, 0], semiAxes: [0.2, 0.4], angle: 0))
        XCTAssertEqual(try loaded.committor(from: a, to: b), try model.committor(from: a, to: b))
        let points = Matrix([[0.1, 3.1], [-0.5, -3.1], [0.33, 0.7]])
        XCTAssertEqual(loaded.eigenfunctions(at: points), model.eigenfunctions(at: points))
    }

    func testEigenfunctionsAtNewPoints() throws {
        let model = try fit(keepComponentOfMinimum: true)
        // At the nodes, interpolation returns the node values.
        let z = model.nodes.coordinates
        let atNodes = model.eigenfunctions(at: z)
        XCTAssertEqual(atNodes.storage, model.eigenfunctions.storage, accuracy: 1e-12)
        // Across the periodic seam θ = ±π, halfway between the last and the first cell centre, the
        // value is the mean of the two (and the same from either side of the seam).
        let axis = model.axes[1]
        let x = model.axes[0].center(10)
        let first = model.nodes.nodeOfCell[10 * axis.count], last = model.nodes.nodeOfCell[10 * axis.count + axis.count - 1]
        let seam = model.eigenfunctions(at: Matrix([[x, Double.pi], [x, -Double.pi]]))
        for j in 0..<model.eigenvalues.count {
            let mean = (model.eigenfunctions[first, j] + model.eigenfunctions[last, j]) / 2
            XCTAssertEqual(seam[0, j], mean, accuracy: 1e-12)
            XCTAssertEqual(seam[1, j], mean, accuracy: 1e-12)
        }
    }
}
