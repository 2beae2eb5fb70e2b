import Foundation

/// Files under `Tests/Fixtures`, copied from public sources (see Tests/Fixtures/SOURCES.md).
package enum Fixtures {
    /// The package root, found from this file's location so tests run from any working directory.
    package static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    package static let folder = packageRoot.appending(path: "Tests/Fixtures")

    package static func url(_ relativePath: String) -> URL { folder.appending(path: relativePath) }

    package static func data(_ relativePath: String) throws -> Data { try Data(contentsOf: url(relativePath)) }

    /// Every file in a fixture folder, sorted, as paths relative to `Tests/Fixtures`.
    package static func files(in subfolder: String, withExtension pathExtension: String = "json") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.appending(path: subfolder).path)
            .filter { $0.hasSuffix("." + pathExtension) }
            .sorted()
            .map { "\(subfolder)/\($0)" }
    }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
package struct TemporaryDirectory: Sendable {
    package let url: URL

    package init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "shiplog-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    package func path(_ name: String) -> String { url.appending(path: name).path }

    package func remove() { try? FileManager.default.removeItem(at: url) }
}
