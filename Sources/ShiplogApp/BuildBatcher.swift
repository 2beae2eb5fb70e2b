import Dispatch
import ShiplogCore
import Synchronization

/// Commits the single builds that arrive while a commit is in progress together, in one transaction.
///
/// Each POST /v1/builds is durable when it is answered: its caller waits for the commit that holds it.
/// One fsync then covers every build that queued up behind the previous one, which is what lets the
/// server take many small writes per second on one SQLite file.
final class BuildBatcher: Sendable {
    private typealias Waiter = CheckedContinuation<Result<Build, LedgerError>, Never>

    private struct Pending {
        var builds: [(NewBuild, Waiter)] = []
        var draining = false
    }

    private let ledger: ReleaseLedger
    private let queue: DispatchQueue
    private let pending = Mutex(Pending())
    /// Large enough to cover a burst, small enough that one transaction stays short.
    private let maximumBatch = 512

    init(ledger: ReleaseLedger, queue: DispatchQueue) {
        self.ledger = ledger
        self.queue = queue
    }

    func record(_ build: NewBuild) async throws(LedgerError) -> Build {
        // Checked before it joins a batch: one bad build must not fail the others' transaction.
        do { try build.checkLimits() } catch { throw .invalidInput(error) }
        let result = await withCheckedContinuation { (waiter: Waiter) in
            let startDraining = pending.withLock { state in
                state.builds.append((build, waiter))
                defer { state.draining = true }
                return !state.draining
            }
            if startDraining { queue.async { self.drain() } }
        }
        return try result.get()
    }

    private func drain() {
        while true {
            let batch: [(NewBuild, Waiter)] = pending.withLock { state in
                let taken = Array(state.builds.prefix(maximumBatch))
                state.builds.removeFirst(taken.count)
                if taken.isEmpty { state.draining = false }
                return taken
            }
            if batch.isEmpty { return }
            commit(batch)
        }
    }

    private func commit(_ batch: [(NewBuild, Waiter)]) {
        do throws(LedgerError) {
            let time = ledger.clock()
            let recorded = try ledger.store.record(batch.map(\.0), at: time)
            for (index, (build, waiter)) in batch.enumerated() {
                let result = recorded[index]
                waiter.resume(returning: Result { () throws(LedgerError) in
                    result.isNew ? build.recorded(id: result.id, at: time) : try ledger.store.build(id: result.id)
                })
            }
        } catch {
            // One build's failure must not fail the others: record them one by one so each gets its own answer.
            guard batch.count > 1 else {
                batch[0].1.resume(returning: .failure(error))
                return
            }
            for (build, waiter) in batch {
                waiter.resume(returning: Result { () throws(LedgerError) in try ledger.recordBuild(build) })
            }
        }
    }
}
