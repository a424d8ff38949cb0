import XCTest
import FlowHDF5
import FlowLinalg
@testable import FlowMD

/// A run's result must not depend on the thread count, and a run interrupted after a checkpoint
/// and resumed must end bit-identical to an uninterrupted one — with metadynamics (grid, hills,
/// c(t) sums), MALA (acceptance counts) and BAOAB (velocities) in the state.
final class EnsembleResumeTests: XCTestCase {
    /// Checkpoints in a temporary HDF5 file, due after the `dueAt`-th progress report.
    final class FileCheckpoints: Checkpointing {
        let path: String
        let monitor: CountingMonitor
        let dueAt: Int
        init(path: String, monitor: CountingMonitor, dueAt: Int) {
            self.path = path
            self.monitor = monitor
            self.dueAt = dueAt
        }
        func isDue() -> Bool { monitor.reports == dueAt }
        func save(_ write: (HDF5Group) throws -> Void) throws {
            let f = try HDF5File.create(path)
            try write(f.root)
            try f.close()
        }
        func restore(_ read: (HDF5Group) throws -> Void) throws -> Bool {
            guard FileManager.default.fileExists(atPath: path) else { return false }
            let f = try HDF5File.open(path, mode: .readOnly)
            defer { try? f.close() }
            try read(f.root)
            return true
        }
    }

    /// Counts progress reports and cancels the run after `cancelAfter` of them.
    final class CountingMonitor: WorkMonitor, @unchecked Sendable {
        var reports = 0
        let cancelAfter: Int?
        init(cancelAfter: Int?) { self.cancelAfter = cancelAfter }
        func progress(done: Int, total: Int, note: String) { reports += 1 }
        func log(_ message: String) {}
        func checkCancellation() throws {
            if let c = cancelAfter, reports >= c { throw WorkCancelled() }
        }
    }

    func makeEnsemble(_ integrator: any EnsembleIntegrator) -> WalkerEnsemble {
        let lj = LennardJonesCluster2D()
        let hexagon = LennardJonesMinima.minima(of: lj)["hexagon"]!
        let mu = CoordinationMoments(layout: lj.layout)
        let grid = BiasGrid(lower: [0, -1.5], upper: [2, 2.5], points: [101, 201], periodic: [false, false])
        let metad = WellTemperedMetadynamics(cv: mu, height: 0.01, widths: [0.02, 0.02], biasTemperature: 1, beta: 5, pace: 50, grid: grid)
        return WalkerEnsemble(potential: lj, integrator: integrator, initial: [[Double]](repeating: hexagon, count: 7),
                              settings: EnsembleSettings(steps: 60_000, stride: 500, seed: 17), metadynamics: metad)
    }

    func assertIdentical(_ a: WalkerEnsemble, _ b: WalkerEnsemble, file: StaticString = #filePath, line: UInt = #line) {
        let ta = a.trajectory(), tb = b.trajectory()
        XCTAssertEqual(ta.x, tb.x, file: file, line: line)
        XCTAssertEqual(ta.energy, tb.energy, file: file, line: line)
        XCTAssertEqual(ta.bias, tb.bias, file: file, line: line)
        XCTAssertEqual(ta.offset, tb.offset, file: file, line: line)
        XCTAssertEqual(a.metadynamics!.grid, b.metadynamics!.grid, file: file, line: line)
        XCTAssertEqual(a.metadynamics!.hills, b.metadynamics!.hills, file: file, line: line)
        XCTAssertEqual(a.acceptanceRates, b.acceptanceRates, file: file, line: line)
    }

    func testIndependentOfThreadCount() throws {
        let one = makeEnsemble(MALA(timeStep: 5e-5, beta: 5))
        try one.run(monitor: SilentMonitor(), checkpoints: nil, threads: 1)
        let three = makeEnsemble(MALA(timeStep: 5e-5, beta: 5))
        try three.run(monitor: SilentMonitor(), checkpoints: nil, threads: 3)
        assertIdentical(one, three)
        XCTAssertGreaterThan(one.metadynamics!.hills.count, 1000)
    }

    func testResumeIsBitIdentical() throws {
        for integrator in [MALA(timeStep: 5e-5, beta: 5), BAOAB(timeStep: 1e-3, beta: 5, friction: 1)] as [any EnsembleIntegrator] {
            let path = NSTemporaryDirectory() + "flow-resume-\(UUID().uuidString).h5"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let reference = makeEnsemble(integrator)
            try reference.run(monitor: SilentMonitor(), checkpoints: nil, threads: 2)

            let interruptedMonitor = CountingMonitor(cancelAfter: 3)
            let interrupted = makeEnsemble(integrator)
            XCTAssertThrowsError(try interrupted.run(monitor: interruptedMonitor,
                                                     checkpoints: FileCheckpoints(path: path, monitor: interruptedMonitor, dueAt: 3), threads: 2))
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "a checkpoint was written before the interruption")
            XCTAssertLessThan(interrupted.stepsDone, 60_000)

            let resumedMonitor = CountingMonitor(cancelAfter: nil)
            let resumed = makeEnsemble(integrator)
            try resumed.run(monitor: resumedMonitor, checkpoints: FileCheckpoints(path: path, monitor: resumedMonitor, dueAt: -1), threads: 1)
            assertIdentical(reference, resumed)
        }
    }
}
