-- Delete and retention (docs/compatibility.md#delete-and-retention). A deleted analysis keeps its log_stream row
-- as a tombstone (late lines of its pod are refused); purged_at records when its log lines and Hub rows were
-- removed, and is cleared again when the analysis id is created anew.
ALTER TABLE log_stream ADD COLUMN purged_at timestamptz;
CREATE INDEX ix_log_stream_to_purge ON log_stream (analysis_id) WHERE deleted AND purged_at IS NULL;
CREATE INDEX ix_log_stream_purged ON log_stream (purged_at) WHERE deleted AND purged_at IS NOT NULL;
-- The age sweeps of LOG_RETENTION_DAYS and ARCHIVE_RETENTION_DAYS.
CREATE INDEX ix_log_line_logged_at ON log_line (logged_at);
CREATE INDEX ix_archive_archived_at ON archive (archived_at);
