export { RangeFollower, type RangeChange, type ChangeBatch, type BatchCause, type ResyncReason, type FollowerState, type RangeFollowerOptions, type RangeFollowerEvents } from './range-follower.js';
export { prefixRange, singleKeyRange, prefixEnd, rangeContains, type KeyRange } from './key-range.js';
export { listRange, historyMatches, DEFAULT_PAGE_SIZE, type RangeListing, type RangeRead, type RangeReadOptions } from './list-range.js';
export { toWatchedKV, sameKV, type WatchedKV } from './watched-kv.js';
export { WatchSession, type WatchEnd } from './watch-session.js';
