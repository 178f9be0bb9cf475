//! Unit tests of the linter (placeholder until written).
