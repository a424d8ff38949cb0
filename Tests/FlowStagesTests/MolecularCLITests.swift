import XCTest
import FlowHDF5
import FlowMD

/// `flow energy`, `flow export` and the molecular workflows as a user runs them: through the
/// `flow` binary.
final class MolecularCLITests: XCTestCase {
    var cli: FlowCLI!

    override func setUp() { cli = FlowCLI() }
    override func tearDown() { cli.remove() }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// OpenMM 8.6.1 energies of the reference PSF/PDB (shared data README), kcal/mol.
    func testEnergyOfTheReferenceDecaAlanineMatchesTheReadme() throws {
        let dir = try sharedDecaAlanineDirectory()
        let args = ["energy", "--psf", dir + "/da.psf", "--prm", dir + "/par_all27_prot_lipid_cmap_decaalanine_subset.prm", "--pdb", dir + "/smd_ini.pdb"]
        let result = try cli.run(args + ["--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let energy = try XCTUnwrap(try json(result.stdout)["energy"] as? [String: Double])
        let readme: [String: Double] = ["bond": 38.4958, "angle": 52.4927, "urey_bradley": 5.31371, "dihedral": 25.4984,
                                        "improper": 2.50147, "cmap": 0, "lennard_jones": -14.7933, "lennard_jones_14": 11.8757,
                                        "coulomb": 77.7884, "coulomb_14": 804.077, "total": 187.297]
        for (name, expected) in readme {
            let got = try XCTUnwrap(energy[name], name)
            XCTAssertEqual(got, expected, accuracy: max(1e-4, 1e-5 * abs(expected)), name)
        }
        let table = try cli.run(args)
        XCTAssertTrue(table.stdout.contains("total                      187.297291"), table.stdout)
        XCTAssertTrue(table.stdout.contains("dihedral                    25.498444        260"), table.stdout)
    }

    /// The built molecules: the CLI prints what the force field computes, and the forces it
    /// writes are −∇V (checked against central finite differences of the printed total).
    func testEnergyAndForcesOfTheBuiltMolecules() throws {
        for (name, system) in [("deca-alanine", try BuiltInMolecules.decaAlanine()), ("butane", try BuiltInMolecules.butane())] {
            let result = try cli.run(["energy", "--molecule", name, "--json", "--forces", cli.workspace + "/\(name).h5"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let energy = try XCTUnwrap(try json(result.stdout)["energy"] as? [String: Double])
            let forceField = try system.forceField()
            for (term, value) in forceField.energyTerms(system.positions).named {
                XCTAssertEqual(energy[term] ?? .nan, value, accuracy: 1e-9 * max(1, abs(value)), "\(name) \(term)")
            }
            let f = try HDF5File.open(cli.workspace + "/\(name).h5")
            defer { try? f.close() }
            let (forces, shape) = try f.root.read("forces", as: Double.self)
            XCTAssertEqual(shape, [system.topology.atoms.count, 3])
            for i in Swift.stride(from: 0, to: forces.count, by: 7) {
                var plus = system.positions, minus = system.positions
                plus[i] += 1e-5
                minus[i] -= 1e-5
                let derivative = (forceField.energy(plus) - forceField.energy(minus)) / 2e-5
                XCTAssertEqual(forces[i], -derivative, accuracy: 1e-4 * max(1, abs(derivative)), "\(name) coordinate \(i)")
            }
        }
        let text = try cli.run(["energy", "--molecule", "butane", "--dihedral", "60", "--cutoff", "8", "--forces", cli.workspace + "/f.txt"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("cutoff 8.0 Å, LJ switched from 6.0 Å"), text.stdout)
        let lines = try String(contentsOfFile: cli.workspace + "/f.txt", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2 + 14)
        XCTAssertTrue(lines[2].hasPrefix("0 BUT 1 BUTA C1 "), String(lines[2]))
    }

    func testEnergyUsageErrorsAreOneLineWithExitCode2() throws {
        for (args, expected) in [
            (["energy"], "give --psf FILE --prm FILE"),
            (["energy", "--molecule", "decaalanine"], "unknown molecule 'decaalanine' (did you mean 'deca-alanine'?)"),
            (["energy", "--molecule", "butane", "--psf", "x.psf"], "give either --molecule or --psf/--prm/--pdb"),
            (["energy", "--molecule", "butane", "--cutoff", "far"], "cutoff 'far' is neither 'none' nor a distance in Å"),
            (["energy", "--psf", "no.psf", "--prm", "no.prm", "--pdb", "no.pdb"], "no.psf: cannot read file"),
        ] {
            let r = try cli.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(expected), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
    }

    func runSmoke(_ workflow: String) throws -> FlowCLI.Result {
        try cli.run(["run", packageRoot + "/workflows/\(workflow).yaml", "--profile", "smoke"])
    }

    func testDecaAlanineSmokeProfileRunsEndToEndAndExports() throws {
        let run = try runSmoke("deca-alanine")
        XCTAssertEqual(run.status, 0, run.stderr)
        let results = cli.workspace + "/results/deca-alanine/"
        for file in ["smd.h5", "smd.dcd", "smd.psf", "report.md", "distance.png", "work.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: results + file), file)
        }
        let f = try HDF5File.open(results + "smd.h5")
        let x = try f.root.read("x", as: Double.self)
        try f.close()
        XCTAssertEqual(x.shape, [2 * 20, 312])
        let dcd = try DCDReader.read(path: results + "smd.dcd")
        XCTAssertEqual(dcd.atomCount, 104)
        XCTAssertEqual(dcd.frames.count, 40)
        XCTAssertEqual(dcd.timeStep, 0.002, accuracy: 1e-6)
        XCTAssertEqual(dcd.stepsPerFrame, 100)
        for (a, b) in zip(dcd.frames[39], x.values.suffix(312)) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b))) }
        XCTAssertEqual(try PSFReader.read(path: results + "smd.psf"), try BuiltInMolecules.decaAlanine().topology)

        let pdb = try cli.run(["export", results + "smd.h5", "--format", "pdb", "--replica", "1", "--frames", "-2:", "-o", cli.workspace + "/last.pdb"])
        XCTAssertEqual(pdb.status, 0, pdb.stderr)
        let structure = try PDBFile.read(path: cli.workspace + "/last.pdb")
        XCTAssertEqual(structure.frames.count, 2)
        XCTAssertEqual(structure.records.count, 104)
        for (a, b) in zip(structure.frames[1], x.values.suffix(312)) { XCTAssertEqual(a, b, accuracy: 1e-3) }
        let dcdPair = try cli.run(["export", results + "smd.h5", "--format", "dcd", "--frames", "::10", "-o", cli.workspace + "/few.dcd"])
        XCTAssertEqual(dcdPair.status, 0, dcdPair.stderr)
        XCTAssertEqual(try DCDReader.read(path: cli.workspace + "/few.dcd").frames.count, 4)
        XCTAssertEqual(try PSFReader.read(path: cli.workspace + "/few.psf").atoms.count, 104)
        let xyz = try cli.run(["export", results + "smd.h5", "--format", "xyz", "--frames", "3", "--topology", cli.workspace + "/few.psf", "-o", cli.workspace + "/one.xyz"])
        XCTAssertEqual(xyz.status, 0, xyz.stderr)
        XCTAssertEqual(try XYZFile.read(path: cli.workspace + "/one.xyz").frames.count, 1)

        // Same key, same bits: `cgan` rerun in new processes, each with its own hashing seed (so
        // its own dictionary order), generates the same path.
        func path() throws -> [Double] {
            let f = try HDF5File.open(results + "cgan.h5")
            defer { try? f.close() }
            return try f.root.read("path", as: Double.self).values
        }
        let first = try path()
        for _ in 0..<2 {
            let again = try cli.run(["run", packageRoot + "/workflows/deca-alanine.yaml", "--profile", "smoke", "--only", "cgan", "--force", "cgan"])
            XCTAssertEqual(again.status, 0, again.stderr)
            XCTAssertEqual(try path(), first, "cgan's path changed on a rerun")
        }
    }

    /// The alanine-dipeptide DAG: metadynamics on the named CVs (phi, psi) → backbone features by
    /// atom index and aligned coordinates → mass-weighted eigenfunctions and effective dynamics.
    /// The features' quadruples are the named φ and ψ: the same values as the effective
    /// dynamics' /cv for every frame.
    func testAlanineDipeptideSmokeProfileRunsEndToEnd() throws {
        let run = try runSmoke("alanine-dipeptide")
        XCTAssertEqual(run.status, 0, run.stderr)
        let results = cli.workspace + "/results/alanine-dipeptide/"
        for file in ["report.md", "samples-weights.png", "free-energy.png", "phi1.png", "phi2.png", "eigenvalues.png", "loss.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: results + file), file)
        }
        func read(_ stage: String, _ dataset: String) throws -> (values: [Double], shape: [Int]) {
            let f = try HDF5File.open(results + stage + ".h5")
            defer { try? f.close() }
            let d = try f.root.read(dataset, as: Double.self)
            return (d.values, d.shape)
        }
        let backbone = try read("backbone", "x"), cv = try read("ed", "cv")
        XCTAssertEqual(backbone.shape, [2 * 200, 2])
        XCTAssertEqual(cv.shape, backbone.shape)
        for (a, b) in zip(backbone.values, cv.values) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertEqual(try read("aligned", "x").shape, [400, 66])
        let lambda = try read("eigenfunctions", "eigenvalues_final").values
        XCTAssertEqual(lambda.count, 2)
        XCTAssertTrue(lambda.allSatisfy { $0 > 0 && $0.isFinite }, "\(lambda)")
        let report = try String(contentsOfFile: results + "report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("| λ1 | 0.047 |"), report)
    }

    func testExportErrorsSayWhatIsMissing() throws {
        let bare = cli.workspace + "/bare.h5"
        let f = try HDF5File.create(bare)
        try f.root.write("x", [Double](repeating: 0, count: 6), shape: [1, 6])
        try f.close()
        let empty = cli.workspace + "/empty.h5"
        try HDF5File.create(empty).close()
        for (args, expected) in [
            (["export", empty, "--format", "dcd"], "has no /x dataset of coordinates"),
            (["export", bare, "--format", "dcd"], "has no /topology group; give the molecule with --topology FILE.psf (or .pdb)"),
            (["export", bare, "--format", "mol2"], "unknown format 'mol2'; use pdb, dcd or xyz"),
            (["export", cli.workspace + "/none.h5", "--format", "pdb"], "none.h5: no such file"),
            (["export", bare, "--format", "pdb", "--replica", "0"], "has no /topology group"),
        ] {
            let r = try cli.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(expected), "\(args): \(r.stderr)")
        }
    }

    /// The whole butane DAG (metadynamics → aligned carbons → TMDmap → diffusion net → ψ →
    /// learned CVs → effective dynamics; brute-force Brownian rates) at smoke size. The
    /// dihedral's mass-weighted M = (418.4/γ)⟨∇φ m⁻¹∇φᵀ⟩ depends on the geometry alone, so even
    /// short windows put M·γ/418.4 in the published range [0.17, 0.41] rad²/(amu·Å²) (Sule,
    /// Mehta & Cameron, arXiv 2506.01222), lowest at anti: 4/(m_C b² sin²θ) ≈ 0.166 for ideal
    /// geometry (b = 1.53 Å, θ = 112°).
    func testButaneSmokeProfileRunsEndToEnd() throws {
        let run = try runSmoke("butane")
        XCTAssertEqual(run.status, 0, run.stderr)
        let results = cli.workspace + "/results/butane/"
        for file in ["report.md", "dihedral-langevin.png", "dihedral-free-energy.png", "free-energy-dihedral.png", "diffusion-dihedral.png",
                     "learned-cvs-dihedral.png", "langevin-distribution.h5", "rates.h5", "ed_learned.h5"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: results + file), file)
        }
        let f = try HDF5File.open(results + "langevin-distribution.h5")
        defer { try? f.close() }
        let density = try f.root.read("density", as: Double.self).values, centers = try f.root.read("centers", as: Double.self).values
        XCTAssertEqual(density.count, 72)
        XCTAssertEqual(density.reduce(0, +) * 5, 1, accuracy: 1e-9, "normalized over 5° bins")
        let anti = zip(centers, density).filter { abs($0.0) > 150 }.reduce(0) { $0 + $1.1 } * 5
        XCTAssertGreaterThan(anti, 0.3, "a short run from the anti structure stays mostly anti")
        let rates = try HDF5File.open(results + "rates.h5")
        defer { try? rates.close() }
        XCTAssertEqual(try rates.root.dataset("states").readStrings(), ["anti", "gauche"], "the two gauche ranges are one state")
        let ed = try HDF5File.open(results + "ed_dihedral.h5")
        defer { try? ed.close() }
        let m = try ed.root.read("diffusion", as: Double.self).values.map { $0 / MDUnits.accelerationFactor }
        let phi = try ed.root.read("grid/axis0", as: Double.self).values
        let measured = zip(phi, m).filter { $0.1.isFinite }
        XCTAssertGreaterThan(measured.count, 4)
        for (angle, value) in measured {
            XCTAssertTrue(value > 0.15 && value < 0.43, "M·γ/418.4 = \(value) at φ = \(angle)")
        }
        let nearAnti = measured.filter { abs(abs($0.0) - .pi) < 0.2 }.map(\.1)
        XCTAssertFalse(nearAnti.isEmpty)
        for value in nearAnti { XCTAssertEqual(value, 0.17, accuracy: 0.015, "anti") }
    }

