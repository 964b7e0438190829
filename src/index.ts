// The one library entry: re-exports only. Each part documents itself in docs/.
export * from './errors.js';
export * from './codec/index.js';
export * from './etcd/index.js';
export * from './balance/index.js';
export * from './registration/index.js';
export * from './discovery/index.js';
export * from './store/index.js';
