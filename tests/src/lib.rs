//! Workspace-level integration tests live in `tests/tests/`.

pub mod acceptance;
pub mod engine;