    /// Kill -9 during production, rerun: the stage resumes from its checkpoint and its output is
    /// bit-identical to an uninterrupted run.
    func testKilledMolecularRunResumesBitIdentically() throws {
        let workflow = """
        name: resume
        seed: 9
        systems:
          butane: {kind: charmm, params: {molecule: butane, constraints: h-bonds}}
        stages:
          md:
            kind: simulate
            system: butane
            params:
              integrator: langevin-baoab
              dt: 0.002
              steps: 400000
              stride: 1000
              replicas: 2
              equilibration_steps: 2000
              bias:
                steered: {atoms: [0, 10], k: 5.0, from: 3.9, to: 4.2}
                metadynamics: {cvs: [{dihedral: [0, 4, 7, 10]}], height: 0.1, sigma: [0.3], pace: 500, bias_factor: 5,
                               lower: [-3.141592653589793], upper: [3.141592653589793], bins: [61]}
        """
        try killAndResume(workflow, stage: "md") { a, b in
            for name in ["x", "work", "bias", "weights", "hills", "bias_grid/values"] {
                XCTAssertEqual(try a.root.read(name, as: Double.self).values, try b.root.read(name, as: Double.self).values, name)
            }
        }
    }

    /// Kill -9 during molecular brute-force rates (Brownian butane at 600 K, so that 2 ps hold
    /// several anti ⇄ gauche switches), rerun: the walkers and their last-visit trackers resume
    /// from the checkpoint, and the rates, counts and residence times are bit-identical to an
    /// uninterrupted run.
    func testKilledMolecularRatesResumeBitIdentically() throws {
        let workflow = """
        name: resume
        seed: 4
        systems:
          butane: {kind: charmm, temperature: 600, params: {molecule: butane, constraints: h-bonds}}
        stages:
          rates:
            kind: transition-rates
            system: butane
            params:
              integrator: brownian
              dt: 5.0e-6
              friction: 1.0
              walkers: 2
              steps: 400000
              interval: 50
              minimization: {tolerance: 0.01, max_steps: 500}
              states:
                - {name: anti, cvs: [{dihedral: [0, 4, 7, 10]}], lower: [2.6], upper: [3.7]}
                - {name: gauche, cvs: [{dihedral: [0, 4, 7, 10]}], lower: [0.6], upper: [1.5]}
                - {name: gauche, cvs: [{dihedral: [0, 4, 7, 10]}], lower: [-1.5], upper: [-0.6]}
        """
        try killAndResume(workflow, stage: "rates") { a, b in
            for name in ["rates/rate", "rates/ci_low", "rates/ci_high", "rates/time", "residence_time", "total_time"] {
                XCTAssertEqual(try a.root.read(name, as: Double.self).values, try b.root.read(name, as: Double.self).values, name)
            }
            for name in ["rates/events", "counts"] {
                XCTAssertEqual(try a.root.read(name, as: Int64.self).values, try b.root.read(name, as: Int64.self).values, name)
            }
            let switches = try b.root.read("counts", as: Int64.self).values
            XCTAssertGreaterThan(switches.reduce(0, +), 0, "the walkers changed state: the trackers' checkpoint is exercised")
        }
    }

