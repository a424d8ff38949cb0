import XCTest
@testable import FlowLinalg

final class FlowLinalgSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
