/// The GitHub Actions variables that describe the run a build came from.
///
/// `build record` fills each of commit, ref, run id, attempt and URL from them when its flag is absent.
package struct GitHubActionsEnvironment: Sendable, Equatable {
    package var commit: String?
    package var ref: String?
    package var runID: String?
    package var runAttempt: String?
    package var runURL: String?
    /// When the commit was made: the push event's `head_commit.timestamp` (from `GITHUB_EVENT_PATH`), as text.
    package var commitTime: String?

    package init(commit: String? = nil, ref: String? = nil, runID: String? = nil, runAttempt: String? = nil, runURL: String? = nil,
                 commitTime: String? = nil) {
        self.commit = commit
        self.ref = ref
        self.runID = runID
        self.runAttempt = runAttempt
        self.runURL = runURL
        self.commitTime = commitTime
    }

    /// `event`: the JSON payload `GITHUB_EVENT_PATH` names, read by the caller (a push event carries the
    /// head commit's time; other events do not, and then there is none).
    package init(_ environment: [String: String], event: JSONValue? = nil) {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        commit = value("GITHUB_SHA")
        ref = value("GITHUB_REF")
        runID = value("GITHUB_RUN_ID")
        runAttempt = value("GITHUB_RUN_ATTEMPT")
        if let server = value("GITHUB_SERVER_URL"), let repository = value("GITHUB_REPOSITORY"), let runID {
            runURL = "\(server)/\(repository)/actions/runs/\(runID)"
        }
        commitTime = event?["head_commit"]?["timestamp"]?.stringValue
    }
}

extension GitHubActionsEnvironment {
    /// The commit time, parsed; anything but an RFC 3339 time is refused rather than dropped.
    package func committedAt() throws(ValueError) -> Timestamp? {
        try commitTime.map { text throws(ValueError) in try Timestamp(rfc3339: text) }
    }

    /// The run attempt as a number; `GITHUB_RUN_ATTEMPT` (and the buildx route's `run_attempt`) is text,
    /// and anything but a whole number from 1 is refused rather than dropped.
    package func attempt() throws(ValueError) -> Int? {
        guard let runAttempt else { return nil }
        guard let value = Int(runAttempt), value >= 1 else {
            throw ValueError(value: runAttempt, reason: "run attempt must be a whole number from 1")
        }
        return value
    }
}
