import XCTest
@testable import FlowMD

final class FlowMDSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
