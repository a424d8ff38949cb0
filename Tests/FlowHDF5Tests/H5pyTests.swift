import Foundation
import XCTest
@testable import FlowHDF5

/// How h5py (what most users will open results with) sees files written here. Skipped when
/// python3 or h5py is not installed.
final class H5pyTests: HDF5TestCase {
    private func runPython(_ script: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    private func requireH5py() throws {
        guard (try? runPython("import h5py"))?.status == 0 else {
            throw XCTSkip("h5py is not installed (pip install h5py to run this cross-check)")
        }
    }

    private let n = 4, d = 3

    /// The same logical content that `h5pyScript(writing:)` produces.
    private func writeSample(_ name: String) throws -> String {
        let values = (0..<(n * d)).map { Double($0) * 0.5 }
        return try makeFile(name) { root in
            try root.write("x", values, shape: [n, d])
            try root.write("labels", strings: ["α", "b"])
            try root.write("g/count", [Int(42)], shape: [])
            try root.setAttribute("kind", .string("diffusion-map"))
            try root.setAttribute("eigenvalues", .doubles([1, 0.5]))
            try root.dataset("x").setAttribute("names", .strings(["μ2", "μ3"]))
        }
    }

    func testH5pyReadsShapesValuesStringsAndAttributes() throws {
        try requireH5py()
        let path = try writeSample("h5py.h5")
        let script = """
        import h5py, numpy as np
        f = h5py.File('\(path)', 'r')
        x = f['x']
        assert x.shape == (\(n), \(d)), x.shape
        assert x.dtype == np.float64, x.dtype
        assert all(x[i, j] == (i * \(d) + j) * 0.5 for i in range(\(n)) for j in range(\(d)))
        assert list(f['labels'].asstr()[...]) == ['α', 'b'], f['labels'][...]
        assert h5py.check_string_dtype(f['labels'].dtype).encoding == 'utf-8'
        assert f['g/count'][()] == 42 and f['g/count'].dtype == np.int64
        assert f.attrs['kind'] == 'diffusion-map' and isinstance(f.attrs['kind'], str)
        assert list(f.attrs['eigenvalues']) == [1.0, 0.5]
        assert [str(s) for s in f['x'].attrs['names']] == ['μ2', 'μ3'], f['x'].attrs['names']
        print('ok')
        """
        let (status, output) = try runPython(script)
        XCTAssertEqual(status, 0, output)
    }

    /// A file h5py writes with a different layout (chunked, compressed, other write order) has the
    /// same content stream; narrower types and fixed-length strings from h5py read as documented.
    func testFilesWrittenByH5py() throws {
        try requireH5py()
        let ours = try writeSample("ours.h5")
        let theirs = file("theirs.h5")
        let other = file("other.h5")
        let script = """
        import h5py, numpy as np
        with h5py.File('\(theirs)', 'w') as f:
            f.attrs['eigenvalues'] = np.array([1.0, 0.5])
            f['g/count'] = np.int64(42)
            x = f.create_dataset('x', data=np.arange(\(n * d)).reshape(\(n), \(d)) * 0.5, chunks=(1, \(d)), compression='gzip')
            x.attrs['names'] = ['μ2', 'μ3']
            f.create_dataset('labels', data=['α', 'b'], dtype=h5py.string_dtype())
            f.attrs['kind'] = 'diffusion-map'
        with h5py.File('\(other)', 'w') as f:
            f['f32'] = np.array([[0.5, 1.5]], dtype=np.float32)
            f['i16'] = np.array([-3, 4], dtype=np.int16)
            f['u32'] = np.array([4000000000], dtype=np.uint32)
            f['fixed'] = np.array([b'ab', b'cde'], dtype='S5')
            f.attrs['f32'] = np.float32(0.25)
            f.attrs['i8s'] = np.array([1, -2], dtype=np.int8)
        """
        let (status, output) = try runPython(script)
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(try contentHash(ours), try contentHash(theirs))
        try withFile(other) { root in
            XCTAssertEqual(try root.dataset("f32").elementType, .float32)
            XCTAssertEqual(try root.read("f32", as: Double.self).values, [0.5, 1.5])
            XCTAssertEqual(try root.dataset("i16").elementType, .int32)
            XCTAssertEqual(try root.read("i16", as: Int.self).values, [-3, 4])
            XCTAssertEqual(try root.dataset("u32").elementType, .int64)
            XCTAssertEqual(try root.read("u32", as: Int64.self).values, [4_000_000_000])
            XCTAssertEqual(try root.readStrings("fixed"), ["ab", "cde"])
            XCTAssertEqual(try root.attribute("f32"), .double(0.25))
            XCTAssertEqual(try root.attribute("i8s"), .ints([1, -2]))
        }
    }
}
