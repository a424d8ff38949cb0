import XCTest
@testable import FlowHDF5

final class FlowHDF5SmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
