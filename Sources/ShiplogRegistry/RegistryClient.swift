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
    private let tokens = Mutex<[String: (authorization: String, until: Date)]>([:])

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

    // MARK: - Requests and auth

    /// A request with the auth the registry asks for: a cached token for the scope, else the challenge's answer.
    func send(
        _ method: String, _ url: String, address: RegistryAddress, push: Bool, headers: [(String, String)] = [], body: [UInt8]? = nil,
        limit: Int, what: String
    ) async throws(LedgerError) -> Answer {
        let scope = "repository:\(address.path):" + (push ? "pull,push" : "pull")
        let key = "\(address.host) \(scope)"
        // A push token covers pulls too: an upload reads the existing manifest with it.
        let pushKey = "\(address.host) repository:\(address.path):pull,push"
        var authorization = tokens.withLock { cache in
            (cache[key] ?? cache[pushKey]).flatMap { $0.until > Date() ? $0.authorization : nil }
        }
        var answer = try await exchange(method, url, address: address, headers: headers, authorization: authorization, body: body, limit: limit)
        guard answer.status == 401 else { return answer }
        guard let header = answer.headers.first(name: "WWW-Authenticate"), let challenge = AuthChallenge(header) else {
            throw .denied("\(address.host) refused \(what) (HTTP 401) without saying how to authenticate")
        }
        let login = credentials.login(for: address.host)
        switch challenge.scheme {
        case "bearer":
            let token = try await bearerToken(challenge, scope: scope, address: address, login: login)
            authorization = "Bearer \(token.token)"
            tokens.withLock { $0[key] = ("Bearer \(token.token)", token.until) }
        case "basic":
            guard let login else { throw .denied("\(address.host) needs a login for \(what): run docker login \(address.host) (or set REGISTRY_AUTH_FILE)") }
            authorization = login.basic
            tokens.withLock { $0[key] = (login.basic, Date.distantFuture) }
        default:
            throw .denied("\(address.host) asks for \(challenge.scheme) auth, which shiplog does not speak (Bearer and Basic)")
        }
        answer = try await exchange(method, url, address: address, headers: headers, authorization: authorization, body: body, limit: limit)
        if answer.status == 401 {
            throw .denied("\(address.host) refused \(what) with the credentials given\(login == nil ? " (none: run docker login \(address.host))" : "")")
        }
        return answer
    }

    /// A token from the challenge's realm (distribution's token auth): HTTPS only, unless the realm is on a
    /// loopback or `--insecure-registry` host; the login, if any, goes there as Basic auth.
    func bearerToken(
        _ challenge: AuthChallenge, scope: String, address: RegistryAddress, login: RegistryCredentials.Login?
    ) async throws(LedgerError) -> (token: String, until: Date) {
        guard let realm = challenge.parameters["realm"], let realmURL = URL(string: realm), let scheme = realmURL.scheme?.lowercased(),
              let realmHost = realmURL.host else {
            throw .denied("\(address.host) asks for a Bearer token without a usable realm")
        }
        let realmAuthority = realmHost + (realmURL.port.map { ":\($0)" } ?? "")
        let plainAllowed = RegistryAddress.isLoopback(realmAuthority) || options.insecureRegistries.contains(realmAuthority)
            || options.insecureRegistries.contains(realmHost)
        guard scheme == "https" || (scheme == "http" && plainAllowed) else {
            throw .denied("\(address.host)'s token realm \(realm) is not HTTPS: shiplog sends credentials only over HTTPS (or to loopback)")
        }
        var components = URLComponents(url: realmURL, resolvingAgainstBaseURL: false)
        var items = components?.queryItems ?? []
        if let service = challenge.parameters["service"] { items.append(URLQueryItem(name: "service", value: service)) }
        items.append(URLQueryItem(name: "scope", value: scope))
        components?.queryItems = items
        guard let url = components?.url?.absoluteString else { throw .denied("\(address.host)'s token realm \(realm) is not a URL") }
        let realmAddress = RegistryAddress(host: realmAuthority, path: "", plainHTTP: scheme == "http")
        let answer = try await exchange("GET", url, address: realmAddress, headers: [("Accept", "application/json")],
                                        authorization: login?.basic, body: nil, limit: Self.maximumTokenBytes)
        guard answer.status == 200 else {
            if answer.status == 401 || answer.status == 403 {
                throw .denied("the token server \(realmAuthority) refused \(scope)\(login == nil ? " (no login for \(address.host): run docker login)" : "")")
            }
            throw .unreachable("the token server \(realmAuthority) answered \(answer.status)")
        }
        let document = (try? JSONInput.value(from: Data(answer.body), source: "token")) ?? .null
        guard let token = document["token"]?.stringValue ?? document["access_token"]?.stringValue, !token.isEmpty else {
            throw .denied("the token server \(realmAuthority) answered without a token")
        }
        // distribution's default lifetime is 60 s; a few seconds are kept in hand for the request itself.
        let seconds: Int64 = switch document["expires_in"] {
        case let .integer(value)?: value
        case let .number(value)?: Int64(value)
        default: 60
        }
        return (token, Date().addingTimeInterval(TimeInterval(max(seconds, 10) - 5)))
    }

    /// One exchange, following up to 5 redirects by hand: `Authorization` goes only to the host it was meant for.
    func exchange(
        _ method: String, _ url: String, address: RegistryAddress, headers: [(String, String)], authorization: String?, body: [UInt8]?,
        limit: Int
    ) async throws(LedgerError) -> Answer {
        var target = url
        var method = method
        var body = body
        var authorization = authorization
        for _ in 0 ... 5 {
            var request = HTTPClientRequest(url: target)
            request.method = HTTPMethod(rawValue: method)
            request.headers.add(name: "User-Agent", value: "shiplog")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization { request.headers.add(name: "Authorization", value: authorization) }
            if let body {
                request.body = .bytes(ByteBuffer(bytes: body))
                request.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            } else if method == "POST" || method == "PUT" {
                request.headers.replaceOrAdd(name: "Content-Length", value: "0")
            }
            let answer = try await execute(request, host: address.host, limit: limit, method: method)
            guard [301, 302, 303, 307, 308].contains(answer.status), let location = answer.headers.first(name: "Location") else { return answer }
            guard let current = URL(string: target), let next = URL(string: location, relativeTo: current)?.absoluteURL,
                  let scheme = next.scheme?.lowercased(), let host = next.host else {
                throw .unreachable("\(address.host) redirected to \(location), which is not a URL")
            }
            let authority = host + (next.port.map { ":\($0)" } ?? "")
            guard scheme == "https" || (scheme == "http" && (RegistryAddress.isLoopback(authority) || options.insecureRegistries.contains(authority))) else {
                throw .unreachable("\(address.host) redirected to \(next.absoluteString), which is not HTTPS")
            }
            // Object stores behind registries take a signed URL, not the registry's credentials.
            if next.scheme?.lowercased() != current.scheme?.lowercased() || next.host != current.host || next.port != current.port {
                authorization = nil
            }
            if answer.status == 303 { (method, body) = ("GET", nil) }
            target = next.absoluteString
        }
        throw .unreachable("\(address.host) redirected more than 5 times")
    }

    private func execute(_ request: HTTPClientRequest, host: String, limit: Int, method: String) async throws(LedgerError) -> Answer {
        let client = RegistryHTTP.client(readTimeout: options.timeout)
        do {
            let response = try await client.execute(request, timeout: .seconds(options.timeout))
            // Error answers carry a short JSON body whatever the call's own limit.
            let cap = max(limit, 64 * 1024)
            if method != "HEAD", let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > cap {
                throw TooLarge()
            }
            let buffer = method == "HEAD" ? ByteBuffer() : try await response.body.collect(upTo: cap)
            return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw .invalidInput(InvalidInput(source: host, value: request.url, reason: "the answer is larger than \(Self.size(max(limit, 64 * 1024))), shiplog's limit"))
        } catch is TooLarge {
            throw .invalidInput(InvalidInput(source: host, value: request.url, reason: "the answer is larger than \(Self.size(max(limit, 64 * 1024))), shiplog's limit"))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .unreachable("\(host) did not answer within \(options.timeout) s")
        } catch let error as IOError {
            throw .unreachable("\(host): \(String(cString: strerror(error.errnoCode)))")
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .unreachable("\(host): \(error)")
        }
    }

    private struct TooLarge: Error {}

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
