import Foundation
import Logging
import MCP

/// MCP's stdio framing (one JSON-RPC message per line) over blocking reads on a thread of its own.
///
/// The SDK's `StdioTransport` polls a non-blocking descriptor and sleeps 10 ms whenever it is empty, so a
/// request landing in that sleep waits for it; this one wakes when the line arrives (the p99 target is 5 ms).
actor LineTransport: Transport {
    nonisolated let logger = Logger(label: "shiplog.mcp", factory: { _ in SwiftLogNoOpLogHandler() })
    private let input: FileHandle
    private let output: FileHandle
    private let lines: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var reader: Thread?

    init(input: FileHandle = .standardInput, output: FileHandle = .standardOutput) {
        self.input = input
        self.output = output
        (lines, continuation) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        guard reader == nil else { return }
        let descriptor = input.fileDescriptor, continuation = continuation
        let thread = Thread {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            reading: while true {
                // read(2) itself: FileHandle.availableData traps on a read error, and a client may hand over a non-blocking pipe.
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count == 0 { break }  // end of input: the client went away
                if count < 0 {
                    switch errno {
                    case EINTR: continue reading
                    case EAGAIN:
                        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                        _ = poll(&ready, 1, -1)
                        continue reading
                    default: break reading
                    }
                }
                pending.append(contentsOf: buffer[0 ..< count])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[..<newline]
                    if !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continuation.yield(Data(line)) }
                    pending.removeSubrange(...newline)
                }
            }
            continuation.finish()
        }
        thread.name = "shiplog-mcp-stdin"
        thread.start()
        reader = thread
    }

    func disconnect() async { continuation.finish() }

    func send(_ data: Data) async throws {
        var message = data
        message.append(UInt8(ascii: "\n"))
        try output.write(contentsOf: message)
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, any Error> { lines }
}
