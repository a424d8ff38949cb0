import XCTest
import Foundation
@testable import FlowNN

/// The inlined elementary functions against libm.
final class VectorMathTests: XCTestCase {
    func testAgainstLibm() {
        var worstExp = 0.0, worstTanh = 0.0, worstExpm1 = 0.0
        var x = -30.0
        while x <= 30 {
            worstExp = max(worstExp, Swift.abs(VectorMath.exp(x) / Foundation.exp(x) - 1))
            worstExpm1 = max(worstExpm1, Swift.abs(VectorMath.expm1(x) - Foundation.expm1(x)) / max(Swift.abs(Foundation.expm1(x)), 1e-300))
            worstTanh = max(worstTanh, Swift.abs(VectorMath.tanh(x) - Foundation.tanh(x)) / max(Swift.abs(Foundation.tanh(x)), 1e-300))
            x += 0.000_731
        }
        for tiny in [1e-300, 1e-12, -3e-9, 2e-5] {
            XCTAssertEqual(VectorMath.tanh(tiny), Foundation.tanh(tiny), accuracy: Swift.abs(tiny) * 1e-15)
        }
        XCTAssertLessThan(worstExp, 1e-15)
        XCTAssertLessThan(worstExpm1, 1e-15)
        XCTAssertLessThan(worstTanh, 1e-15)
        XCTAssertEqual(VectorMath.exp(-1000), 0)
        XCTAssertEqual(VectorMath.exp(1000), .infinity)
        XCTAssertTrue(VectorMath.tanh(.nan).isNaN)
        XCTAssertTrue(VectorMath.exp(.nan).isNaN)
        XCTAssertEqual(VectorMath.tanh(1e6), 1)
        XCTAssertEqual(VectorMath.tanh(-1e6), -1)
    }
}
