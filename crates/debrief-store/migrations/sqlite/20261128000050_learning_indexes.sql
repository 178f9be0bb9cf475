-- Indexes the learning queries need at 100,000 incidents (PRODUCT.md §9,
-- `cargo xtask bench learning`).
--
-- Restricted incidents are few: a partial index lets the hidden-incidents
-- lookup a non-admin's dashboard makes (`hidden_incident_keys`) read only
-- them instead of scanning every incident.
CREATE INDEX incidents_restricted ON incidents (id) WHERE restricted = 1;
