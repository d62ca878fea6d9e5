#![doc = include_str!("../README.md")]
#![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]

include!(concat!(env!("OUT_DIR"), "/fix44.rs"));
