export * from './config.js';
export * from './schemas/index.js';
