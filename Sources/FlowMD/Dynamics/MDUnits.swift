/// Units of molecular dynamics in flow: length Å, time ps, mass amu, energy kcal/mol, charge e,
/// temperature K.
///
/// These are not a consistent unit system: with Å, amu and kcal/mol the natural time unit is the
/// AKMA unit sqrt(amu·Å²/(kcal/mol)) = 48.888 fs (CHARMM's internal time). Newton's law in the
/// chosen units reads a [Å/ps²] = 418.4 · F [kcal/mol/Å] / m [amu], because
/// 1 kcal/mol/(amu·Å) = 4184 J/mol / (10⁻³ kg/mol · 10⁻¹⁰ m) = 4.184·10¹⁶ m/s² = 418.4 Å/ps².
/// Likewise the kinetic energy is ½ m v² / 418.4 kcal/mol with v in Å/ps. Integrators apply this
/// factor once, so users give time steps and frictions in ps and 1/ps.
public enum MDUnits {
    /// Boltzmann constant in kcal/(mol·K) (CODATA; CHARMM's KBOLTZ).
    public static let boltzmann = 0.0019872041
    /// Converts force/mass in (kcal/mol/Å)/amu to acceleration in Å/ps².
    public static let accelerationFactor = 418.4
    /// The AKMA time unit in ps (≈ 0.048888 ps).
    public static let akmaTime = 1 / accelerationFactor.squareRoot()

    /// Per-coordinate masses (x, y, z of each atom) from per-atom masses.
    public static func coordinateMasses(_ atomMasses: [Double]) -> [Double] {
        atomMasses.flatMap { [$0, $0, $0] }
    }

    /// Kinetic energy ½ Σ m v² in kcal/mol, with per-coordinate masses and velocities in Å/ps.
    public static func kineticEnergy(masses: [Double], velocities: [Double]) -> Double {
        var sum = 0.0
        for n in 0..<masses.count { sum += masses[n] * velocities[n] * velocities[n] }
        return 0.5 * sum / accelerationFactor
    }

    /// Kinetic temperature 2 K / (f k_B) for f degrees of freedom.
    public static func temperature(kineticEnergy: Double, degreesOfFreedom: Int) -> Double {
        2 * kineticEnergy / (Double(degreesOfFreedom) * boltzmann)
    }
}
