-- LLM usage attributed to services (Langfuse). Re-ingesting replaces, never double counts: an observation by
-- its id, a day of daily metrics as a whole (service, day). Money is integer micro-dollars, summed exactly.
-- Usage is not release history: it is replaceable by design, so it stays out of the transparency log.
CREATE TABLE token_cost_sample (
    source          TEXT NOT NULL CHECK (source IN ('langfuse-daily', 'langfuse-observation')),
    source_id       TEXT NOT NULL,
    service         TEXT NOT NULL,
    day             TEXT NOT NULL,          -- YYYY-MM-DD (UTC)
    time            TEXT,
    model           TEXT,
    input_tokens    INTEGER NOT NULL CHECK (input_tokens >= 0),
    output_tokens   INTEGER NOT NULL CHECK (output_tokens >= 0),
    total_tokens    INTEGER NOT NULL CHECK (total_tokens >= 0),
    cost_micros     INTEGER NOT NULL CHECK (cost_micros >= 0),
    recorded_at     TEXT NOT NULL,
    PRIMARY KEY (source, source_id)
) WITHOUT ROWID;
CREATE INDEX token_cost_sample_by_day ON token_cost_sample (source, service, day);

-- Per service and day, kept by the triggers below: the cost report reads these, not a million samples.
CREATE TABLE token_daily (
    service         TEXT NOT NULL,
    day             TEXT NOT NULL,
    input_tokens    INTEGER NOT NULL,
    output_tokens   INTEGER NOT NULL,
    total_tokens    INTEGER NOT NULL,
    cost_micros     INTEGER NOT NULL,
    samples         INTEGER NOT NULL,
    PRIMARY KEY (service, day)
) WITHOUT ROWID;

CREATE TRIGGER token_sample_added AFTER INSERT ON token_cost_sample
BEGIN
    INSERT INTO token_daily (service, day, input_tokens, output_tokens, total_tokens, cost_micros, samples)
    VALUES (NEW.service, NEW.day, NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, NEW.cost_micros, 1)
    ON CONFLICT (service, day) DO UPDATE SET input_tokens = input_tokens + NEW.input_tokens,
        output_tokens = output_tokens + NEW.output_tokens, total_tokens = total_tokens + NEW.total_tokens,
        cost_micros = cost_micros + NEW.cost_micros, samples = samples + 1;
END;
CREATE TRIGGER token_sample_removed AFTER DELETE ON token_cost_sample
BEGIN
    UPDATE token_daily SET input_tokens = input_tokens - OLD.input_tokens, output_tokens = output_tokens - OLD.output_tokens,
        total_tokens = total_tokens - OLD.total_tokens, cost_micros = cost_micros - OLD.cost_micros, samples = samples - 1
    WHERE service = OLD.service AND day = OLD.day;
END;
CREATE TRIGGER token_sample_replaced AFTER UPDATE ON token_cost_sample
BEGIN
    UPDATE token_daily SET input_tokens = input_tokens - OLD.input_tokens, output_tokens = output_tokens - OLD.output_tokens,
        total_tokens = total_tokens - OLD.total_tokens, cost_micros = cost_micros - OLD.cost_micros, samples = samples - 1
    WHERE service = OLD.service AND day = OLD.day;
    INSERT INTO token_daily (service, day, input_tokens, output_tokens, total_tokens, cost_micros, samples)
    VALUES (NEW.service, NEW.day, NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, NEW.cost_micros, 1)
    ON CONFLICT (service, day) DO UPDATE SET input_tokens = input_tokens + NEW.input_tokens,
        output_tokens = output_tokens + NEW.output_tokens, total_tokens = total_tokens + NEW.total_tokens,
        cost_micros = cost_micros + NEW.cost_micros, samples = samples + 1;
END;

-- Deploys per service and day, for the same report.
CREATE INDEX deploy_by_start ON deploy (started_at);
