import XCTest
import FlowMD

/// The string method against the published Müller–Brown saddle points (DESIGN §7).
final class StringMethodTests: XCTestCase {
    let mb = MuellerBrown(scale: 1)

    func testFindsBothMuellerBrownSaddlesToPublishedPrecision() throws {
        let string = ZeroTemperatureString(images: 40)
        let upper = try string.run(mb, from: MuellerBrown.minima["A"]!, to: MuellerBrown.minima["C"]!)
        XCTAssertEqual(upper.saddle[0], -0.822, accuracy: 1e-3)
        XCTAssertEqual(upper.saddle[1], 0.624, accuracy: 1e-3)
        XCTAssertEqual(upper.saddleEnergy, -40.66, accuracy: 1e-2)
        XCTAssertEqual(upper.saddleIndex, 1, "a first-order saddle has exactly one negative curvature")
        XCTAssertLessThan(upper.saddleGradientNorm, 1e-8)
        let lower = try string.run(mb, from: MuellerBrown.minima["C"]!, to: MuellerBrown.minima["B"]!)
        XCTAssertEqual(lower.saddle[0], 0.212, accuracy: 1e-3)
        XCTAssertEqual(lower.saddle[1], 0.293, accuracy: 1e-3)
        XCTAssertEqual(lower.saddleEnergy, -72.25, accuracy: 1e-2)
        XCTAssertEqual(lower.saddleIndex, 1)
        XCTAssertTrue(upper.converged && lower.converged)
    }

    func testThePathIsAMinimumEnergyPathAndScaleInvariant() throws {
        let scaled = try ZeroTemperatureString(images: 30).run(MuellerBrown(scale: 0.05), from: MuellerBrown.minima["A"]!,
                                                               to: MuellerBrown.minima["C"]!)
        let unscaled = try ZeroTemperatureString(images: 30).run(mb, from: MuellerBrown.minima["A"]!, to: MuellerBrown.minima["C"]!)
        for (p, q) in zip(scaled.images, unscaled.images) {
            XCTAssertEqual(p[0], q[0], accuracy: 2e-4)
            XCTAssertEqual(p[1], q[1], accuracy: 2e-4)
        }
        XCTAssertEqual(scaled.saddleEnergy, 0.05 * unscaled.saddleEnergy, accuracy: 1e-9)
        XCTAssertEqual(scaled.energies.first!, 0.05 * -146.70, accuracy: 1e-3, "the endpoints relax to the minima")
        let steps = zip(unscaled.arcLength.dropFirst(), unscaled.arcLength).map { $0 - $1 }
        XCTAssertLessThan((steps.max()! - steps.min()!) * Double(steps.count), 0.02,
                          "images are equally spaced in arc length (up to chord-versus-arc error)")
    }

    func testSaddleOfASymmetricDoubleWellIsAtTheOrigin() throws {
        let well = DoubleWell(dimension: 2)
        let left = [Double](repeating: 0, count: well.dimension).enumerated().map { $0.offset == 0 ? -1.0 : 0.0 }
        let right = left.map { -$0 }
        let path = try ZeroTemperatureString(images: 21).run(well, from: left, to: right)
        XCTAssertEqual(path.saddle[0], 0, accuracy: 1e-9)
        XCTAssertEqual(path.saddleIndex, 1)
    }
}
