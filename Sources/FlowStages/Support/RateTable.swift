import Foundation
import FlowCore
import FlowHDF5

/// A published row of a rates table (numbers from a paper, shown with their ratios).
struct PublishedRates: Decodable {
    var label: String
    var kAB: Double?
    var nuAB: Double?
    var rhoA: Double?
    var lambda1: Double?

    enum CodingKeys: String, CodingKey {
        case label
        case kAB = "k_ab", nuAB = "nu_ab", rhoA = "rho_a", lambda1
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        label = try p(.label, default: "published", help: "row label, with the source")
        kAB = try p.optional(.kAB, unit: "1/time", in: .positive, help: "k_AB = 1/MFPT(A → B)")
        nuAB = try p.optional(.nuAB, unit: "1/time", in: .positive, help: "ν_AB, the reactive flux")
        rhoA = try p.optional(.rhoA, in: .closed(0, 1), help: "ρ_A, the probability of having last visited A")
        lambda1 = try p.optional(.lambda1, unit: "1/time", in: .positive, help: "λ₁ of −L")
    }
}

/// The `rates` table of a report: rows from several stages' `/rates` (the row layout shared by
/// `transition-rates` and `effective-dynamics`) and published numbers, with ratios to a reference.
struct RateTable {
    let spec: TableSpec

    struct Row {
        var label: String
        var k: Double?
        var low: Double?
        var high: Double?
        var nu: Double?
        var rho: Double?
        var lambda1: Double?
    }

    func row(_ context: StageContext, input: String, label: String) throws -> Row {
        guard context.hasInput(input) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "rates table: no input '\(input)'; inputs: \(context.inputNames.joined(separator: ", "))")
        }
        let f = try context.input(input)
        defer { try? f.close() }
        let rates = TransitionRatesStage.Output.self
        // An effective-dynamics output without states has eigenvalues but no rates: its row shows
        // λ₁ and says so, rather than failing the report.
        let lambda = f.root.contains("eigenvalues") ? try f.root.read("eigenvalues", as: Double.self).values.first : nil
        guard f.root.contains(rates.rate) else { return Row(label: label + " (no states: no rates)", lambda1: lambda) }
        let from = try f.root.readStrings(rates.from.name), to = try f.root.readStrings(rates.to.name)
        let quantity = try f.root.readStrings(rates.quantity.name), value = try f.root.readVector(rates.rate)
        let low = try f.root.readVector(rates.low), high = try f.root.readVector(rates.high)
        func index(_ q: String, _ a: String, _ b: String) -> Int? {
            value.indices.first { quantity[$0] == q && from[$0] == a && to[$0] == b }
        }
        guard let k = index("k_AB", spec.from, spec.to) else {
            let pairs = Set(value.indices.map { "\(from[$0]) → \(to[$0])" }).sorted()
            throw FlowError.stageFailed(stage: context.stageName, message: "rates table: input '\(input)' has no k_AB for \(spec.from) → \(spec.to); pairs: \(pairs.joined(separator: ", "))")
        }
        return Row(label: label, k: value[k], low: low[k].isFinite ? low[k] : nil, high: high[k].isFinite ? high[k] : nil,
                   nu: index("nu_AB", spec.from, spec.to).map { value[$0] }, rho: index("rho_A", spec.from, spec.to).map { value[$0] },
                   lambda1: lambda)
    }

    func render(_ context: StageContext) throws -> String {
        var rows = try spec.inputs.enumerated().map { i, input in
            try row(context, input: input, label: spec.rowLabels.isEmpty ? input : spec.rowLabels[i])
        }
        let reference = try spec.referenceInput.map { try row(context, input: $0, label: $0) }
        rows += spec.published.map { Row(label: $0.label, k: $0.kAB, nu: $0.nuAB, rho: $0.rhoA, lambda1: $0.lambda1) }
        func f(_ v: Double?) -> String { v.map { String(format: "%.4g", $0) } ?? "–" }
        func ratio(_ v: Double?, _ r: Double?) -> String {
            guard let v, let r, r > 0 else { return "–" }
            return String(format: "%.2f", v / r)
        }
        let against = spec.referenceInput.map { " / \($0)" } ?? ""
        var md = "| \(spec.from) → \(spec.to) | k_AB | interval | ν_AB | ρ_A | λ₁ | k_AB\(against) | ν_AB\(against) |\n"
        md += "|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            let interval = r.low.flatMap { l in r.high.map { "[\(f(l)), \(f($0))]" } } ?? "–"
            md += "| \(r.label) | \(f(r.k)) | \(interval) | \(f(r.nu)) | \(f(r.rho)) | \(f(r.lambda1)) | \(ratio(r.k, reference?.k)) | \(ratio(r.nu, reference?.nu)) |\n"
        }
        return md
    }
}
