// The one library entry: re-exports only. Each part documents itself in docs/.
export * from './errors.js';
export * from './codec/instance.js';
