//! One pool of worker threads for everything: polars' own. The loader, the frames and
//! the report run their parallel work on it rather than on rayon's global pool, so that
//! no second pool's threads sit idle holding what their allocator heaps freed, and
//! `POLARS_MAX_THREADS` sets how many cores all of it uses.

/// Runs `op` on polars' thread pool: rayon's `join`, `spawn` and parallel iterators
/// inside it use that pool (`op` runs in place when already on it).
pub(crate) fn on_polars_pool<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    polars_core::runtime::RAYON.install(op)
}
