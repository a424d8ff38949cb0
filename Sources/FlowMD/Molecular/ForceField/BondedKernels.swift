import Foundation

/// Harmonic two-body terms V = K (r − r0)², for bonds and for Urey–Bradley 1–3 springs.
/// Structure of arrays, so the hot loop streams through contiguous memory.
struct HarmonicDistanceTerms: Sendable {
    var i: [Int32] = [], j: [Int32] = [], k: [Double] = [], r0: [Double] = []

    mutating func append(_ a: Int, _ b: Int, _ force: Double, _ length: Double) {
        i.append(Int32(a)); j.append(Int32(b)); k.append(force); r0.append(length)
    }

    func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) -> Double {
        var energy = 0.0
        i.withUnsafeBufferPointer { I in j.withUnsafeBufferPointer { J in
        k.withUnsafeBufferPointer { K in r0.withUnsafeBufferPointer { R in
            for n in 0..<I.count {
                let a = 3 * Int(I[n]), b = 3 * Int(J[n])
                let dx = x[a] - x[b], dy = x[a + 1] - x[b + 1], dz = x[a + 2] - x[b + 2]
                let r = (dx * dx + dy * dy + dz * dz).squareRoot()
                let dr = r - R[n]
                energy += K[n] * dr * dr
                let s = r > 0 ? 2 * K[n] * dr / r : 0
                g[a] += s * dx; g[a + 1] += s * dy; g[a + 2] += s * dz
                g[b] -= s * dx; g[b + 1] -= s * dy; g[b + 2] -= s * dz
            }
        }}}}
        return energy
    }
}

/// Harmonic bond angles V = Kθ (θ − θ0)², θ = atan2(|u×v|, u·v) with u = r_i − r_j, v = r_k − r_j
/// (atan2 keeps θ accurate near 0 and π, where acos loses digits).
struct AngleTerms: Sendable {
    var i: [Int32] = [], j: [Int32] = [], k: [Int32] = [], force: [Double] = [], theta0: [Double] = []

    mutating func append(_ a: Int, _ b: Int, _ c: Int, _ kTheta: Double, _ t0: Double) {
        i.append(Int32(a)); j.append(Int32(b)); k.append(Int32(c)); force.append(kTheta); theta0.append(t0)
    }

    func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) -> Double {
        var energy = 0.0
        i.withUnsafeBufferPointer { I in j.withUnsafeBufferPointer { J in k.withUnsafeBufferPointer { K in
        force.withUnsafeBufferPointer { F in theta0.withUnsafeBufferPointer { T in
            for n in 0..<I.count {
                let a = 3 * Int(I[n]), b = 3 * Int(J[n]), c = 3 * Int(K[n])
                let ux = x[a] - x[b], uy = x[a + 1] - x[b + 1], uz = x[a + 2] - x[b + 2]
                let vx = x[c] - x[b], vy = x[c + 1] - x[b + 1], vz = x[c + 2] - x[b + 2]
                let cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx
                let cross = (cx * cx + cy * cy + cz * cz).squareRoot()
                let dot = ux * vx + uy * vy + uz * vz
                let theta = atan2(cross, dot)
                let d = theta - T[n]
                energy += F[n] * d * d
                // dθ/du = (u·v u/|u|² − v)/|u×v|, dθ/dv = (u·v v/|v|² − u)/|u×v|.
                let dV = 2 * F[n] * d / max(cross, 1e-12)
                let uu = ux * ux + uy * uy + uz * uz, vv = vx * vx + vy * vy + vz * vz
                let gux = dV * (dot / uu * ux - vx), guy = dV * (dot / uu * uy - vy), guz = dV * (dot / uu * uz - vz)
                let gvx = dV * (dot / vv * vx - ux), gvy = dV * (dot / vv * vy - uy), gvz = dV * (dot / vv * vz - uz)
                g[a] += gux; g[a + 1] += guy; g[a + 2] += guz
                g[c] += gvx; g[c + 1] += gvy; g[c + 2] += gvz
                g[b] -= gux + gvx; g[b + 1] -= guy + gvy; g[b + 2] -= guz + gvz
            }
        }}}}}
        return energy
    }
}

/// The geometry of a torsion i–j–k–l that energies and forces need: cos φ and sin φ in the IUPAC
/// convention (trans = 180°), computed without inverse trigonometry, and the vectors of the
/// force distribution of Bekker/Blondel–Karplus as used in GROMACS (`do_dih_fup`):
/// r_ij = x_i − x_j, r_kj = x_k − x_j, r_kl = x_k − x_l, m = r_ij × r_kj, n = r_kj × r_kl.
struct TorsionGeometry {
    var a: Int, b: Int, c: Int, d: Int
    var rij: SIMD3<Double>, rkj: SIMD3<Double>, rkl: SIMD3<Double>
    var m: SIMD3<Double>, n: SIMD3<Double>
    var cosPhi: Double, sinPhi: Double

    @inline(__always)
    init(_ x: UnsafePointer<Double>, _ i: Int, _ j: Int, _ k: Int, _ l: Int) {
        a = 3 * i; b = 3 * j; c = 3 * k; d = 3 * l
        let xi = SIMD3(x[a], x[a + 1], x[a + 2]), xj = SIMD3(x[b], x[b + 1], x[b + 2])
        let xk = SIMD3(x[c], x[c + 1], x[c + 2]), xl = SIMD3(x[d], x[d + 1], x[d + 2])
        rij = xi - xj; rkj = xk - xj; rkl = xk - xl
        m = cross3(rij, rkj); n = cross3(rkj, rkl)
        let norm = max(((m * m).sum() * (n * n).sum()).squareRoot(), 1e-300)
        cosPhi = (m * n).sum() / norm
        sinPhi = ((rkj * rkj).sum()).squareRoot() * (rij * n).sum() / norm
    }

