import Logging

/// How `shiplog serve` runs: flags first, then SHIPLOG_* environment variables, then these defaults.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var databasePath = "./shiplog.sqlite"
    /// Request bodies larger than this are refused with 413.
    public var maxBodyBytes = 1 << 20
    /// Reads (GET) without a token; writes always need one.
    public var openReads = false
    public var logLevel: Logger.Level = .info

    public init() {}
}
