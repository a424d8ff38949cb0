import XCTest
import FlowCore
import FlowStages

/// Every mistake in a `charmm` system or a molecular `simulate` block is reported before anything
/// runs, as one line naming the key, with what to write instead.
final class CharmmSystemDecodingTests: XCTestCase {
    var ws: MolecularWorkspace!

    override func setUp() {
        ws = MolecularWorkspace()
        ws.write("mol.psf", "PSF\n")
    }

    override func tearDown() { ws.remove() }

    /// A workflow with `system` as the charmm block and `params` as simulate's params.
    func errors(system: String, params: String = "{steps: 10, stride: 10}") -> [String] {
        ws.write("wf.yaml", """
        name: t
        systems:
          mol: \(system)
        stages:
          sample: {kind: simulate, system: mol, params: \(params)}
        """)
        return ws.diagnostics("wf.yaml")
    }

    func assertError(_ got: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(got.contains { $0.contains(expected) }, "expected «\(expected)» in \(got)", file: file, line: line)
    }

    func testValidSystemsLoad() throws {
        XCTAssertEqual(errors(system: "{kind: charmm, params: {molecule: deca-alanine}}"), [])
        XCTAssertEqual(errors(system: "{kind: charmm, temperature: 350, params: {molecule: butane, builder: {dihedral: 60}, cutoff: 8, switch: 6, constraints: h-bonds}}"), [])
        XCTAssertEqual(errors(system: "{kind: charmm, params: {molecule: deca-alanine}}",
                              params: "{steps: 10, stride: 5, replicas: 2, minimization: {tolerance: 0.5}, equilibration_steps: 3, bias: {steered: {atoms: [BH:1:CA, 97], k: 2, from: 12, to: 14}, tethered: {fixed: 0, pulled: BH:10:NT}}}"), [])
        XCTAssertEqual(errors(system: "{kind: charmm, params: {molecule: alanine-dipeptide, builder: {phi: 60, cmap: true}}}"), [])
    }

    func testSystemMistakes() {
        assertError(errors(system: "{kind: charmm, params: {molecule: deca-alanin}}"), "params.molecule: unknown molecule 'deca-alanin' (did you mean 'deca-alanine'?)")
        assertError(errors(system: "{kind: charmm, params: {}}"), "params.molecule: give molecule: deca-alanine | butane | alanine-dipeptide, or psf:, parameters: [...] and pdb:")
        assertError(errors(system: "{kind: charmm, params: {molecule: butane, psf: mol.psf}}"), "params.psf: give either molecule: or psf/parameters/pdb files, not both")
        assertError(errors(system: "{kind: charmm, params: {psf: missing.psf, parameters: [mol.psf], pdb: mol.psf}}"), "params.psf: file 'missing.psf' not found")
        assertError(errors(system: "{kind: charmm, params: {psf: mol.psf, pdb: mol.psf}}"), "params.molecule: give molecule:")
        assertError(errors(system: "{kind: charmm, params: {molecule: butane, cutoff: far}}"), "params.cutoff: must be none (all pairs) or a cutoff distance in Å, e.g. 12")
        assertError(errors(system: "{kind: charmm, params: {molecule: butane, switch: 10}}"), "params.switch: a switching distance needs a cutoff")
        assertError(errors(system: "{kind: charmm, params: {molecule: butane, cutoff: 8, switch: 9}}"), "params.switch: need 0 ≤ switch < cutoff (8.0 Å)")
        assertError(errors(system: "{kind: charmm, params: {molecule: deca-alanine, builder: {dihedral: 60}}}"), "params.builder: dihedral is butane's C1-C2-C3-C4 torsion")
        assertError(errors(system: "{kind: charmm, params: {molecule: butane, builder: {phi: -60}}}"), "params.builder: phi, psi and cmap apply to peptides")
        assertError(errors(system: "{kind: charmm, params: {molecule: butane, builder: {cmap: true}}}"), "params.builder: phi, psi and cmap apply to peptides")
        assertError(errors(system: "{kind: charmm, params: {molecule: butane, constraints: all-bonds}}"), "params.constraints: unknown value 'all-bonds'")
        assertError(errors(system: "{kind: charmm, temperature: -3, params: {molecule: butane}}"), "temperature: must be > 0.0 (got -3.0)")
        assertError(errors(system: "{kind: charmm, beta: 2, params: {molecule: butane}}"), "beta")
    }

    func testMolecularSimulateMistakes() {
        let deca = "{kind: charmm, params: {molecule: deca-alanine}}"
        assertError(errors(system: deca, params: "{steps: 10, stride: 10, bias: {steered: {atoms: [BH:1:CA], from: 12, to: 34}}}"),
                    "params.bias.steered.atoms: give exactly two atoms")
        assertError(errors(system: deca, params: "{steps: 10, stride: 10, bias: {steered: {atoms: [\"BH::CA\", 3], from: 12, to: 34}}}"),
                    "'BH::CA' is not an atom: give a 0-based index, residue:name (10:CA) or segment:residue:name (BH:10:CA)")
        assertError(errors(system: deca, params: "{steps: 10, stride: 10, bias: {steered: {atoms: [0, 3]}}}"), "params.bias.steered.from: give the centre's start and end distances")
        assertError(errors(system: deca, params: "{steps: 10, stride: 10, bias: {tethered: {fixed: 0}}}"), "params.bias.tethered.pulled: give the fixed and the pulled atom")
        assertError(errors(system: deca, params: "{steps: 10, stride: 10, replicas: 0}"), "params.replicas: must be ≥ 1 (got 0)")
        assertError(errors(system: deca, params: "{steps: 10, stride: 10, integrator: langevin}"), "params.integrator: unknown value 'langevin' (did you mean 'langevin-baoab'?)")
        assertError(errors(system: deca, params: "{steps: 10, stride: 10, minimization: {max_step: 3}}"), "max_step")
    }
}