    var phi: Double { atan2(sinPhi, cosPhi) }

    /// Adds dV/dφ · ∂φ/∂x to the gradient.
    @inline(__always)
    func addGradient(_ g: UnsafeMutablePointer<Double>, dVdPhi: Double) {
        let rkj2 = (rkj * rkj).sum()
        let nrkj = rkj2.squareRoot()
        let fi = (-dVdPhi * nrkj / max((m * m).sum(), 1e-300)) * m
        let fl = (dVdPhi * nrkj / max((n * n).sum(), 1e-300)) * n
        let p = (rij * rkj).sum() / rkj2
        let q = (rkl * rkj).sum() / rkj2
        let s = p * fi - q * fl
        let fj = fi - s
        let fk = fl + s
        // f are forces (−∇V): gradient = −f_i, +f_j, +f_k, −f_l.
        g[a] -= fi.x; g[a + 1] -= fi.y; g[a + 2] -= fi.z
        g[b] += fj.x; g[b + 1] += fj.y; g[b + 2] += fj.z
        g[c] += fk.x; g[c + 1] += fk.y; g[c + 2] += fk.z
        g[d] -= fl.x; g[d + 1] -= fl.y; g[d + 2] -= fl.z
    }
}

@inline(__always)
func cross3(_ u: SIMD3<Double>, _ v: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
}

/// Periodic torsions V = Σ K (1 + cos(nφ − δ)) (CHARMM proper dihedrals, several terms per
/// torsion). cos nφ and sin nφ come from cos φ, sin φ by the angle-addition recurrence, so the
/// loop calls no transcendental function.
struct PeriodicTorsionTerms: Sendable {
    var i: [Int32] = [], j: [Int32] = [], k: [Int32] = [], l: [Int32] = []
    /// Terms of torsion t are termStart[t]..<termStart[t+1].
    var termStart: [Int32] = [0]
    var termK: [Double] = [], termN: [Int32] = [], cosPhase: [Double] = [], sinPhase: [Double] = []

    var torsionCount: Int { i.count }
    var termCount: Int { termK.count }

    mutating func append(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ terms: [DihedralTerm]) {
        i.append(Int32(a)); j.append(Int32(b)); k.append(Int32(c)); l.append(Int32(d))
        for t in terms {
            termK.append(t.k); termN.append(Int32(t.multiplicity))
            cosPhase.append(cos(t.phase)); sinPhase.append(sin(t.phase))
        }
        termStart.append(Int32(termK.count))
    }

    func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) -> Double {
        var energy = 0.0
        i.withUnsafeBufferPointer { I in j.withUnsafeBufferPointer { J in k.withUnsafeBufferPointer { K in
        l.withUnsafeBufferPointer { L in termStart.withUnsafeBufferPointer { S in
        termK.withUnsafeBufferPointer { TK in termN.withUnsafeBufferPointer { TN in
        cosPhase.withUnsafeBufferPointer { CP in sinPhase.withUnsafeBufferPointer { SP in
            for t in 0..<I.count {
                let geo = TorsionGeometry(x, Int(I[t]), Int(J[t]), Int(K[t]), Int(L[t]))
                var dVdPhi = 0.0
                for term in Int(S[t])..<Int(S[t + 1]) {
                    // cos nφ, sin nφ by recurrence from cos φ, sin φ.
                    var cn = 1.0, sn = 0.0
                    for _ in 0..<Int(TN[term]) {
                        (cn, sn) = (cn * geo.cosPhi - sn * geo.sinPhi, sn * geo.cosPhi + cn * geo.sinPhi)
                    }
                    let cosArg = cn * CP[term] + sn * SP[term]
                    let sinArg = sn * CP[term] - cn * SP[term]
                    energy += TK[term] * (1 + cosArg)
                    dVdPhi -= TK[term] * Double(TN[term]) * sinArg
                }
                geo.addGradient(g, dVdPhi: dVdPhi)
            }
        }}}}}}}}}
        return energy
    }
}

/// Harmonic impropers V = K (ψ − ψ0)², with ψ − ψ0 wrapped into (−π, π].
struct HarmonicTorsionTerms: Sendable {
    var i: [Int32] = [], j: [Int32] = [], k: [Int32] = [], l: [Int32] = [], force: [Double] = [], psi0: [Double] = []

    mutating func append(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ kPsi: Double, _ p0: Double) {
        i.append(Int32(a)); j.append(Int32(b)); k.append(Int32(c)); l.append(Int32(d))
        force.append(kPsi); psi0.append(p0)
    }

    func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) -> Double {
        var energy = 0.0
        for t in 0..<i.count {
            let geo = TorsionGeometry(x, Int(i[t]), Int(j[t]), Int(k[t]), Int(l[t]))
            var d = geo.phi - psi0[t]
            if d > .pi { d -= 2 * .pi } else if d <= -.pi { d += 2 * .pi }
            energy += force[t] * d * d
            geo.addGradient(g, dVdPhi: 2 * force[t] * d)
        }
        return energy
    }
}
