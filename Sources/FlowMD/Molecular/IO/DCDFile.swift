import Foundation

/// CHARMM/NAMD binary DCD trajectories, as read by VMD (`dcdplugin`), MDTraj and MDAnalysis.
///
/// Layout (little-endian, Fortran unformatted records, each framed by 4-byte length markers):
/// 1. 84 bytes: `CORD`, then 20 int32 control words — [0] frame count, [1] first step,
///    [2] steps between frames, [3] last step, [8] fixed atoms (0), [9] the time step as float32
///    in AKMA units (48.888 fs), [10] 1 if frames carry a unit cell, [19] CHARMM version (24);
/// 2. title block: int32 line count + 80-byte lines;
/// 3. int32 atom count;
/// 4. per frame: optional 48-byte cell record (6 float64), then X, Y, Z records of float32 (Å).
public final class DCDWriter {
    private let handle: FileHandle
    private let atomCount: Int
    private let firstStep: Int
    private let stepsPerFrame: Int
    public private(set) var frameCount = 0

    /// AKMA time unit in ps: sqrt(amu·Å²/(kcal/mol)) = 1/sqrt(418.4) ps ≈ 48.888 fs.
    public static let akmaTimeUnit = 1 / 418.4.squareRoot()

    /// Starts a file for `atomCount` atoms; `timeStep` in ps, `stepsPerFrame` integration steps
    /// between frames.
    public init(path: String, atomCount: Int, timeStep: Double = 0.001, stepsPerFrame: Int = 1,
                firstStep: Int = 0, title: String = "written by flow") throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else {
            throw MolecularInputError(source: path, line: nil, "cannot create DCD file")
        }
        handle = h
        self.atomCount = atomCount
        self.firstStep = firstStep
        self.stepsPerFrame = stepsPerFrame
        var header = Data()
        header.appendInt32(84)
        header.append(contentsOf: Array("CORD".utf8))
        var control = [Int32](repeating: 0, count: 20)
        control[1] = Int32(firstStep)
        control[2] = Int32(stepsPerFrame)
        control[19] = 24
        for (n, word) in control.enumerated() {
            if n == 9 {
                header.appendFloat32(Float(timeStep / Self.akmaTimeUnit))
            } else {
                header.appendInt32(word)
            }
        }
        header.appendInt32(84)
        let line = Array(title.utf8.prefix(80)) + [UInt8](repeating: 0x20, count: max(0, 80 - title.utf8.count))
        header.appendInt32(84)
        header.appendInt32(1)
        header.append(contentsOf: line)
        header.appendInt32(84)
        header.appendInt32(4)
        header.appendInt32(Int32(atomCount))
        header.appendInt32(4)
        handle.write(header)
    }

    /// Appends one frame (flat x1,y1,z1,… in Å) and updates the frame count in the header.
    public func append(_ x: [Double]) {
        precondition(x.count == 3 * atomCount, "frame size does not match the DCD atom count")
        var record = Data(capacity: 3 * (4 * atomCount + 8))
        for axis in 0..<3 {
            record.appendInt32(Int32(4 * atomCount))
            for n in 0..<atomCount { record.appendFloat32(Float(x[3 * n + axis])) }
            record.appendInt32(Int32(4 * atomCount))
        }
        handle.write(record)
        frameCount += 1
        let end = handle.offsetInFile
        var counts = Data()
        counts.appendInt32(Int32(frameCount))
        handle.seek(toFileOffset: 8)
        handle.write(counts)
        var last = Data()
        last.appendInt32(Int32(firstStep + (frameCount - 1) * stepsPerFrame))
        handle.seek(toFileOffset: 20)
        handle.write(last)
        handle.seek(toFileOffset: end)
    }

    public func close() {
        handle.closeFile()
    }

    /// Writes all frames at once.
    public static func write(frames: [[Double]], atomCount: Int, to path: String, timeStep: Double = 0.001,
                             stepsPerFrame: Int = 1) throws {
        let writer = try DCDWriter(path: path, atomCount: atomCount, timeStep: timeStep, stepsPerFrame: stepsPerFrame)
        for f in frames { writer.append(f) }
        writer.close()
    }
}

