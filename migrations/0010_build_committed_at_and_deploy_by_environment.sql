-- Delivery metrics (DORA). Lead time runs from the commit a build was made from to the deploy of its
-- image: the build keeps when that commit was made (null for builds recorded before, and left out of
-- lead time). Reports read an environment's deploys by start time.
ALTER TABLE build ADD COLUMN committed_at TEXT;
CREATE INDEX deploy_by_environment ON deploy (environment, started_at);
-- Each deploy's commit time in one index probe, without reading the build row; only builds that have one.
CREATE INDEX build_commit_time ON build (digest, repository, tag, committed_at) WHERE committed_at IS NOT NULL;
