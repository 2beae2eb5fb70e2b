/// Environments, deploys and their checks, and the marks that make an image bad.
package protocol DeployReading: Sendable {
    func environment(named name: String) throws(LedgerError) -> Environment?
    /// Every environment, by name.
    func environments() throws(LedgerError) -> [Environment]
    func lastSwitch(environment: String) throws(LedgerError) -> TrafficSwitch?
    func deploy(id: Int64) throws(LedgerError) -> Deploy?
    func checks(deployID: Int64) throws(LedgerError) -> [DeployCheck]
    /// The checks of each deploy in `deployIDs`, in the order recorded (one read for a page of deploys).
    func checks(deployIDs: [Int64]) throws(LedgerError) -> [Int64: [DeployCheck]]
    /// The live deploy of every service in (environment, slot), with the facts that decide goodness.
    func liveDeploys(environment: String, slot: String?) throws(LedgerError) -> [DeployFacts]
    /// Succeeded deploys of (environment, service), newest first, with id below `before` when given.
    func succeededDeploys(environment: String, service: String, before: Int64?, limit: Int) throws(LedgerError) -> [DeployFacts]
    /// The finished deploys of `environment` that started before `end`, oldest first, each with the facts
    /// that decide goodness and the commit time of the build it deployed (for delivery metrics).
    /// `signatures`: whether to find out if each is signed (only a protected environment's goodness needs it).
    func deliveryDeploys(environment: String, startedBefore end: Timestamp, signatures: Bool) throws(LedgerError) -> [DeliveryDeploy]
    /// The deploys of one image into `environment`, oldest first, with their facts (a policy's soak asks).
    func deploys(environment: String, repository: Repository, digest: Digest) throws(LedgerError) -> [DeployFacts]
    /// The deploys of `environment` that started at or after `since` (all when nil), oldest first, each with the names
    /// of the checks that passed on it (`policy audit` judges them all).
    func auditDeploys(environment: String, since: Timestamp?) throws(LedgerError) -> [(deploy: Deploy, passedChecks: [String])]
    /// A service's deploys in every environment, newest first, with their facts.
    func serviceDeploys(service: String, limit: Int) throws(LedgerError) -> [DeployFacts]
    /// How many deploys of `environment` that started in `[start, end)` have not finished.
    func unfinishedDeploys(environment: String, from start: Timestamp, to end: Timestamp) throws(LedgerError) -> Int
    /// Every deploy, oldest first (for comparing the tables with the log).
    func allDeploys() throws(LedgerError) -> [Deploy]
    /// Every image marked bad, as repository@digest, with the reason recorded.
    func badImages() throws(LedgerError) -> [(image: String, reason: String, markedAt: String)]
    /// Every check, every traffic switch and every refused deploy, oldest first; which deploy is live where.
    /// These four are for comparing the tables with the log.
    func allChecks() throws(LedgerError) -> [DeployCheck]
    func allSwitches() throws(LedgerError) -> [TrafficSwitch]
    func allRefusals() throws(LedgerError) -> [(deploy: NewDeploy, reason: String, refusedAt: String, policy: PolicyJudgement?)]
    func livePointers() throws(LedgerError) -> [(environment: String, slot: String?, service: String, deployID: Int64)]
}

package protocol DeployStore: DeployReading {
    /// Creates an environment; creating the same one again returns it, a different one is refused.
    func create(_ environment: Environment) throws(LedgerError) -> Environment
    /// Makes `slot` the active slot and records the switch.
    func switchSlot(environment: String, to slot: String, actor: String?, at time: Timestamp) throws(LedgerError) -> TrafficSwitch
    /// Records a deploy that has started (in_progress), which makes it live, with what its policy found.
    func start(_ deploy: NewDeploy, policy: PolicyJudgement?, at time: Timestamp) throws(LedgerError) -> Deploy
    /// Records a deploy the gate refused: the signature verification, and the policy's violations when one decided.
    func recordRefusal(_ deploy: NewDeploy, verification: Verification, policy: PolicyJudgement?, at time: Timestamp) throws(LedgerError)
    /// Finishes an in-progress deploy; finishing twice is an input error.
    func finish(deployID: Int64, as state: DeployState, at time: Timestamp) throws(LedgerError) -> Deploy
    func add(_ check: DeployCheck) throws(LedgerError) -> DeployCheck
    /// Marks an image bad; marking it again keeps the first reason.
    func markBad(repository: Repository, digest: Digest, reason: String, at time: Timestamp) throws(LedgerError)
}

extension DeployStore {
    /// Starts a deploy no policy judged.
    package func start(_ deploy: NewDeploy, at time: Timestamp) throws(LedgerError) -> Deploy {
        try start(deploy, policy: nil, at: time)
    }
}
