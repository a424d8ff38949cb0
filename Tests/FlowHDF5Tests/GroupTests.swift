import XCTest
@testable import FlowHDF5

final class GroupTests: HDF5TestCase {
    func testNestedGroups() throws {
        let path = try makeFile("nested.h5") { root in
            let layer = try root.createGroup("network/layer0")
            XCTAssertEqual(layer.path, "/network/layer0")
            try layer.write("weight", [1.0, 2, 3, 4], shape: [2, 2])
            try root.write("network/layer1/bias", [0.5], shape: [1])
            let again = try root.createGroup("network")
            XCTAssertEqual(try again.createGroup("layer0").path, "/network/layer0", "existing groups are reused")
            try root.write("b", [Int32(1)], shape: [1])
            try root.write("a", [Int32(1)], shape: [1])
        }
        try withFile(path) { root in
            XCTAssertEqual(try root.children(), ["a", "b", "network"])
            let network = try root.group("network")
            XCTAssertEqual(try network.children(), ["layer0", "layer1"])
            XCTAssertEqual(try network.group("layer0").children(), ["weight"])
            XCTAssertEqual(try network.read("layer0/weight", as: Double.self).shape, [2, 2])
            XCTAssertEqual(try root.dataset("/network/layer1/bias").path, "/network/layer1/bias")
            XCTAssertTrue(root.contains("network/layer0/weight"))
            XCTAssertTrue(network.contains("layer1"))
            XCTAssertFalse(root.contains("network/layer2/weight"))
            XCTAssertFalse(root.contains("missing"))
            XCTAssertFalse(root.contains(""))
            XCTAssertTrue(root.isGroup("network/layer0"))
            XCTAssertFalse(root.isGroup("network/layer0/weight"))
            XCTAssertFalse(root.isGroup("nothing"))
            assertHDF5Error(["open group", "'/network/layer0/weight'", "nested.h5"]) { _ = try root.group("network/layer0/weight") }
        }
    }

    func testGroupCannotReplaceDataset() throws {
        let hdf5 = try HDF5File.create(file("clash.h5"))
        try hdf5.root.write("x", [1.0], shape: [1])
        assertHDF5Error(["create group", "'/x'", "not a group"]) { _ = try hdf5.root.createGroup("x/y") }
        assertHDF5Error(["invalid object name '../up'"]) { _ = try hdf5.root.createGroup("../up") }
        try hdf5.close()
    }

    func testGroupsAndDatasetsFailClearlyAfterClose() throws {
        let hdf5 = try HDF5File.create(file("closed.h5"))
        try hdf5.root.write("x", [1.0, 2.0], shape: [2])
        let dataset = try hdf5.root.dataset("x")
        let group = try hdf5.root.createGroup("g")
        try hdf5.close()
        try hdf5.close()
        assertHDF5Error(["'/x'", "the file is closed"]) { _ = try dataset.read(as: Double.self) }
        assertHDF5Error(["'/g'", "the file is closed"]) { _ = try group.children() }
        XCTAssertEqual(dataset.shape, [])
        XCTAssertFalse(group.contains("x"))
    }

    func testReopenForWriting() throws {
        let path = try makeFile("append.h5") { try $0.write("x", [1.0], shape: [1]) }
        let hdf5 = try HDF5File.open(path, mode: .readWrite)
        try hdf5.root.write("y", [2.0], shape: [1])
        try hdf5.flush()
        try hdf5.close()
        try withFile(path) { root in
            XCTAssertEqual(try root.children(), ["x", "y"])
            assertHDF5Error(["create dataset", "'/z'"]) { try root.write("z", [1.0], shape: [1]) }
        }
    }
}
