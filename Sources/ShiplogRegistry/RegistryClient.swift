import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ShiplogCore
import ShiplogCrypto
import Synchronization

/// The distribution API v2 (OCI distribution spec), as much of it as shiplog needs: manifests, blobs
/// (monolithic upload), tags with `Link` pagination, and the auth a registry asks for in its `401`
/// (`Bearer` tokens from the realm, cached per scope until they expire, or `Basic`).
///
/// Every answer is bounded in time and size; credentials go only to the registry and its token realm, never
/// to a host a redirect points at; manifests are checked against `Docker-Content-Digest` and their own bytes.
package final class RegistryClient: Sendable {
    package struct Options: Sendable {
        /// Hosts (`host[:port]`) spoken to over plain HTTP although they are not loopback.
        package var insecureRegistries: Set<String>
        /// Seconds a request may take, from connecting to the last byte of its answer.
        package var timeout: Int64

        package init(insecureRegistries: Set<String> = [], timeout: Int64 = 30) {
            self.insecureRegistries = insecureRegistries
            self.timeout = timeout
        }
    }

    /// One registry answer.
    package struct Answer: Sendable {
        package var status: Int
        package var headers: HTTPHeaders
        package var body: [UInt8]
    }

    /// The largest blob read (a signature payload or an attestation envelope is a few KiB; a provenance a few MiB).
    package static let maximumBlobBytes = 16 * 1024 * 1024
    static let maximumTokenBytes = 1024 * 1024

    let options: Options
    let credentials: RegistryCredentials
    /// `Authorization` values by "host scope" (a Bearer token, or Basic once a registry asked for it), with when
    /// they stop being used.
    let tokens = Mutex<[String: (authorization: String, until: Date)]>([:])

    package init(options: Options = Options(), credentials: RegistryCredentials = RegistryCredentials()) {
        self.options = options
        self.credentials = credentials
    }

    package func address(of repository: Repository) -> RegistryAddress { RegistryAddress(repository, insecure: options.insecureRegistries) }

    // MARK: - Manifests

    /// A manifest fetched by tag or digest, its bytes checked; nil when the registry has none (404).
    package func manifest(_ address: RegistryAddress, reference: String) async throws(LedgerError) -> (manifest: OCIManifest, bytes: [UInt8], digest: Digest)? {
        let url = "\(address.base)/v2/\(address.path)/manifests/\(reference)"
        let answer = try await send("GET", url, address: address, push: false, headers: [("Accept", OCIManifest.accepted.joined(separator: ", "))],
                                    limit: OCIManifest.maximumBytes, what: "the manifest \(address.path):\(reference)")
        if answer.status == 404 { return nil }
        try expectSuccess(answer, address: address, what: "the manifest \(address.path):\(reference)")
        let source = "\(address.host)/\(address.path):\(reference)"
        let digest: Digest
        do { digest = try Digest(parsing: "sha256:" + SHA256.hex(answer.body)) } catch { throw .invalidInput(error.at("manifest", in: source)) }
        if let header = answer.headers.first(name: "Docker-Content-Digest"), header != digest.description {
            throw .invalidInput(InvalidInput(source: source, field: "Docker-Content-Digest", value: header,
                                             reason: "the manifest's bytes have digest \(digest)"))
        }
        if reference.contains(":"), reference != digest.description {
            throw .invalidInput(InvalidInput(source: source, field: "digest", value: digest.description, reason: "the registry sent another manifest than the one asked for"))
        }
        do {
            let manifest = try OCIManifest(parsing: answer.body, source: source, contentType: answer.headers.first(name: "Content-Type"))
            return (manifest, answer.body, digest)
        } catch { throw .invalidInput(error) }
    }

    /// Stores a manifest under a tag; returns its digest.
    @discardableResult
    package func putManifest(_ address: RegistryAddress, tag: String, bytes: [UInt8], mediaType: String) async throws(LedgerError) -> Digest {
        let url = "\(address.base)/v2/\(address.path)/manifests/\(tag)"
        let answer = try await send("PUT", url, address: address, push: true, headers: [("Content-Type", mediaType)], body: bytes,
                                    limit: 64 * 1024, what: "storing the manifest \(address.path):\(tag)")
        try expectSuccess(answer, address: address, what: "storing the manifest \(address.path):\(tag)")
        return Digest(validated: "sha256:" + SHA256.hex(bytes))
    }

    // MARK: - Blobs

    /// A blob's bytes, checked against its digest.
    package func blob(_ address: RegistryAddress, digest: Digest, limit: Int = maximumBlobBytes) async throws(LedgerError) -> [UInt8] {
        let url = "\(address.base)/v2/\(address.path)/blobs/\(digest)"
        let answer = try await send("GET", url, address: address, push: false, limit: limit, what: "the blob \(digest)")
        try expectSuccess(answer, address: address, what: "the blob \(digest)")
        guard digest.algorithm == "sha256", "sha256:" + SHA256.hex(answer.body) == digest.description else {
            throw .invalidInput(InvalidInput(source: "\(address.host)/\(address.path)", field: "blob", value: digest.description,
                                             reason: "the registry's bytes do not have this digest"))
        }
        return answer.body
    }

    /// Uploads a blob in one request (POST for a session, then PUT with the digest) unless the registry has it.
    @discardableResult
    package func uploadBlob(_ address: RegistryAddress, _ bytes: [UInt8]) async throws(LedgerError) -> Digest {
        let digest = Digest(validated: "sha256:" + SHA256.hex(bytes))
        let head = try await send("HEAD", "\(address.base)/v2/\(address.path)/blobs/\(digest)", address: address, push: true,
                                  limit: 0, what: "the blob \(digest)")
        if head.status == 200 { return digest }
        let start = try await send("POST", "\(address.base)/v2/\(address.path)/blobs/uploads/", address: address, push: true,
                                   limit: 64 * 1024, what: "starting an upload")
        try expectSuccess(start, address: address, what: "starting an upload")
        guard let location = start.headers.first(name: "Location"), let base = URL(string: address.base + "/"),
              let session = URL(string: location, relativeTo: base)?.absoluteURL.absoluteString else {
            throw .unreachable("\(address.host) started an upload without a Location")
        }
        let url = session + (session.contains("?") ? "&" : "?") + "digest=\(digest)"
        let put = try await send("PUT", url, address: address, push: true, headers: [("Content-Type", "application/octet-stream")],
                                 body: bytes, limit: 64 * 1024, what: "uploading the blob \(digest)")
        try expectSuccess(put, address: address, what: "uploading the blob \(digest)")
        return digest
    }

    // MARK: - Tags

    /// Every tag of the repository, following `Link: <…>; rel="next"` pages.
    package func tags(_ address: RegistryAddress, pageSize: Int = 1000) async throws(LedgerError) -> [String] {
        var tags: [String] = []
        var next: String? = "\(address.base)/v2/\(address.path)/tags/list?n=\(pageSize)"
        var pages = 0
        while let url = next {
            pages += 1
            guard pages <= 10_000 else { throw .unreachable("\(address.host) keeps sending tag pages (more than 10,000)") }
            let answer = try await send("GET", url, address: address, push: false, limit: OCIManifest.maximumBytes, what: "the tags of \(address.path)")
            if answer.status == 404 { return tags }
            try expectSuccess(answer, address: address, what: "the tags of \(address.path)")
            let page: JSONValue
            do { page = try JSONInput.value(from: Data(answer.body), source: "\(address.host) tags list") } catch { throw .invalidInput(error) }
            switch page["tags"] {
            case nil, .null?: break
            case let .array(items)?: tags += items.compactMap(\.stringValue)
            case let other?:
                throw .invalidInput(InvalidInput(source: "\(address.host) tags list", field: "tags", value: other.shortText, reason: "expected an array"))
            }
            next = Self.nextPage(answer.headers.first(name: "Link"), base: address.base)
        }
        return tags
    }

    /// The `rel="next"` target of a `Link` header, made absolute against the registry.
    package static func nextPage(_ link: String?, base: String) -> String? {
        guard let link, link.contains("rel=\"next\"") || link.contains("rel=next"),
              let open = link.firstIndex(of: "<"), let close = link[open...].firstIndex(of: ">") else { return nil }
        let target = String(link[link.index(after: open) ..< close])
        guard let baseURL = URL(string: base + "/") else { return nil }
        return URL(string: target, relativeTo: baseURL)?.absoluteURL.absoluteString
    }

    struct TooLarge: Error {}

    static func size(_ bytes: Int) -> String { bytes >= 1024 * 1024 ? "\(bytes / 1024 / 1024) MiB" : "\(bytes / 1024) KiB" }

    /// A 2xx, or the error the status means: 401/403 denied (77), 5xx and 429 unavailable (69), other 4xx refused (65).
    func expectSuccess(_ answer: Answer, address: RegistryAddress, what: String) throws(LedgerError) {
        guard !(200 ..< 300).contains(answer.status) else { return }
        let message = Self.errorMessage(answer.body)
        switch answer.status {
        case 401, 403: throw .denied("\(address.host) denied \(what) (HTTP \(answer.status))\(message)")
        case 429, 500...: throw .unreachable("\(address.host) answered \(answer.status) for \(what)\(message)")
        case 404: throw .notFound("\(address.host) has no \(what.replacingOccurrences(of: "the ", with: ""))\(message)")
        default: throw .invalidInput(InvalidInput(source: address.host, reason: "the registry refused \(what) (HTTP \(answer.status))\(message)"))
        }
    }

    /// distribution's `{"errors":[{"code","message"}]}`, as `: CODE message`.
    static func errorMessage(_ body: [UInt8]) -> String {
        guard let document = try? JSONInput.value(from: Data(body.prefix(64 * 1024)), source: "registry error"),
              case let .array(errors)? = document["errors"], let first = errors.first else { return "" }
        let code = first["code"]?.stringValue ?? ""
        let message = first["message"]?.stringValue ?? ""
        return ": " + [code, message].filter { !$0.isEmpty }.joined(separator: " ").prefix(200)
    }
}

