import Foundation
import ShiplogTestSupport
import Testing

@Suite("examples/release-flow.sh")
struct ReleaseFlowExampleTests {
    @Test("the documented release flow runs end to end: gate, failing check, rollback plan, redeploy")
    func releaseFlow() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Fixtures.packageRoot.appending(path: "examples/release-flow.sh").path]
        let binaries = ShiplogBinary.executable.deletingLastPathComponent().path
        process.environment = ["PATH": "\(binaries):/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        let output = ChildPipe.make()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text.suffix(2000))")
        #expect(text.hasSuffix("release flow: ok\n"))
        #expect(text.contains("code-review: redeploy"))
        #expect(text.contains("deploy refused"))
        #expect(text.contains("== delivery metrics"))
    }
}
