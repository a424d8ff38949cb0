import XCTest
@testable import FlowStages

final class FlowStagesSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
