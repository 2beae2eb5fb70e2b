import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ShiplogCore
import Synchronization

/// A pool of connections to one PostgreSQL database, used synchronously: the store protocols are synchronous
/// (SQLite's calls block too), so each call leases a connection, waits on its EventLoopFuture and gives it back.
///
/// Waiting on a future never blocks an event loop: the futures run on the pool's own NIO threads, and callers
/// are the server's request tasks or a CLI command. A connection that fails (the database restarted, the network
/// dropped) is closed and not reused; the next lease dials again, so the pool recovers by itself.
package final class PostgresConnections: Sendable {
    package let address: PostgresAddress
    package let size: Int
    private let configuration: PostgresConnection.Configuration
    private let group: any EventLoopGroup
    private let idle = Mutex<[PostgresConnection]>([])
    private let leases: DispatchSemaphore
    private let nextID = Atomic<Int>(0)
    private let logger: Logger
    /// How long a call waits for a free connection before it fails (every connection busy that long is an outage).
    static let leaseTimeout: TimeInterval = 30

    package init(address: PostgresAddress, size: Int) throws(LedgerError) {
        guard (1 ... 1_000).contains(size) else {
            throw .invalidInput(InvalidInput(field: "--db-pool", value: String(size), reason: "a pool holds 1 to 1000 connections"))
        }
        self.address = address
        self.size = size
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch address.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw .storage("TLS for \(address): \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password, database: address.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        self.configuration = configuration
        group = MultiThreadedEventLoopGroup.singleton
        leases = DispatchSemaphore(value: size)
        var logger = Logger(label: "shiplog.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    /// Runs `body` on a leased connection. A failure of the connection itself (not of a statement) closes it and
    /// is answered as the database being unreachable.
    package func withConnection<T>(_ body: (PostgresSession) throws(LedgerError) -> T) throws(LedgerError) -> T {
        guard leases.wait(timeout: .now() + Self.leaseTimeout) == .success else {
            throw .unreachable("the ledger's database: no connection free after \(Int(Self.leaseTimeout)) s (--db-pool \(size))")
        }
        defer { leases.signal() }
        var (connection, reused) = try lease()
        while true {
            let session = PostgresSession(connection: connection, logger: logger)
            do {
                let result = try body(session)
                giveBack(connection, healthy: !session.broken)
                return result
            } catch {
                giveBack(connection, healthy: !session.broken)
                // An idle connection the database dropped (it restarted) fails on its first statement, before anything was
                // done: the call is made again once, on a new connection.
                guard reused, session.broken, session.completedStatements == 0 else { throw error }
                (connection, reused) = try lease(fresh: true)
            }
        }
    }

    private func lease(fresh: Bool = false) throws(LedgerError) -> (PostgresConnection, reused: Bool) {
        while !fresh, let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return (connection, true) }
        }
        do {
            let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
            return (try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait(), false)
        } catch {
            throw .unreachable("the ledger's database at \(address.host):\(address.port): \(PostgresSession.describe(error))")
        }
    }

    /// A connection of its own, outside the pool (the change feed's listener), without waiting for it.
    func dial() -> EventLoopFuture<PostgresConnection> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        return PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger)
    }

    var quietLogger: Logger { logger }

    private func giveBack(_ connection: PostgresConnection, healthy: Bool) {
        if healthy, !connection.isClosed {
            idle.withLock { $0.append(connection) }
        } else {
            Self.retire(connection)
        }
    }

    /// Closes without waiting, holding the connection until its channel is closed (PostgresNIO requires a connection
    /// closed before it is released).
    private static func retire(_ connection: PostgresConnection) {
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    deinit {
        for connection in idle.withLock({ $0 }) { Self.retire(connection) }
    }

    /// Closes every idle connection (the server's shutdown).
    package func close() {
        let connections = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle
        }
        for connection in connections { _ = try? connection.close().wait() }
    }
}
