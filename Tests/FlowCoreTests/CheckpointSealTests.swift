import Foundation
import XCTest
import FlowHDF5
@testable import FlowCore

/// Checkpoints are sealed with their key and the SHA-256 of their bytes: one that is truncated,
/// replaced by another valid file, copied from another key or unsealed is discarded with a message,
/// and the stage starts over instead of failing forever or resuming from wrong state.
final class CheckpointSealTests: XCTestCase {
    var directory = ""
    var messages: [String] = []

    override func setUp() {
        directory = NSTemporaryDirectory() + "flow-seal-\(UUID().uuidString.prefix(8))"
        messages = []
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func checkpoints(key: String = "key-1") -> StoreCheckpoints {
        StoreCheckpoints(directory: directory, key: key, interval: 0, cancellation: CancellationFlag(),
                         onResume: { self.messages.append("resume: " + $0) }, onDiscard: { self.messages.append("discard: " + $0) })
    }

    func saveValues(_ values: [Double], _ c: StoreCheckpoints) throws {
        try c.save { try $0.write("x", values, shape: [values.count]) }
    }

    func restored(_ c: StoreCheckpoints) throws -> [Double]? {
        var values: [Double]?
        let resumed = try c.restore { values = try $0.read("x", as: Double.self).values }
        XCTAssertEqual(resumed, values != nil)
        return values
    }

    func testASealedCheckpointResumes() throws {
        try saveValues([1, 2, 3], checkpoints())
        XCTAssertEqual(try restored(checkpoints()), [1, 2, 3])
        XCTAssertEqual(messages.count, 1)
        XCTAssertTrue(messages[0].hasPrefix("resume: resumed from the checkpoint saved 20"), messages[0])
    }

    func assertDiscarded(_ why: String, key: String = "key-1", file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertNil(try restored(checkpoints(key: key)), file: file, line: line)
        XCTAssertEqual(messages, ["discard: discarded the checkpoint \(directory)/checkpoint.h5: \(why); the stage starts over"], file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "the checkpoint is removed", file: file, line: line)
    }

    func testATruncatedCheckpointIsDiscarded() throws {
        try saveValues(Array(repeating: 0.5, count: 1000), checkpoints())
        let path = directory + "/checkpoint.h5"
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        try assertDiscarded("its bytes changed since it was written (truncated or edited)")
    }

    func testAnAlteredButValidCheckpointIsDiscarded() throws {
        try saveValues([1, 2, 3], checkpoints())
        let path = directory + "/checkpoint.h5"
        try FileManager.default.removeItem(atPath: path)
        let forged = try HDF5File.create(path)
        try forged.root.write("x", [9.0, 9, 9], shape: [3])
        try forged.close()
        try assertDiscarded("its bytes changed since it was written (truncated or edited)")
    }

    func testACheckpointOfAnotherKeyIsDiscarded() throws {
        try saveValues([1, 2, 3], checkpoints(key: "key-1"))
        try assertDiscarded("it was written for another key", key: "key-2")
    }

    func testAnUnsealedCheckpointIsDiscarded() throws {
        try saveValues([1, 2, 3], checkpoints())
        try FileManager.default.removeItem(atPath: directory + "/checkpoint.seal")
        try assertDiscarded("it has no seal")
    }
}
