import CCrypto
import Foundation

/// Incremental SHA-256 over OpenSSL's EVP interface (libcrypto builds in seconds, unlike
/// swift-crypto). Used for cache keys, output content digests and input file digests.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        guard let ctx = EVP_MD_CTX_new() else { fatalError("OpenSSL: EVP_MD_CTX_new failed (out of memory)") }
        context = ctx
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > 0 { EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) }
    }

    public func update(_ string: String) {
        var s = string
        s.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    public func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// Lower-case hexadecimal digest; the hasher cannot be used afterwards.
    public func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    public static func hex(_ string: String) -> String {
        let h = SHA256Hasher()
        h.update(string)
        return h.finalizeHex()
    }

    /// Digest of a file's bytes, read in 4 MiB blocks.
    public static func hex(fileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FlowError.io("cannot read '\(path)': file not found or not readable")
        }
        defer { try? handle.close() }
        let h = SHA256Hasher()
        while true {
            let chunk = handle.readData(ofLength: 4 << 20)
            if chunk.isEmpty { break }
            h.update(chunk)
        }
        return h.finalizeHex()
    }
}