extension RegistryAddress {
    init(host: String, path: String, plainHTTP: Bool) {
        self.host = host
        self.path = path
        self.plainHTTP = plainHTTP
    }
}

/// One HTTP client for the process's registry traffic, redirects left to `RegistryClient` (so credentials
/// are never forwarded), never shut down (the process ends instead).
enum RegistryHTTP {
    private static let shared = Mutex<HTTPClient?>(nil)

    static func client(readTimeout: Int64) -> HTTPClient {
        shared.withLock { client in
            if let client { return client }
            var configuration = HTTPClient.Configuration.singletonConfiguration
            configuration.redirectConfiguration = .disallow
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.timeout.connect = .seconds(min(readTimeout, 10))
            configuration.timeout.read = .seconds(readTimeout)
            let made = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            client = made
            return made
        }
    }
}

extension RegistryClient {
    /// Deletes a manifest by digest (`DELETE /v2/<name>/manifests/<digest>`): nil when the registry did, else why not.
    package func deleteManifest(_ address: RegistryAddress, digest: Digest) async -> String? {
        let url = "\(address.base)/v2/\(address.path)/manifests/\(digest)"
        do {
            let answer = try await send("DELETE", url, address: address, push: true, limit: 64 * 1024, what: "deleting \(digest)")
            switch answer.status {
            case 200 ..< 300: return nil
            case 404: return "the registry has no such manifest (HTTP 404)"
            case 405: return "the registry refuses deletes (HTTP 405\(Self.errorMessage(answer.body))); distribution needs storage.delete.enabled"
            default:
                do { try expectSuccess(answer, address: address, what: "deleting \(digest)") } catch { return error.description }
                return nil
            }
        } catch {
            return error.description
        }
    }
}
