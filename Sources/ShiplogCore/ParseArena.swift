import CcJSON
import Foundation

/// Memory for one cJSON parse, taken in large blocks and given back all at once.
///
/// A bake file of 10,000 targets makes cJSON allocate some 50,000 small nodes and strings and free them
/// one by one; in a process whose heap earlier work has fragmented (a server, or the benchmark that
/// ingests file after file) those mallocs and frees cost as much as the parse itself. cJSON allocates
/// through process-wide hooks, which serve the arena of the calling thread when it has one (so parses
/// on several threads never share one) and fall back to malloc and free otherwise.
final class ParseArena {
    private var blocks: [UnsafeMutableRawPointer] = []
    private var next: UnsafeMutableRawPointer?
    private var left = 0
    private static let blockSize = 1 << 20

    deinit { blocks.forEach { $0.deallocate() } }

    /// Runs `body` with cJSON allocating from a new arena; what cJSON allocated is freed when it returns,
    /// so nothing cJSON made may outlive `body`, and cJSON_Delete is not needed inside it.
    static func parsing<Result>(_ body: () -> Result) -> Result {
        _ = installHooks
        let arena = ParseArena()
        pthread_setspecific(threadKey, Unmanaged.passUnretained(arena).toOpaque())
        defer { pthread_setspecific(threadKey, nil) }
        return withExtendedLifetime(arena) { body() }
    }

    private func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let size = (size + 15) & ~15
        if size > left {
            let block = UnsafeMutableRawPointer.allocate(byteCount: max(size, Self.blockSize), alignment: 16)
            blocks.append(block)
            (next, left) = (block, max(size, Self.blockSize))
        }
        guard let start = next else { preconditionFailure("arena without a block") }
        (next, left) = (start + size, left - size)
        return start
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-local key for the parse arena")
        return key
    }()

    private static let installHooks: Void = {
        var hooks = cJSON_Hooks(
            malloc_fn: { size in
                guard let arena = pthread_getspecific(ParseArena.threadKey) else { return malloc(size) }
                return Unmanaged<ParseArena>.fromOpaque(arena).takeUnretainedValue().allocate(size)
            },
            free_fn: { pointer in
                // Inside a parse everything is the arena's, freed with it.
                if pthread_getspecific(ParseArena.threadKey) == nil { free(pointer) }
            })
        cJSON_InitHooks(&hooks)
    }()
}
