/** What profiling showed (filled from `node --cpu-prof` and heap snapshots taken while tuning). */
export const PROFILE_NOTES = 'TODO';
