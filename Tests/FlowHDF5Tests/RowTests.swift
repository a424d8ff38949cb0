import XCTest
@testable import FlowHDF5

final class RowTests: HDF5TestCase {
    private let rows = 7, width = 3
    private var values: [Double] { (0..<(rows * width)).map { Double($0) + 0.5 } }

    private func expected(_ range: Range<Int>) -> [Double] {
        Array(values[(range.lowerBound * width)..<(range.upperBound * width)])
    }

    func testRowRanges() throws {
        let path = try makeFile("rows.h5") { try $0.write("x", self.values, shape: [self.rows, self.width]) }
        try withFile(path) { root in
            let dataset = try root.dataset("x")
            for range in [0..<0, 3..<3, 7..<7, 0..<1, 2..<5, 6..<7, 0..<7] {
                XCTAssertEqual(try dataset.readRows(range, as: Double.self), expected(range), "\(range)")
            }
            XCTAssertEqual(try dataset.readRows(6..<7, as: Float.self), expected(6..<7).map(Float.init))
            assertHDF5Error(["rows 5..<8", "0..<7", "'/x'", "rows.h5"]) { _ = try dataset.readRows(5..<8, as: Double.self) }
        }
    }

    func testScalarHasNoRows() throws {
        let path = try makeFile("scalar.h5") { try $0.write("s", [2.0], shape: []) }
        try withFile(path) { root in
            assertHDF5Error(["scalar", "'/s'"]) { _ = try root.dataset("s").readRows(0..<1, as: Double.self) }
            XCTAssertEqual(try root.read("s", as: Double.self).values, [2.0])
        }
    }

    func testStreamedRowsIntoExtendableDataset() throws {
        let path = file("stream.h5")
        let hdf5 = try HDF5File.create(path)
        let dataset = try hdf5.root.createDataset("x", of: Double.self, shape: [0, width], extendableRows: true, chunkRows: 2)
        XCTAssertEqual(dataset.shape, [0, width])
        for start in stride(from: 0, to: rows, by: 3) {
            let end = min(rows, start + 3)
            try dataset.writeRows(expected(start..<end), at: start)
            XCTAssertEqual(dataset.shape, [end, width])
        }
        try dataset.writeRows([Double](), at: rows)
        try dataset.writeRows(expected(1..<2), at: 1)
        assertHDF5Error(["whole rows", "'/x'"]) { try dataset.writeRows([1.0, 2.0], at: 7) }
        assertHDF5Error(["int64", "float64"]) { try dataset.writeRows([1, 2, 3], at: 7) }
        try hdf5.close()
        try withFile(path) { root in
            let (read, shape) = try root.read("x", as: Double.self)
            XCTAssertEqual(shape, [rows, width])
            XCTAssertEqual(read, values)
        }
    }

    func testExtendableWithDefaultChunks() throws {
        let path = file("default.h5")
        let hdf5 = try HDF5File.create(path)
        let dataset = try hdf5.root.createDataset("network/x", of: Int32.self, shape: [2, 2], extendableRows: true)
        try dataset.writeRows([Int32(5), 6], at: 4)
        XCTAssertEqual(dataset.shape, [5, 2])
        XCTAssertEqual(try dataset.read(as: Int32.self), [0, 0, 0, 0, 0, 0, 0, 0, 5, 6], "unwritten rows read as the fill value 0")
        try hdf5.close()
    }

    func testFixedDatasetCannotGrow() throws {
        let hdf5 = try HDF5File.create(file("fixed.h5"))
        let dataset = try hdf5.root.createDataset("x", of: Double.self, shape: [2, 2])
        try dataset.writeRows([1.0, 2.0], at: 1)
        XCTAssertEqual(try dataset.read(as: Double.self), [0, 0, 1, 2])
        assertHDF5Error(["not extendable", "'/x'"]) { try dataset.writeRows([1.0, 2.0], at: 2) }
        assertHDF5Error(["scalar", "'/y'"]) { _ = try hdf5.root.createDataset("y", of: Double.self, shape: [], extendableRows: true) }
        assertHDF5Error(["chunkRows", "'/z'"]) { _ = try hdf5.root.createDataset("z", of: Double.self, shape: [3], chunkRows: 0) }
        let chunked = try hdf5.root.createDataset("c", of: UInt8.self, shape: [3, 2], chunkRows: 100)
        try chunked.writeRows([1, 2, 3, 4, 5, 6] as [UInt8], at: 0)
        XCTAssertEqual(try chunked.readRows(2..<3, as: UInt8.self), [5, 6])
        try hdf5.close()
    }
}