/// Reads DCD files written by CHARMM, NAMD, OpenMM, VMD or `DCDWriter` (either byte order;
/// unit-cell records are skipped; fixed-atom and 4D files are rejected with a message).
public enum DCDReader {
    public struct Trajectory: Equatable {
        public var atomCount: Int
        /// Time step in ps (converted from AKMA units).
        public var timeStep: Double
        public var stepsPerFrame: Int
        public var frames: [[Double]]
    }

    public static func read(path: String) throws -> Trajectory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MolecularInputError(source: path, line: nil, "cannot read DCD file")
        }
        return try read(data: data, source: path)
    }

    public static func read(data: Data, source: String = "<dcd>") throws -> Trajectory {
        let bytes = [UInt8](data)
        func fail(_ offset: Int, _ message: String) -> MolecularInputError {
            MolecularInputError(source: source, line: nil, "byte \(offset): \(message)")
        }
        guard bytes.count >= 92 else { throw fail(0, "file too short for a DCD header") }
        let bigEndian = readUInt32(bytes, 0, bigEndian: false) != 84
        func int32(_ at: Int) throws -> Int {
            guard at >= 0, at + 4 <= bytes.count else { throw fail(at, "unexpected end of file") }
            return Int(Int32(bitPattern: readUInt32(bytes, at, bigEndian: bigEndian)))
        }
        guard try int32(0) == 84, bytes[4..<8].elementsEqual("CORD".utf8) else {
            throw fail(0, "not a DCD file (expected an 84-byte CORD header)")
        }
        var control: [Int] = []
        for n in 0..<20 { control.append(try int32(8 + 4 * n)) }
        let charmm = control[19] != 0
        let hasCell = charmm && control[10] != 0
        guard !(charmm && control[11] != 0) else { throw fail(8, "4D DCD files are not supported") }
        guard control[8] == 0 else { throw fail(8, "DCD files with fixed atoms are not supported") }
        let deltaBits = readUInt32(bytes, 8 + 36, bigEndian: bigEndian)
        let delta = charmm ? Double(Float(bitPattern: deltaBits)) : 0
        guard try int32(88) == 84 else { throw fail(88, "header record marker mismatch") }
        var offset = 92
        let titleLength = try int32(offset)
        guard titleLength >= 0 else { throw fail(offset, "title record length \(titleLength) is negative") }
        offset += 4 + titleLength
        guard try int32(offset) == titleLength else { throw fail(offset, "title record marker mismatch") }
        offset += 4
        guard try int32(offset) == 4 else { throw fail(offset, "atom-count record marker mismatch") }
        let atomCount = try int32(offset + 4)
        guard atomCount > 0 else { throw fail(offset + 4, "atom count \(atomCount) is not positive") }
        guard atomCount <= bytes.count / 12 else {
            throw fail(offset + 4, "atom count \(atomCount) needs more bytes per frame than the file's \(bytes.count)")
        }
        offset += 12
        var frames: [[Double]] = []
        while offset < bytes.count {
            if hasCell {
                guard try int32(offset) == 48 else { throw fail(offset, "unit-cell record marker mismatch") }
                offset += 56
            }
            var frame = [Double](repeating: 0, count: 3 * atomCount)
            for axis in 0..<3 {
                guard try int32(offset) == 4 * atomCount else {
                    throw fail(offset, "coordinate record of frame \(frames.count + 1) has a wrong length")
                }
                offset += 4
                guard offset + 4 * atomCount + 4 <= bytes.count else { throw fail(offset, "frame \(frames.count + 1) is truncated") }
                for n in 0..<atomCount {
                    frame[3 * n + axis] = Double(Float(bitPattern: readUInt32(bytes, offset + 4 * n, bigEndian: bigEndian)))
                }
                offset += 4 * atomCount + 4
            }
            frames.append(frame)
        }
        return Trajectory(atomCount: atomCount, timeStep: delta * DCDWriter.akmaTimeUnit,
                          stepsPerFrame: control[2], frames: frames)
    }

    static func readUInt32(_ bytes: [UInt8], _ at: Int, bigEndian: Bool) -> UInt32 {
        let b = bytes[at..<(at + 4)].map(UInt32.init)
        return bigEndian ? (b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) : (b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0])
    }
}

extension Data {
    mutating func appendInt32(_ v: Int32) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendFloat32(_ v: Float) {
        Swift.withUnsafeBytes(of: v.bitPattern.littleEndian) { append(contentsOf: $0) }
    }
}
