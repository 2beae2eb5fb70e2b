import Foundation
import ShiplogCore
import ShiplogCrypto

/// Sign and verify through ShiplogCrypto against `openssl speed` on the same machine, in the same run.
enum CryptoBenchmark {
    static let seconds = 3.0

    struct Rates {
        var sign: Double
        var verify: Double
    }

    /// `openssl speed -seconds N ecdsap256 ed25519`, single-threaded; the sign/s and verify/s columns.
    static func opensslSpeed() throws -> [String: Rates] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["speed", "-seconds", String(Int(seconds)), "ecdsap256", "ed25519"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var rates: [String: Rates] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 4, let sign = Double(fields[fields.count - 2]), let verify = Double(fields[fields.count - 1]) else { continue }
            if line.contains("nistp256") { rates["ecdsa-p256"] = Rates(sign: sign, verify: verify) }
            if line.contains("Ed25519") { rates["ed25519"] = Rates(sign: sign, verify: verify) }
        }
        return rates
    }

    static func shiplogRates(_ algorithm: KeyAlgorithm, message: [UInt8]) throws -> Rates {
        let key = try PrivateKey.generate(algorithm)
        let publicKey = try key.publicKey
        let session = try SigningSession(key)
        let signature = try session.sign(message)
        func rate(_ body: () throws -> Void) rethrows -> Double {
            var count = 0
            let start = DispatchTime.now().uptimeNanoseconds
            let deadline = start + UInt64(seconds * 1e9)
            while DispatchTime.now().uptimeNanoseconds < deadline {
                for _ in 0 ..< 100 { try body() }
                count += 100
            }
            return Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        var valid = true
        let sign = try rate { _ = try session.sign(message) }
        let verify = rate { valid = valid && publicKey.isValidSignature(signature, for: message) }
        guard valid else { throw ProcessTimer.Failure(description: "a signature did not verify during the benchmark") }
        return Rates(sign: sign, verify: verify)
    }

    /// Verifying a DSSE envelope as `attestation verify` does: its PAE built from the payload, the signature checked over it.
    static func dsseVerifyRate(_ algorithm: KeyAlgorithm, statement: [UInt8]) throws -> Double {
        let key = try PrivateKey.generate(algorithm)
        let publicKey = try key.publicKey
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement)
        let envelope = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement, signatures: [.init(signature: try key.sign(pae))])
        var valid = true
        var count = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(seconds * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            for _ in 0 ..< 100 {
                let message = envelope.preAuthenticationEncoding
                valid = valid && envelope.signatures.contains { publicKey.isValidSignature($0.signature, for: message) }
            }
            count += 100
        }
        guard valid else { throw ProcessTimer.Failure(description: "an envelope did not verify during the benchmark") }
        return Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    static func run() throws -> [Finding] {
        let reference = try opensslSpeed()
        // The payload shiplog really signs (openssl speed signs a 20-byte block; hashing ours costs a little more).
        let repository = try Repository(parsing: "registry.example.com/acme/gateway")
        let digest = try Digest(parsing: IngestBenchmark.digest(42))
        let message = SignaturePayload(repository: repository, digest: digest).bytes
        var findings: [Finding] = []
        for algorithm in [KeyAlgorithm.ecdsaP256, .ed25519] {
            guard let openssl = reference[algorithm.rawValue] else {
                throw ProcessTimer.Failure(description: "openssl speed printed no \(algorithm.rawValue) line")
            }
            let ours = try shiplogRates(algorithm, message: message)
            let statement = InTotoStatement.bytes(repository: repository, digest: digest, predicateType: PredicateType.slsaProvenance1,
                                                  predicate: Array(#"{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1"}}"#.utf8))
            let dsse = try dsseVerifyRate(algorithm, statement: statement)
            for (operation, mine, theirs) in [("sign", ours.sign, openssl.sign), ("verify", ours.verify, openssl.verify),
                                              ("DSSE envelope verify", dsse, openssl.verify)] {
                let ratio = mine / theirs
                findings.append(Finding(
                    name: "\(algorithm.rawValue) \(operation), one thread",
                    figure: String(format: "%.0f/s = %.0f%% of openssl speed %.0f/s", mine, ratio * 100, theirs),
                    target: ">= 90%", met: ratio >= 0.90))
            }
        }
        return findings
    }
}
