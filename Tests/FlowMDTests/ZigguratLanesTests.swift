import Foundation
import XCTest
import FlowLinalg
@testable import FlowMD

/// The ziggurat in SIMD lanes against the scalar generator: every walker must get exactly the
/// deviates, and end in exactly the state, of its own scalar sequence of draws, including draws
/// that leave the fast path (so seeded runs give the same bits as before the lanes).
final class ZigguratLanesTests: XCTestCase {
    func testLaneFillMatchesScalarSequence() {
        // 103 walkers: 25 groups of four in lanes and three by the scalar path.
        let walkers = 103, rounds = 300, scale = 0.37
        for d in [1, 2, 3, 14] {
            var reference = (0..<walkers).map { RandomSource(seed: 5, stream: "walker-\($0)") }
            var words = (0..<4).flatMap { i in reference.map { $0.stateWords[i] } }
            var out = [Double](repeating: 0, count: walkers * d)
            var slowDraws = 0
            words.withUnsafeMutableBufferPointer { w in
                let streams = WalkerStreams(words: w.baseAddress!, stride: walkers)
                for _ in 0..<rounds {
                    ZigguratNormal.fill(&out, walkers: walkers, perWalker: d, scale: scale, streams: streams)
                    for k in 0..<walkers {
                        var plain = reference[k]
                        for _ in 0..<d { _ = plain.next() }
                        for i in 0..<d {
                            let expected = scale * ZigguratNormal.sample(&reference[k])
                            XCTAssertEqual(out[k * d + i].bitPattern, expected.bitPattern, "walker \(k), d = \(d)")
                        }
                        if plain != reference[k] { slowDraws += 1 }
                        XCTAssertEqual(streams[k], reference[k], "walker \(k)'s state, d = \(d)")
                    }
                }
            }
            XCTAssertGreaterThan(slowDraws, 50, "the slow path is exercised (d = \(d))")
        }
    }

    /// The ensemble's Euler–Maruyama run against the definition, walker by walker with the scalar
    /// generator of stream `walker-w` and the single-point Müller–Brown gradient.
    func testEulerMaruyamaEnsembleMatchesScalarWalkers() throws {
        let potential = MuellerBrown(), dt = 1e-4, beta = 1.0, steps = 200, walkers = 13
        let start = [-0.558, 1.442]
        let ensemble = WalkerEnsemble(potential: potential, integrator: EulerMaruyama(timeStep: dt, beta: beta),
                                      initial: [[Double]](repeating: start, count: walkers),
                                      settings: EnsembleSettings(steps: steps, stride: 0, seed: 3))
        try ensemble.run(monitor: SilentMonitor(), checkpoints: nil, threads: 2)
        let sigma = (2 * dt / beta).squareRoot()
        for w in 0..<walkers {
            var rng = RandomSource(seed: 3, stream: "walker-\(w)")
            var x = start, g = [0.0, 0.0]
            for _ in 0..<steps {
                _ = potential.energy(x, gradient: &g)
                for i in 0..<2 { x[i] = x[i] - dt * g[i] + sigma * ZigguratNormal.sample(&rng) }
            }
            XCTAssertEqual(ensemble.position(w).map(\.bitPattern), x.map(\.bitPattern), "walker \(w)")
        }
    }
}
