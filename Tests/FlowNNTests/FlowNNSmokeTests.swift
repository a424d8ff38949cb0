import XCTest
@testable import FlowNN

final class FlowNNSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
