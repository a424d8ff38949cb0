"""Butane anti -> gauche brute-force rates with OpenMM: the independent reference for flow's
`transition-rates` on butane and for the published brute force (Sule, Mehta & Cameron, arXiv
2506.01222). Not a flow dependency: run it in a private virtualenv with `pip install openmm numpy`.

Usage:
  openmm_rates.py SYSTEM.xml PDB CARBONS INTEGRATOR DT_FS FRICTION CONSTRAINTS STEPS INTERVAL SEED [OUT.npz]
    CARBONS      the four carbons, 0-based, comma-separated (flow's butane: 0,4,7,10)
    INTEGRATOR   brownian | langevin-middle | langevin
    CONSTRAINTS  none | hbonds (bonds to atoms lighter than 2 amu, at the bond force's length)

States as published: anti |phi - pi| < 0.2, gauche ||phi - pi| - 2pi/3| < 0.1 (phi in [0, 2pi)),
assigned every INTERVAL steps. N_AB counts switches of the last-visited state anti -> gauche;
nu_AB = N_AB / T and k_AB = N_AB / (time with anti last visited), flow's definitions
(TransitionRateEstimate). Single-threaded Reference platform: for 14 atoms it is ~10x faster
per step than the CPU platform.
"""
import sys, time
import numpy as np
import openmm as mm
import openmm.app as app
from openmm import unit as u

(system_xml, pdb_path, carbons, integ, dt_fs, fric, cons, steps, interval, seed) = sys.argv[1:11]
out = sys.argv[11] if len(sys.argv) > 11 else None
carbons = [int(c) for c in carbons.split(',')]
dt_fs, fric, steps, interval, seed = float(dt_fs), float(fric), int(float(steps)), int(interval), int(seed)

system = mm.XmlSerializer.deserialize(open(system_xml).read())
if cons == 'hbonds':
    light = lambda a: system.getParticleMass(a).value_in_unit(u.dalton) < 2
    for force in system.getForces():
        if isinstance(force, mm.HarmonicBondForce):
            for i in range(force.getNumBonds()):
                a, b, length, _ = force.getBondParameters(i)
                if light(a) or light(b):
                    system.addConstraint(a, b, length)
temperature = 300 * u.kelvin
make = {'brownian': mm.BrownianIntegrator, 'langevin-middle': mm.LangevinMiddleIntegrator, 'langevin': mm.LangevinIntegrator}
integrator = make[integ](temperature, fric / u.picosecond, dt_fs * u.femtosecond)
integrator.setRandomNumberSeed(seed)
context = mm.Context(system, integrator, mm.Platform.getPlatformByName('Reference'))
context.setPositions(app.PDBFile(pdb_path).positions)
mm.LocalEnergyMinimizer.minimize(context)
context.setVelocitiesToTemperature(temperature, seed)


def dihedral(x):
    b0, b1, b2 = x[carbons[0]] - x[carbons[1]], x[carbons[2]] - x[carbons[1]], x[carbons[3]] - x[carbons[2]]
    b1 = b1 / np.linalg.norm(b1)
    v, w = b0 - np.dot(b0, b1) * b1, b2 - np.dot(b2, b1) * b1
    return np.arctan2(np.dot(np.cross(b1, v), w), np.dot(v, w))


frames = steps // interval
phi = np.empty(frames)
cpu0 = time.process_time()
for i in range(frames):
    try:
        integrator.step(interval)
    except mm.OpenMMException as error:
        print(f'integration failed after frame {i}: {error}')
        phi = phi[:i]
        break
    phi[i] = dihedral(context.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(u.angstrom))
cpu = time.process_time() - cpu0

ref = np.abs(phi % (2 * np.pi) - np.pi)
label = np.where(ref < 0.2, 0, np.where(np.abs(ref - 2 * np.pi / 3) < 0.1, 1, -1))
last = np.maximum.accumulate(np.where(label >= 0, np.arange(len(label)), -1))
last = np.where(last >= 0, label[np.maximum(last, 0)], -1)
n_ab = int(np.sum((last[1:] == 1) & (last[:-1] == 0)))
n_ba = int(np.sum((last[1:] == 0) & (last[:-1] == 1)))
frame_ps = interval * dt_fs * 1e-3
total, in_a = len(phi) * frame_ps, np.sum(last == 0) * frame_ps
c = np.cos(phi) - np.cos(phi).mean()
acf = [float(np.mean(c[k:] * c[:-k]) / np.mean(c * c)) for k in (1, 10, 100, 1000) if k < len(c)]
print(f'{integ} dt {dt_fs} fs, friction {fric}/ps, constraints {cons}: {len(phi) * interval} steps, T = {total:.1f} ps')
print(f'N_AB {n_ab}, N_BA {n_ba}, nu_AB {n_ab / total:.4g}/ps, k_AB {n_ab / max(in_a, 1e-300):.4g}/ps, '
      f'rho_A {in_a / total:.3f}; autocorrelation of cos(phi) at 1, 10, 100, 1000 frames {np.round(acf, 3).tolist()}; CPU {cpu:.1f} s')
if out:
    np.savez(out, dihedrals=phi, dt_fs=dt_fs, interval=interval)
