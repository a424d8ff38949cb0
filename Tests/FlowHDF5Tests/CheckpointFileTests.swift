import Foundation
import XCTest
@testable import FlowHDF5

private struct Interrupted: Error {}

final class CheckpointFileTests: HDF5TestCase {
    func testSaveAndRestore() throws {
        let checkpoint = HDF5CheckpointFile(path: file("stage.ckpt.h5"), interval: 0)
        XCTAssertFalse(try checkpoint.restore { _ in XCTFail("nothing to restore yet") })
        try checkpoint.save { root in
            try root.setAttribute("step", .int(10))
            try root.write("params/w", [1.0, 2.0], shape: [2])
        }
        try checkpoint.save { root in
            try root.setAttribute("step", .int(20))
            try root.write("params/w", [3.0, 4.0], shape: [2])
        }
        var step: HDF5AttributeValue?
        var weights: [Double] = []
        XCTAssertTrue(try checkpoint.restore { root in
            step = try root.attribute("step")
            weights = try root.read("params/w", as: Double.self).values
        })
        XCTAssertEqual(step, .int(20))
        XCTAssertEqual(weights, [3, 4])
    }

    func testFailedSaveKeepsThePreviousCheckpoint() throws {
        let path = file("keep.ckpt.h5")
        let checkpoint = HDF5CheckpointFile(path: path, interval: 0)
        try checkpoint.save { try $0.setAttribute("step", .int(1)) }
        XCTAssertThrowsError(try checkpoint.save { root in
            try root.setAttribute("step", .int(2))
            throw Interrupted()
        })
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
        XCTAssertTrue(try checkpoint.restore { XCTAssertEqual(try $0.attribute("step"), .int(1)) })
    }

    func testIsDueAfterTheInterval() throws {
        XCTAssertTrue(HDF5CheckpointFile(path: file("a.h5"), interval: 0).isDue())
        let slow = HDF5CheckpointFile(path: file("b.h5"), interval: 0.2)
        XCTAssertFalse(slow.isDue())
        Thread.sleep(forTimeInterval: 0.25)
        XCTAssertTrue(slow.isDue())
        try slow.save { _ in }
        XCTAssertFalse(slow.isDue(), "a save restarts the interval")
    }
}
