-- Through what each audit entry's change came (`PATCH /api/v1/incidents/{key}`,
-- `cli: debrief incident edit`, `system: demo`). Covered by the entry's hash
-- when not empty; earlier entries keep '' and their hashes.
ALTER TABLE audit_log ADD COLUMN via TEXT NOT NULL DEFAULT '';
