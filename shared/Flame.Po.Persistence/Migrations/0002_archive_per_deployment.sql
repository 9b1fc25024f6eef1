-- One archive row per deployment: archiving is idempotent when two reconcilers or a retry after a crash
-- archive the same deployment.
CREATE UNIQUE INDEX ux_archive_deployment ON archive (analysis_id, deployment_name);
