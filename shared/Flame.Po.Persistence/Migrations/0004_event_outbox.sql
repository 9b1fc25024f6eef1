-- The embedded pub/sub (--target all): every published message is stored here before the publisher goes
-- on, and delivered from here to the subscription routes the host announces on GET /dapr/subscribe, at
-- least once, also after a crash. pending_routes is null until the first delivery attempt decides which
-- subscriptions the message goes to; a route leaves the list when its subscriber answers SUCCESS or DROP.
CREATE TABLE event_outbox (
    id               bigserial   PRIMARY KEY,
    message_id       text        NOT NULL,
    topic            text        NOT NULL,
    message          jsonb       NOT NULL,
    pending_routes   text[],
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_event_outbox_due ON event_outbox (next_attempt_at);
