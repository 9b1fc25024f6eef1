-- Log ingestion (Logging service). log_line stays append-only: one INSERT per line, whatever the number of
-- lines before it (the Python PO appended every line to one text column: quadratic in the number of lines).
ALTER TABLE log_line ADD COLUMN source text NOT NULL DEFAULT 'analysis';
-- The client's Idempotency-Key: a retried request with the same key is stored once.
ALTER TABLE log_line ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX ux_log_line_idempotency ON log_line (analysis_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- One row per analysis: what ingestion needs in constant time (the last line for retry detection, the
-- monotonic progress, the reported status) and the lifecycle events already applied. Its row lock
-- serialises the lines of one analysis; different analyses never wait for each other.
CREATE TABLE log_stream (
    analysis_id       text        PRIMARY KEY,
    deployment_name   text,
    last_line_id      bigint      NOT NULL DEFAULT 0,
    last_fingerprint  bytea,
    last_received_at  timestamptz,
    reported_status   text,
    progress          integer     NOT NULL DEFAULT 0,
    -- analysis-reports outbox: a change bumps report_version; the publisher catches report_published up.
    report_version    bigint      NOT NULL DEFAULT 0,
    report_published  bigint      NOT NULL DEFAULT 0,
    event_sequence    bigint      NOT NULL DEFAULT 0,
    event_at          timestamptz,
    lifecycle_status  text,
    deleted           boolean     NOT NULL DEFAULT false,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_log_stream_report_pending ON log_stream (analysis_id) WHERE report_published < report_version;

-- What the Hub should show for each analysis and how far it has been told: the durable outbox of Hub
-- updates. Status and progress are "latest wins" (version/pushed_version); log lines are forwarded in
-- log_line order up to log_cursor. A lease lets several logging replicas share the work without sending twice.
CREATE TABLE hub_sync (
    analysis_id      text        PRIMARY KEY,
    status           text,
    progress         integer     NOT NULL DEFAULT 0,
    version          bigint      NOT NULL DEFAULT 0,
    pushed_version   bigint      NOT NULL DEFAULT 0,
    pushed_status    text,
    pushed_progress  integer,
    analysis_node_id text,
    log_cursor       bigint      NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    attempts         integer     NOT NULL DEFAULT 0,
    lease_until      timestamptz,
    last_error       text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
