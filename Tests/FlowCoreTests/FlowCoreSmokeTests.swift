import XCTest
@testable import FlowCore

final class FlowCoreSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
