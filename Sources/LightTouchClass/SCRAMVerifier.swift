import Foundation
import LightTouchCore

/// A SCRAM-SHA-256 password verifier as PostgreSQL stores it
/// (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, RFC 5802 §3
/// and RFC 7677; PostgreSQL's `pg_authid.rolpassword`). Sending the verifier
/// instead of the password, as psql's `\password` does, keeps the password
/// out of the server's statement log.
enum SCRAMVerifier {
    static let iterations = 4096

    static func make(password: String, salt: [UInt8]) -> String {
        let salted = pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
        let clientKey = hmac(key: salted, message: Array("Client Key".utf8))
        let storedKey = SHA256.hash(clientKey)
        let serverKey = hmac(key: salted, message: Array("Server Key".utf8))
        return "SCRAM-SHA-256$\(iterations):\(Data(salt).base64EncodedString())$"
            + "\(Data(storedKey).base64EncodedString()):\(Data(serverKey).base64EncodedString())"
    }

    static func make(password: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(password: password, salt: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// HMAC-SHA-256 (RFC 2104).
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var key = key.count > 64 ? SHA256.hash(key) : key
        key += [UInt8](repeating: 0, count: 64 - key.count)
        let inner = SHA256.hash(key.map { $0 ^ 0x36 } + message)
        return SHA256.hash(key.map { $0 ^ 0x5c } + inner)
    }

    /// PBKDF2 with HMAC-SHA-256, one 32-byte block (RFC 8018 §5.2).
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var u = hmac(key: password, message: salt + [0, 0, 0, 1])
        var result = u
        for _ in 1..<iterations {
            u = hmac(key: password, message: u)
            for i in 0..<32 { result[i] ^= u[i] }
        }
        return result
    }
}
