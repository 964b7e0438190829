/**
 * What profiling showed, written by hand from `node --cpu-prof`-style profiles (inspector
 * Profiler) and heap snapshots taken on this machine while tuning (2026-11-30, under the same
 * shared load as the run). Rendered into docs/benchmarks.md under the measured figures.
 */
export const PROFILE_NOTES = `Profiles taken on this machine while tuning (inspector CPU profiles and a heap snapshot;
same shared load as the run above). They explain the goals that are missed.

- **Catalog batches (goal met).** Before: ~75 % of batch CPU was \`Membership.list\` plus a sort,
  for every service a batch touched. Now each service's live array is patched per change (binary
  search + splice, copy on write for readers), services without pickers are skipped, and catalog
  pickers rebuild at their next use. One event on a 10,000-instance service now costs about what
  the bare consumer pays (CPU per event row), and a picker no longer costs a rebuild per batch
  (live-burst row "with a picker").
- **Backlog drain (missed, 0.1× raw).** Profile of a drain of 20,000 queued events over 10,000
  instances: the drain took 5.4 s of wall time but the catalog process was busy only ~1.0 s of
  it (decode 34 % of that: the envelope and Metadata \`JSON.parse\`; gRPC/protobuf decoding 16 %;
  GC 13 %; membership 4 %; events 8 %); the bare etcd3 watcher drained the same backlog in 0.6 s.
  So the gap is in how fast the events arrive on the catalog's shared watch stream after the
  consumer was blocked, not in catalog CPU. Without the profiler, twice: the catalog drained in
  2.7 and 3.1 s using 0.48 s of CPU; the bare watcher in 0.34 and 0.41 s using 0.27–0.31 s. A
  trial with the watch's \`fragment\` option off did not finish draining at all, so that option
  is not the fix. Not investigated further here: src/watch (shared-watch-stream, watch-session)
  is where the delivery happens.
- **Cold sync (missed, see ratio).** Profile of three opens of 20,000 instances (pages of 5,000):
  decoding 21 % (the same two \`JSON.parse\` calls the bare consumer makes, plus validation and key
  parsing), gRPC/protobuf deserialisation 20 % (of which Long-to-string of revisions 6 %), GC 15 %,
  membership maps and objects ~10 %, the follower's snapshot/diff ~4 %, events ~3 %. While tuning
  (20,000 instances, two runs) pages of 5,000 took about half the time of pages of 1,000
  (1,600 → 750 ms and 830 → 460 ms), so the default is now 5,000; in the final run above, under a
  load average near 30, the page sizes came out within noise of each other. The rest is
  per-instance work the bare consumer does not do (validation, three maps, an \`added\` event per
  instance).
- **Memory (missed).** Heap snapshot of a catalog holding 10,000 instances: per instance the
  catalog keeps the raw value bytes (a Buffer copied out of the response page, ~230 B external +
  the Buffer object) in the watch layer's key-value record, which the follower's snapshot (for
  relist diffs) and the cache file need; plus that record, the membership entry, the
  \`CatalogInstance\` (one fixed-shape literal now, no spread copy), three Map entries (follower
  snapshot, membership, service group) and its key/id/address/registeredAt strings. The bare
  consumer keeps one parsed object in one Map. Getting under 1.5× needs the watch layer to stop
  keeping the value bytes (compare revisions, re-encode for the cache file).
- **Propagation (missed: p50 1.8–5× raw over four full runs).** In a separate in-process check
  (40 samples) register() → \`added\` took 2–3 ms and a bare lease put → event ~2 ms: the catalog
  side adds little. Across processes on this loaded machine (load average 9–20 on 2 cores) the
  rollcall side varied from 4 to 8 ms at p50 between runs and p90/p99 are dominated by scheduling
  delays. register() is a conditional transaction plus the registrar's own bookkeeping where the
  raw side does one plain put; that path (src/registration) was not profiled here.
- **Pickers (partly missed).** Picks are allocation-free and flat-ish in n for hash (ring, binary
  search). \`update()\` is O(n log n): 0.4–1.2 s at 100,000 instances under this load, which is why
  catalog pickers now defer it. The hash ring keeps ~2 million points once the total weight
  passes 2,048, and a change of total weight changes every instance's point count, so one weight
  change rebuilds the whole ring (~300 ms at 1,000 instances here). Round-robin/random picks at
  100,000 measured well below their 1,000-instance rate in this run; not profiled (cache misses
  and the shared CPU are the likely causes).`;
