import Foundation
import ShiplogApp
import ShiplogCore

/// Reads an OIDC issuer's key set for `serve --oidc-issuer`: from a file, from a JWKS URL, or (neither given) from
/// the `jwks_uri` of the issuer's `/.well-known/openid-configuration`. HTTPS only, but for a loopback address (tests,
/// a local issuer).
package enum IssuerKeySetFetch {
    /// The reader the verifier calls at start-up and on an unknown `kid`.
    package static func reader(issuer: String, source: String?) throws(InvalidInput) -> @Sendable () async throws(IdentityTokenError) -> IssuerKeySet {
        guard let source else {
            try checkAddress(issuer, field: "--oidc-issuer")
            let discovery = issuer.trimmingSuffix("/") + "/.well-known/openid-configuration"
            return { () async throws(IdentityTokenError) in
                let document = try await get(discovery)
                guard let value = try? JSONInput.value(from: document, source: discovery), let keys = value["jwks_uri"]?.stringValue else {
                    throw .keySet("\(discovery) names no jwks_uri")
                }
                do throws(InvalidInput) { try checkAddress(keys, field: "jwks_uri") } catch { throw .keySet(error.description) }
                return try IssuerKeySet(json: try await get(keys), source: keys)
            }
        }
        guard source.hasPrefix("https://") || source.hasPrefix("http://") else {
            return { () async throws(IdentityTokenError) in
                let data: Data
                do throws(LedgerError) { data = try InputFile.read(source, limit: 1 << 20) } catch { throw .keySet(error.description) }
                return try IssuerKeySet(json: data, source: source)
            }
        }
        try checkAddress(source, field: "--oidc-jwks")
        return { () async throws(IdentityTokenError) in try IssuerKeySet(json: try await get(source), source: source) }
    }

    /// HTTPS, or plain HTTP to a loopback host only: a key set fetched in the clear could be anyone's.
    static func checkAddress(_ text: String, field: String) throws(InvalidInput) {
        guard let url = URL(string: text), let scheme = url.scheme, let host = url.host, !host.isEmpty else {
            throw InvalidInput(field: field, value: text, reason: "expected an https:// URL")
        }
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw InvalidInput(field: field, value: text, reason: "the issuer's keys are read over https (http only on a loopback address)")
        }
    }

    private static func get(_ url: String) async throws(IdentityTokenError) -> Data {
        let answer: (status: Int, body: Data)
        do { answer = try await HTTPTransport.exchange("GET", url, headers: [("Accept", "application/json")], body: nil, timeout: 10, host: url) } catch {
            throw .keySet(error.description)
        }
        guard answer.status == 200 else { throw .keySet("\(url) answered \(answer.status)") }
        return answer.body
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
