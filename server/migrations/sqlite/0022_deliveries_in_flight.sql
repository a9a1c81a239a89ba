-- A destination gets one delivery at a time, and a delivery waiting for
-- its retry holds back none after it: whether one of the destination's is
-- in flight (leased) is asked for every delivery due, so by index.
CREATE INDEX event_deliveries_in_flight ON event_deliveries (destination_id, status, lease_until);
