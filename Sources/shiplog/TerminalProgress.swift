import Foundation
import ShiplogApp

/// Progress of long work on standard error, only when standard error is a terminal: one line redrawn in
/// place at most ten times a second, erased before the answer is printed. Never on standard output, so
/// `--json` output and pipes never see it.
final class TerminalProgress: @unchecked Sendable {
    /// Nil when standard error is not a terminal (CI logs, pipes, files).
    static let standardError: TerminalProgress? = isatty(STDERR_FILENO) == 1 ? TerminalProgress() : nil

    private let lock = NSLock()
    private var lastDrawn = Date.distantPast
    private var isShown = false

    var report: ProgressReport { { [self] text in draw(text) } }

    private func draw(_ text: String) {
        lock.withLock {
            let now = Date()
            guard now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
            lastDrawn = now
            isShown = true
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        }
    }

    /// Erases the line, so what follows starts clean.
    func clear() {
        lock.withLock {
            if isShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            isShown = false
        }
    }
}
