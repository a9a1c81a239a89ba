-- Events are deleted when their time is up (`--events-kept-days`):
-- found by time, and their deliveries and mail (deleted with them, ON DELETE
-- CASCADE) found by event, not by reading the whole outbox once per event.
CREATE INDEX events_by_time ON events (at);
CREATE INDEX event_deliveries_by_event ON event_deliveries (event_id);
CREATE INDEX mail_outbox_by_event ON mail_outbox (event_id);
