/// Where long work (log verify, a large ingest, a Langfuse pull) says how far it got, in one short line.
/// The CLI draws it on a terminal's stderr; the server and the tests pass none.
package typealias ProgressReport = @Sendable (String) -> Void
