// The balance module's public surface: the picker contract, the strategies and the factory.
export type {
  CreatePickerOptions,
  InstanceHandle,
  NoInstanceReason,
  OutlierOptions,
  PanicInfo,
  Picker,
  PickerFilter,
  PickerOptions,
  PickerStrategy,
} from './picker.js';
export { PICKER_STRATEGIES } from './picker.js';
export { DEFAULT_OUTLIER_OPTIONS } from './picker-options.js';
export { createPicker, DEFAULT_PICKER_STRATEGY } from './create-picker.js';
export { RandomPicker } from './random-picker.js';
export { RoundRobinPicker } from './round-robin-picker.js';
export { WeightedPicker } from './weighted-picker.js';
export { LeastLoadedPicker } from './least-loaded-picker.js';
export { HashPicker } from './hash-picker.js';
