/// How users write the non-bonded treatment — `cutoff: none` or `cutoff: 12` with `switch: 10`
/// in a `charmm` system, `--cutoff none|R --switch R` on the command line — turned into a
/// `NonbondedMethod`, with one-line errors.
extension NonbondedMethod {
    /// `cutoff` nil means all pairs. The switching distance defaults to cutoff − 2 Å (NAMD's
    /// usual `cutoff 12`, `switchdist 10`).
    public init(cutoff: Double?, switchDistance: Double?) throws {
        guard let cutoff else {
            if switchDistance != nil {
                throw MolecularInputError(source: "non-bonded options", line: nil, "a switching distance needs a cutoff; give cutoff: R (Å) or drop switch")
            }
            self = .noCutoff
            return
        }
        let switchAt = switchDistance ?? max(0, cutoff - 2)
        guard cutoff > 0, switchAt >= 0, switchAt < cutoff else {
            throw MolecularInputError(source: "non-bonded options", line: nil,
                                      "need 0 ≤ switch < cutoff (got switch \(switchAt) Å, cutoff \(cutoff) Å)")
        }
        self = .cutoff(CutoffScheme(cutoff: cutoff, switchDistance: switchAt))
    }

    /// Parses `none` or a radius in Å.
    public init(cutoff text: String, switchDistance: Double?) throws {
        if text.lowercased() == "none" {
            try self.init(cutoff: nil, switchDistance: switchDistance)
        } else if let r = Double(text) {
            try self.init(cutoff: r, switchDistance: switchDistance)
        } else {
            throw MolecularInputError(source: "non-bonded options", line: nil, "cutoff '\(text)' is neither 'none' nor a distance in Å")
        }
    }

    /// "no cutoff" or "cutoff 12 Å, switching from 10 Å".
    public var summary: String {
        switch self {
        case .noCutoff: return "no cutoff (all pairs)"
        case .cutoff(let s): return "cutoff \(s.cutoff) Å, LJ switched from \(s.switchDistance) Å, Coulomb shifted"
        }
    }
}
