import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ShiplogCore

/// One HTTP exchange for the CLI's clients (a shiplog server, Langfuse), over AsyncHTTPClient.
///
/// Not URLSession: on Linux it lives in FoundationNetworking, which loads libcurl and some thirty libraries
/// behind it into every `shiplog` process, local ones included (~9 ms of a 20 ms `build record`).
enum HTTPTransport {
    /// Answers larger than this are refused rather than buffered (the largest document is a few MB).
    static let maximumBody = 256 * 1024 * 1024

    /// One client for the process, never shut down (the process ends instead). A refused connection fails at
    /// once: AsyncHTTPClient would otherwise retry connecting until the request's deadline, and a CLI pointed at
    /// a server that is down should say so (exit 69) in a moment, not in two minutes.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The status and body; a connection that fails or times out is `unreachable` (exit 69), named by `host`.
    static func exchange(
        _ method: String, _ url: String, headers: [(String, String)], body: Data?, timeout: Int64, host: String
    ) async throws(LedgerError) -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(request, timeout: .seconds(timeout))
            let buffer = try await response.body.collect(upTo: maximumBody)
            return (Int(response.status.code), Data(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw .storage("\(host) answered with more than \(maximumBody / 1024 / 1024) MiB")
        } catch let error as IOError {
            throw .unreachable("\(host): \(String(cString: strerror(error.errnoCode)))")  // "Connection refused"
        } catch {
            throw .unreachable("\(host): \(error)")
        }
    }
}
