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

    func testH5pyReadsShapesValuesStringsAndAttributes() throws {
        guard (try? runPython("import h5py"))?.status == 0 else {
            throw XCTSkip("h5py is not installed (pip install h5py to run this cross-check)")
        }
        let n = 4, d = 3
        let values = (0..<(n * d)).map { Double($0) * 0.5 }
        let path = try makeFile("h5py.h5") { root in
            try root.write("x", values, shape: [n, d])
            try root.write("labels", strings: ["α", "b"])
            try root.write("g/count", [Int(42)], shape: [])
            try root.setAttribute("kind", .string("diffusion-map"))
            try root.setAttribute("eigenvalues", .doubles([1, 0.5]))
            try root.dataset("x").setAttribute("names", .strings(["μ2", "μ3"]))
        }
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
}
