-- The incident list's sort orders as indexes (`SqlStore::list_incidents`
-- orders by a tuple of expressions and pages by a row-value comparison):
-- at 100,000 incidents each page sorted every incident. The expressions
-- here are exactly the ones the query writes, so both databases walk the
-- index in order and stop after one page.
CREATE INDEX incidents_list_newest ON incidents ((-key_year), (-key_number), id);
CREATE INDEX incidents_list_oldest ON incidents (key_year, key_number, id);
CREATE INDEX incidents_list_severity ON incidents (severity_rank, (-(key_year * 10000000 + key_number)), id);
CREATE INDEX incidents_list_started_desc ON incidents ((CASE WHEN started_us IS NULL THEN 1 ELSE 0 END), (-COALESCE(started_us, 0)), id);
CREATE INDEX incidents_list_started_asc ON incidents ((CASE WHEN started_us IS NULL THEN 1 ELSE 0 END), (COALESCE(started_us, 0)), id);
