"""Independent energies of flow's built molecules, for BuiltMoleculeEnergyTests.

How the numbers in BuiltMoleculeEnergyTests.swift were obtained (OpenMM is NOT a dependency of
flow; this script only documents the cross-check):

    python3 -m venv /work/venv-openmm && /work/venv-openmm/bin/pip install openmm
    FLOW_REFERENCE_EXPORT=/tmp/flow-ref swift test -c release -Xswiftc -enable-testing \
        --skip-build --filter BuiltMoleculeEnergyTests      # writes the PSF/PDB files flow built
    /work/venv-openmm/bin/python Tests/FlowMDTests/Reference/openmm_reference.py /tmp/flow-ref Data/charmm \
        [par_all27_prot_lipid_cmap.prm]

With the third argument (the full CHARMM22/27 file, e.g. from johncava/Molecular_Dyanmics_cGAN,
cGAN_Code/All_ML_Training_Data/210905_SMD_decaalanine/charmm/), the alanine dipeptide is also
evaluated with the original file, to show that flow's tables give it the same terms (no wildcard
standing in for a specific CHARMM line), without and with the CMAP correction.

OpenMM 8.6.1, CharmmPsfFile.createSystem, Reference platform, NoCutoff, no constraints. Each force
goes to its own group; Lennard-Jones and Coulomb are separated by zeroing charges or epsilons,
and 1-4 parts by keeping only the NonbondedForce exceptions.
"""
import sys

import openmm as mm
import openmm.app as app
import openmm.unit as u

KCAL = u.kilocalories_per_mole


def energies(psf_path, pdb_path, *prm_paths):
    psf = app.CharmmPsfFile(psf_path)
    pdb = app.PDBFile(pdb_path)
    params = app.CharmmParameterSet(*prm_paths, permissive=True)
    system = psf.createSystem(params, nonbondedMethod=app.NoCutoff, constraints=None)
    names = {}
    for n, force in enumerate(system.getForces()):
        force.setForceGroup(n)
        names[n] = force
    context = mm.Context(system, mm.VerletIntegrator(0.001), mm.Platform.getPlatformByName("Reference"))
    context.setPositions(pdb.positions)

    def group(n):
        return context.getState(getEnergy=True, groups={n}).getPotentialEnergy().value_in_unit(KCAL)

    result = {"bond": 0.0, "urey_bradley": 0.0, "angle": 0.0, "dihedral": 0.0, "improper": 0.0, "cmap": 0.0}
    nonbonded = None
    for n, force in names.items():
        kind = type(force).__name__
        if kind == "HarmonicBondForce":
            # psf.createSystem adds bonds first, then Urey-Bradley as a second HarmonicBondForce.
            key = "bond" if result["bond"] == 0.0 and not any(
                type(f).__name__ == "HarmonicBondForce" and m < n for m, f in names.items()) else "urey_bradley"
            result[key] += group(n)
        elif kind == "HarmonicAngleForce":
            result["angle"] += group(n)
        elif kind == "PeriodicTorsionForce":
            result["dihedral"] += group(n)
        elif kind == "CustomTorsionForce":
            result["improper"] += group(n)
        elif kind == "CMAPTorsionForce":
            result["cmap"] += group(n)
        elif kind == "NonbondedForce":
            nonbonded = (n, force)
    n, force = nonbonded
    original = [force.getParticleParameters(i) for i in range(force.getNumParticles())]
    exceptions = [force.getExceptionParameters(i) for i in range(force.getNumExceptions())]

    def nb(charges, lj, pairs):
        for i, (q, s, e) in enumerate(original):
            force.setParticleParameters(i, q * (1 if charges and pairs else 0), s, e * (1 if lj and pairs else 0))
        for k, (i, j, qq, s, e) in enumerate(exceptions):
            force.setExceptionParameters(k, i, j, qq * (1 if charges else 0), s, e * (1 if lj else 0))
        force.updateParametersInContext(context)
        return group(n)

    result["lennard_jones"] = nb(False, True, True)
    result["coulomb"] = nb(True, False, True)
    result["lennard_jones_14"] = nb(False, True, False)
    result["coulomb_14"] = nb(True, False, False)
    result["total"] = sum(result[k] for k in ("bond", "urey_bradley", "angle", "dihedral", "improper", "cmap",
                                              "lennard_jones", "coulomb"))
    return result


if __name__ == "__main__":
    exported, data = sys.argv[1], sys.argv[2]
    molecules = (("decaalanine", "par_flow_peptide_c27.prm"), ("butane", "par_flow_alkane_c36.prm"),
                 ("alaninedipeptide", "par_flow_peptide_c27.prm"),
                 ("alaninedipeptide-cmap", ["par_flow_peptide_c27.prm", "par_flow_cmap_c27.prm"]))
    for name, prm in molecules:
        prms = [f"{data}/{p}" for p in ([prm] if isinstance(prm, str) else prm)]
        e = energies(f"{exported}/{name}.psf", f"{exported}/{name}.pdb", *prms)
        print(name)
        for key, value in e.items():
            print(f"  {key:18s} {value:.10g}")
    if len(sys.argv) > 3:
        flow = energies(f"{exported}/alaninedipeptide.psf", f"{exported}/alaninedipeptide.pdb", f"{data}/par_flow_peptide_c27.prm")
        full = energies(f"{exported}/alaninedipeptide.psf", f"{exported}/alaninedipeptide.pdb", sys.argv[3])
        print("alaninedipeptide, full CHARMM22/27 file minus flow's table")
        for key in flow:
            print(f"  {key:18s} {full[key] - flow[key]:.3g}")
        flow = energies(f"{exported}/alaninedipeptide-cmap.psf", f"{exported}/alaninedipeptide-cmap.pdb",
                        f"{data}/par_flow_peptide_c27.prm", f"{data}/par_flow_cmap_c27.prm")
        full = energies(f"{exported}/alaninedipeptide-cmap.psf", f"{exported}/alaninedipeptide-cmap.pdb", sys.argv[3])
        print("alaninedipeptide with CMAP, full CHARMM22/27 file minus flow's tables")
        for key in flow:
            print(f"  {key:18s} {full[key] - flow[key]:.3g}")
