import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ShiplogCore

/// Requests as a registry wants them: the auth its `401` asks for, redirects without forwarded credentials, and
/// answers bounded in time and size.
extension RegistryClient {
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
}