    /// Runs `workflow` (named "resume") uninterrupted in a second workspace, and in this one kills
    /// the run with SIGKILL once `stage` has written a checkpoint, then reruns it; `compare` gets
    /// the outputs of `stage`, resumed and uninterrupted (not called when no checkpoint appeared).
    func killAndResume(_ workflow: String, stage: String, compare: (HDF5File, HDF5File) throws -> Void) throws {
        let reference = FlowCLI()
        defer { reference.remove() }
        reference.write("resume.yaml", workflow)
        let uninterrupted = try reference.run(["run", "resume.yaml"])
        XCTAssertEqual(uninterrupted.status, 0, uninterrupted.stderr)
        cli.write("resume.yaml", workflow)
        let (p, _, _) = try cli.start(["run", "resume.yaml"], environment: ["FLOW_CHECKPOINT_INTERVAL": "0.3"])
        guard cli.waitFor("a checkpoint", { cli.files(under: ".flow/checkpoints").contains { $0.hasSuffix("checkpoint.h5") } }) else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let path = "/results/resume/\(stage).h5"
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.workspace + path), "killed before the end")
        let resumed = try cli.run(["run", "resume.yaml"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let a = try HDF5File.open(cli.workspace + path), b = try HDF5File.open(reference.workspace + path)
        defer { try? a.close(); try? b.close() }
        try compare(a, b)
    }
}
