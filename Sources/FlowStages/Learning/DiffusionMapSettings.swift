import FlowCore
import FlowAnalysis
import FlowLinalg

/// `epsilon:` of the diffusion-map stage: `auto` or a positive number (k_ε = exp(−d²/(4ερ_iρ_j))).
enum EpsilonSetting: Decodable, Equatable, ParameterTypeDescribing {
    case automatic
    case value(Double)

    static var parameterTypeName: String { "'auto' or a positive number" }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) {
            guard v > 0 && v.isFinite else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "ε must be positive, got \(v)")
            }
            self = .value(v)
        } else if let text = try? c.decode(String.self) {
            guard text == "auto" else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected 'auto' or a positive number, got '\(text)'")
            }
            self = .automatic
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected 'auto' or a positive number")
        }
    }

    var bandwidth: DiffusionMap.Bandwidth {
        switch self {
        case .automatic: return .neighborReach
        case .value(let v): return .fixed(v)
        }
    }
}

/// `solver:` of the diffusion-map stage: the ARPACK settings for the sparse kernel (DESIGN §10).
struct DiffusionMapSolver: Decodable, Equatable {
    var extraPairs: Int
    var ncv: Int
    var tolerance: Double
    var maxRestarts: Int

    enum CodingKeys: String, CodingKey {
        case ncv, tolerance
        case extraPairs = "extra_pairs"
        case maxRestarts = "max_restarts"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        extraPairs = try p(.extraPairs, default: 16, in: .atLeast(0),
                           help: "eigenpairs ARPACK iterates on beyond components + 1 (near-degenerate slow modes converge with ~20 pairs)")
        ncv = try p(.ncv, default: 80, in: .atLeast(3), help: "Krylov subspace size (≈ 80 for ~20 pairs)")
        tolerance = try p(.tolerance, default: 1e-10, in: .positive, help: "relative accuracy of the Ritz values")
        maxRestarts = try p(.maxRestarts, default: 10_000, in: .atLeast(1), help: "ARPACK restart limit")
    }

    var lanczos: LanczosEigensolver.Options {
        LanczosEigensolver.Options(ncv: ncv, tolerance: tolerance, maxIterations: maxRestarts)
    }
}
