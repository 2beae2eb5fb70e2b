import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Times a whole child process with posix_spawn and waitpid: Foundation's `Process` adds tens of
/// milliseconds of its own on Linux, which would drown the figure being measured.
enum ProcessTimer {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func seconds(_ executable: String, _ arguments: [String]) throws -> Double {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        var status: Int32 = 0
        let seconds = try Stopwatch.seconds {
            let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
            guard spawned == 0 else { throw Failure(description: "posix_spawn \(executable): \(String(cString: strerror(spawned)))") }
            waitpid(pid, &status, 0)
        }
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) ended with status \(status)")
        }
        return seconds
    }
}
