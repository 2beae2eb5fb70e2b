import Foundation
import Logging
import NIOCore
import PostgresNIO
import ShiplogCore
import Synchronization

/// How a server knows, without asking the database on every read, that the ledger changed: every write transaction
/// sends `NOTIFY shiplog_changes` (delivered when it commits), and each server LISTENs on a connection of its own.
///
/// The counter it answers moves on each notification and on each of this server's own commits (so a client reading
/// its own write on the same server never sees the answer from before it). While the listening connection is down
/// (the database restarted), answers come from the database's own counter in `ledger_head` instead, one query per
/// call, in a separate range of numbers, until listening is confirmed again.
final class PostgresChangeFeed: Sendable {
    static let channel = "shiplog_changes"

    private struct State {
        var connection: PostgresConnection?
        var listening = false
        var dialing = false
        var lastDial: Date = .distantPast
        var seen: Int64 = 0
        /// When the listening connection last answered, and when the ping now waiting for its answer went out.
        var lastAlive: Date = .distantPast
        var pingSent: Date?
    }

    /// A listening connection is pinged when it has been quiet this long, and given up when a ping waits this long:
    /// a connection that died without closing (a network cut) would otherwise look like a ledger nobody writes to.
    static let pingAfter: TimeInterval = 2
    static let pingTimeout: TimeInterval = 2

    private let state = Mutex(State())
    private let connect: @Sendable () -> EventLoopFuture<PostgresConnection>
    private let logger: Logger

    init(connect: @escaping @Sendable () -> EventLoopFuture<PostgresConnection>, logger: Logger) {
        self.connect = connect
        self.logger = logger
    }

    /// The current counter: from notifications while listening (even numbers), else `fallback` (odd numbers).
    func counter(fallback: () throws(LedgerError) -> Int64) throws(LedgerError) -> Int64 {
        let now = Date()
        var ping: PostgresConnection?
        var dead: PostgresConnection?
        let (listening, seen) = state.withLock { state -> (Bool, Int64) in
            if state.listening, state.connection?.isClosed != false { state.listening = false }
            if state.listening, let sent = state.pingSent, now.timeIntervalSince(sent) > Self.pingTimeout {
                state.listening = false
                dead = state.connection
                state.connection = nil
            } else if state.listening, state.pingSent == nil, now.timeIntervalSince(state.lastAlive) > Self.pingAfter {
                state.pingSent = now
                ping = state.connection
            }
            return (state.listening, state.seen)
        }
        if let dead { dead.close().whenComplete { _ in withExtendedLifetime(dead) {} } }
        if let ping {
            ping.query("SELECT 1", logger: logger).whenComplete { [weak self] result in
                self?.state.withLock { state in
                    guard state.connection === ping else { return }
                    state.pingSent = nil
                    if case .success = result { state.lastAlive = Date() }
                }
            }
        }
        if listening { return seen * 2 }
        dial()
        return try fallback() * 2 + 1
    }

    /// This server committed a write: its own next read must not be answered from before it.
    func committed() {
        state.withLock { $0.seen += 1 }
    }

    /// Starts listening, at most once a second, without waiting: the caller goes on with the database's counter.
    private func dial() {
        let go = state.withLock { state -> Bool in
            guard !state.dialing, Date().timeIntervalSince(state.lastDial) >= 1 else { return false }
            state.dialing = true
            state.lastDial = Date()
            return true
        }
        guard go else { return }
        let logger = logger
        connect().flatMap { connection -> EventLoopFuture<PostgresConnection> in
            connection.addListener(channel: Self.channel) { [weak self] _, _ in
                self?.state.withLock { $0.seen += 1 }
            }
            // LISTEN runs before this query answers: from then on no notification is missed.
            return connection.query("SELECT 1", logger: logger).map { _ in connection }
                .flatMapError { error in connection.close().flatMapThrowing { throw error } }
        }.whenComplete { [weak self] result in
            guard let self else {
                if case let .success(connection) = result { connection.close().whenComplete { _ in withExtendedLifetime(connection) {} } }
                return
            }
            let previous = self.state.withLock { state -> PostgresConnection? in
                state.dialing = false
                guard case let .success(connection) = result else { return nil }
                let previous = state.connection
                state.connection = connection
                // Whatever changed while nobody listened is unknown: move past every answer kept so far.
                state.seen += 1
                state.listening = true
                state.lastAlive = Date()
                state.pingSent = nil
                return previous
            }
            previous?.close().whenComplete { _ in withExtendedLifetime(previous) {} }
        }
    }

    func close() {
        let connection = state.withLock { state -> PostgresConnection? in
            state.listening = false
            defer { state.connection = nil }
            return state.connection
        }
        connection?.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    deinit {
        let connection = state.withLock { $0.connection }
        connection?.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }
}
