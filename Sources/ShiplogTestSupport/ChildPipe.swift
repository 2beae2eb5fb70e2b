import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pipe to one child process that no other child inherits. Tests spawn processes from several threads at once
/// (servers and CLI writers racing on one file); without close-on-exec, a server spawned in between inherits a
/// writer's stdout pipe and holds it open, so reading that writer's output never ends. The child still gets its end:
/// `Process` duplicates it onto 0, 1 or 2, and a duplicated descriptor does not carry the flag.
package enum ChildPipe {
    package static func make() -> Pipe {
        let pipe = Pipe()
        for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
        }
        return pipe
    }
}
