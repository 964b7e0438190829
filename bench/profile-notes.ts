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
- **Backlog drain.** The earlier 0.1–0.3× came from the bench. The drain's idle time (the
  catalog process busy ~1 s of a 5.4 s drain) was spent waiting for the first event: tracing the
  catalog's watch stream showed its watch-created answer arriving only when the consumer was
  released. \`Catalog.open()\` resolves once the listing is done, while its watch is still being
  created; the bench blocked the consumer right after opening, so etcd created the watch at the
  listed revision after the writer had finished and delivered the whole backlog as one catch-up
  response (20,000 events in three 1.5 MB fragments, 0.4–0.8 s each, applied after the last),
  whereas the bare watcher (whose \`create()\` waits for etcd's answer) got 134 ordinary responses
  from etcd's send buffer and a 6,600-event catch-up. With both consumers proven live first (a
  sentinel write each must see), three alternated drains: rollcall 52,000–53,000 events/s, bare
  watcher 54,000–69,000. What remains is real for a watch that resumes far behind: a catch-up
  arrives as one fragmented response and is applied after its last fragment.
- **Cold sync.** Profile of three opens of 20,000 instances before the change: GC 33 %, decoding
  ~20 % (the two \`JSON.parse\` calls the bare consumer makes, plus validation and key parsing),
  gRPC/protobuf ~15 %, membership ~9 %, idle (waiting for etcd) 10 %. Most of the GC came from
  copying every value out of its page and from keeping it. Now the follower's copy keeps the
  decoded instance (no value bytes), each page is decoded while etcd reads and sends the next one
  (the next page is asked for first, and the request is let out before decoding starts), key and
  address checks take a plain-ASCII fast path, the decoder builds each instance without spread
  copies, and \`added\` is not emitted to nobody. After, 100,000 instances: GC ~13 %, the two
  \`JSON.parse\` calls ~25 %, idle ~13 %; in one process, interleaved (5 rounds, load average
  ~1): open 1.49 s median vs 1.41 s for the bare listing + parse (it was 2.19 s), CPU 1.48 s vs
  1.01 s. The catalog still spends ~1.5× the bare consumer's CPU (validation, two maps, a change
  and an event per instance), which etcd's own work hides on an idle second core but not on a
  loaded machine: at load average 2.5 the same comparison gave 1.3–1.5×. Page sizes side by side
  (100,000 instances, interleaved rounds): 2,000 → 2.6 s, 5,000 → 1.8 s, 10,000 → 1.7 s (bare:
  1.8, 1.4, 1.2 s); 5,000 stays the default: 10,000 gains little and brings a page of larger
  records near gRPC's 4 MB message limit.
- **Memory.** Heap snapshot before (20,000 instances): per instance the raw value bytes (a
  Buffer, ~100 B object + 230–400 B external), the watch layer's record, a membership entry, the
  \`CatalogInstance\` with its optional fields in a separate property array, three Map entries
  and unshared tag arrays. Now the watch layer's copy and the membership hold the same
  \`CatalogInstance\` (KeepPolicy: the follower keeps what its user needs; the Store and the
  Registrar keep whole key-values, the catalog decoded instances), so per instance there is one
  object with all its fields inside, two Map entries, one live-array slot and its key, id,
  address and registeredAt strings; service names, zones, versions, statuses and equal tag lists
  are shared. A relist compares decoded instances (revisions, lease and record), which keeps the
  wiped-etcd case exact without any bytes. The cache file re-encodes instances. Measured after a
  250 ms settle (grpc-js holds a call's last response page until its stream closes): 385 B heap,
  0 external, vs 380 B for the bare consumer (was 713 + 202 B).
- **Propagation.** The earlier figures (p50 1.8×, p99 14×) came from the bench, not from
  rollcall: it ran every rollcall sample, then every raw one, so load changes and GC hit one side
  only (a trace showed a 212 ms pause, left by the cold sync's ~180 MB of garbage, inside the
  rollcall block). The bench now interleaves single writes of both sides after a warm-up and a
  full GC. Stage timing on both sides in one run (1,000 samples each), p50: call → request handed
  to etcd3 0.08–0.11 ms (raw 0.04–0.07); sent → event in the consumer process 1.28–1.70 ms (raw
  1.25–1.68); event → \`added\` emitted 0.11–0.14 ms (raw 0.05–0.06). register() is one
  transaction, as the raw side's one put; the registrar's ownership watch made no measurable
  difference (switched off, within noise). CPU profiles of both processes: grpc-js/HTTP/2 work
  shared by both sides; rollcall's own part before sending ~40 µs (option checks, encoding, a few
  async steps; the record is now encoded once), and after receiving: decoding and validation,
  membership bookkeeping and the listener-isolating emitter.
- **Pickers.** Profiles (\`--cpu-prof\`, \`--trace-deopt\`) of the picker loop at 1,000 and 100,000
  instances, before the rewrite: no deopts and nothing per pick growing with n in random/round
  robin; the cost was a pointer chase to a per-instance record scattered on the heap (a cache
  miss once the records outgrow the cache: 2.2e6 reads/s at 100k against 2.5e7 from a dense
  array); the EDF heap compared records through pointers (a miss per level); \`update()\` spent
  ~60 % in string-keyed Map lookups and building a new 100k Map each time, the rest in a full
  heap rebuild or ring rewrite; the hash ring rewrote all 2 million points when the points per
  weight stepped; and \`Math.random()\` allocated on every pick. Now: picks read dense arrays and
  per-slot typed arrays, the weighted schedule is a flat numeric heap over cohorts, the ring is
  two typed arrays changed in place with a prefix table for lookups (budget 2^20 points), the
  random source is xoshiro128**, and \`update()\` patches sorted candidate arrays by the
  difference. What still grows with n for random at 100,000: one random read from an 800 KB
  array, larger than the 512 KB L2 cache of a core here.`;
