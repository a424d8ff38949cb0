import XCTest
@testable import FlowHDF5

/// Every test checks in `tearDown` that the open-object count is back where it started; these
/// tests make the paths that are easiest to get wrong explicit.
final class HandleTests: HDF5TestCase {
    func testOpenAndCloseReturnsToStartCount() throws {
        let start = FlowHDF5Library.openObjectCount
        let path = try makeFile("h.h5") { root in
            try root.write("g/x", [1.0, 2.0], shape: [2])
            try root.setAttribute("a", .strings(["x"]))
        }
        let hdf5 = try HDF5File.open(path)
        let dataset = try hdf5.root.dataset("g/x")
        XCTAssertGreaterThan(FlowHDF5Library.openObjectCount, start)
        _ = try dataset.readRows(0..<1, as: Double.self)
        _ = try hdf5.root.attribute("a")
        try hdf5.close()
        XCTAssertEqual(FlowHDF5Library.openObjectCount, start, "close() closes datasets still referenced")
        withExtendedLifetime(dataset) {}
    }

    func testReleasingTheLastReferenceClosesTheFile() throws {
        let start = FlowHDF5Library.openObjectCount
        func createAndDrop() throws {
            let hdf5 = try HDF5File.create(file("r.h5"))
            _ = try hdf5.root.createDataset("x", of: Float.self, shape: [1])
        }
        try createAndDrop()
        XCTAssertEqual(FlowHDF5Library.openObjectCount, start)
    }

    func testTwoHandlesOnOneFileAreIndependent() throws {
        let path = try makeFile("two.h5") { try $0.write("x", [1.0, 2.0, 3.0], shape: [3]) }
        let first = try HDF5File.open(path)
        let second = try HDF5File.open(path)
        let dataset = try second.root.dataset("x")
        try first.close()
        XCTAssertEqual(try dataset.read(as: Double.self), [1, 2, 3])
        try second.close()
    }

    func testLibraryVersion() {
        XCTAssertTrue(FlowHDF5Library.version.hasPrefix("1."), FlowHDF5Library.version)
    }
}
