-- Every training run of the tag classifier, kept whatever its outcome, so moderators can see the
-- model's history and the retrain job can compare a challenger with the champion.
CREATE TABLE model_versions (
    id              INTEGER PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    -- training → champion | rejected | failed. A champion replaced by a better one becomes 'retired'.
    status          TEXT    NOT NULL CHECK (status IN ('training', 'champion', 'challenger', 'rejected', 'failed', 'retired')),
    -- What started the run: the schedule, a moderator's "Retrain now", or the CLI.
    trigger         TEXT    NOT NULL,
    examples        INTEGER NOT NULL DEFAULT 0,
    tags            INTEGER NOT NULL DEFAULT 0,
    negative_labels INTEGER NOT NULL DEFAULT 0,
    hyperparameters TEXT    NOT NULL DEFAULT '{}',
    -- Metrics JSON on the held-out split (micro/macro F1, P@1, per-tag P/R/F1).
    metrics         TEXT,
    micro_f1        REAL,
    -- The champion's micro-F1 on the same held-out split, measured when this run was judged.
    champion_micro_f1 REAL,
    train_seconds   REAL,
    error           TEXT,
    weights         BLOB
);
-- One champion at most: promotion demotes the old one in the same transaction.
CREATE UNIQUE INDEX model_versions_one_champion ON model_versions(status) WHERE status = 'champion';

-- "Retrain now" presses waiting for the retrain job.
CREATE TABLE retrain_requests (
    id           INTEGER PRIMARY KEY,
    requested_by INTEGER REFERENCES users(id),
    requested_at INTEGER NOT NULL,
    handled_at   INTEGER
);

-- The review queue lists suggestions by confidence.
CREATE INDEX topic_tags_suggested ON topic_tags(status, confidence) WHERE status = 'suggested';
