export { RangeFollower, type RangeChange, type ChangeBatch, type BatchCause, type ResyncReason, type FollowerState, type RangeFollowerOptions, type RangeFollowerEvents } from './range-follower.js';
export { prefixRange, singleKeyRange, prefixEnd, rangeContains, type KeyRange } from './key-range.js';
export { listRange, historyMatches, DEFAULT_PAGE_SIZE, type RangeListing, type RangeRead, type RangeReadOptions } from './list-range.js';
export { toWatchedKV, sameKV, type WatchedKV } from './watched-kv.js';
export { KEEP_VALUES, KEEP_FINGERPRINTS, fingerprintKV, type KeepPolicy, type KeptKV, type KVFingerprint } from './kept-kv.js';
export { WatchSession, type WatchEnd } from './watch-session.js';
