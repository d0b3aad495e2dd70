export * from './types.js';
export * from './formats.js';
