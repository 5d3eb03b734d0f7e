export * from './distance';
export * from './types';
