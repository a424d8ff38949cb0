import Foundation
import FlowLinalg

/// Standard normal deviates by the ziggurat method (Marsaglia & Tsang, J. Stat. Softw. 5(8),
/// 2000), 128 layers, with the layer index and the abscissa taken from independent bits of one
/// 64-bit draw (which avoids the correlation Doornik, 2005, found in the original). About four
/// times faster than Box–Muller: Langevin and Brownian integrators draw one deviate per
/// coordinate per step. Deterministic given the `RandomSource` state.
enum ZigguratTables {
    static let r = 3.442619855899
    static let tables: (k: [UInt32], w: [Double], f: [Double]) = {
        let m1 = 2147483648.0
        var dn = r, tn = r
        let vn = 9.91256303526217e-3
        var k = [UInt32](repeating: 0, count: 128), w = [Double](repeating: 0, count: 128), f = w
        let q = vn / exp(-0.5 * dn * dn)
        k[0] = UInt32((dn / q) * m1)
        k[1] = 0
        w[0] = q / m1
        w[127] = dn / m1
        f[0] = 1
        f[127] = exp(-0.5 * dn * dn)
        for i in stride(from: 126, through: 1, by: -1) {
            dn = (-2 * log(vn / dn + exp(-0.5 * dn * dn))).squareRoot()
            k[i + 1] = UInt32((dn / tn) * m1)
            tn = dn
            f[i] = exp(-0.5 * dn * dn)
            w[i] = dn / m1
        }
        return (k, w, f)
    }()
}

extension RandomSource {
    /// A standard normal deviate (ziggurat).
    @inline(__always)
    mutating func zigguratNormal() -> Double {
        let t = ZigguratTables.tables
        while true {
            let bits = next()
            let hz = Int32(truncatingIfNeeded: bits >> 32)
            let iz = Int(bits & 127)
            if hz.magnitude < t.k[iz] { return Double(hz) * t.w[iz] }
            let x = Double(hz) * t.w[iz]
            if iz == 0 {
                // Tail beyond r (Marsaglia 1964).
                var xt = 0.0, y = 0.0
                repeat {
                    xt = -log(uniformPositive()) / ZigguratTables.r
                    y = -log(uniformPositive())
                } while y + y < xt * xt
                return hz > 0 ? ZigguratTables.r + xt : -ZigguratTables.r - xt
            }
            if t.f[iz] + uniform() * (t.f[iz - 1] - t.f[iz]) < exp(-0.5 * x * x) { return x }
        }
    }
}
