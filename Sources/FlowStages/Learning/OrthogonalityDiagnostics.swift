import FlowLinalg

/// How well Jacobians J_b (d × D, blocks of d rows) meet the two goals of orthogonal CVs, sample
/// by sample: the orthogonality cosine ‖J v‖ / (‖J‖_F ‖v‖) to the normal v, and ‖J Jᵀ − I‖_F.
enum OrthogonalityDiagnostics {
    static func evaluate(jacobians j: Matrix, outputs d: Int, normals v: Matrix) -> (cosine: [Double], deviation: [Double]) {
        let dim = v.cols
        var cosine: [Double] = [], deviation: [Double] = []
        for b in 0..<v.rows {
            var jv2 = 0.0, j2 = 0.0, v2 = 0.0, frob = 0.0
            for k in 0..<dim { v2 += v[b, k] * v[b, k] }
            for p in 0..<d {
                var jv = 0.0
                for k in 0..<dim {
                    jv += j[b * d + p, k] * v[b, k]
                    j2 += j[b * d + p, k] * j[b * d + p, k]
                }
                jv2 += jv * jv
                for q in 0..<d {
                    var g = 0.0
                    for k in 0..<dim { g += j[b * d + p, k] * j[b * d + q, k] }
                    g -= p == q ? 1 : 0
                    frob += g * g
                }
            }
            cosine.append(j2 > 0 && v2 > 0 ? (jv2 / (j2 * v2)).squareRoot() : .nan)
            deviation.append(frob.squareRoot())
        }
        return (cosine, deviation)
    }
}
