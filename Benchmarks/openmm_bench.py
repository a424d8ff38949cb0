"""OpenMM comparison for flow-md-bench (same molecule and settings), see Benchmarks/README.md.

    OPENMM_CPU_THREADS=1 python openmm_bench.py EXPORT_DIR DATA_DIR [steps]

EXPORT_DIR holds decaalanine.psf/.pdb written by flow (BuiltMoleculeEnergyTests with
FLOW_REFERENCE_EXPORT); DATA_DIR is Data/charmm. CPU platform, vacuum, no cutoff,
LangevinMiddleIntegrator 300 K, friction 1/ps; 1 fs without constraints and 2 fs with HBonds.
Rates per wall-clock second and per CPU second of the process (all threads).
"""
import os
import sys
import time

import openmm as mm
import openmm.app as app
import openmm.unit as u

export, data = sys.argv[1], sys.argv[2]
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
psf = app.CharmmPsfFile(f"{export}/decaalanine.psf")
pdb = app.PDBFile(f"{export}/decaalanine.pdb")
params = app.CharmmParameterSet(f"{data}/par_flow_peptide_c27.prm")
threads = os.environ.get("OPENMM_CPU_THREADS", "1")
print(f"OpenMM {mm.__version__} CPU platform, {threads} thread(s), {steps} steps")
for dt, constraints, label in ((1.0, None, "1 fs, no constraints    "), (2.0, app.HBonds, "2 fs, H-bond constraints")):
    system = psf.createSystem(params, nonbondedMethod=app.NoCutoff, constraints=constraints)
    integrator = mm.LangevinMiddleIntegrator(300 * u.kelvin, 1 / u.picosecond, dt * u.femtoseconds)
    platform = mm.Platform.getPlatformByName("CPU")
    simulation = app.Simulation(psf.topology, system, integrator, platform, {"Threads": threads})
    simulation.context.setPositions(pdb.positions)
    simulation.minimizeEnergy(maxIterations=500)
    simulation.context.setVelocitiesToTemperature(300 * u.kelvin, 1)
    simulation.step(1000)
    start, cpu = time.perf_counter(), time.process_time()
    simulation.step(steps)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label}  {steps / elapsed:6.0f} steps/s wall, {steps / cpu:6.0f} steps/CPU-s")
