export * from './controls/core/control';
export * from './controls/core/pss-version';
export * from './controls/controls';
