export * from './constants';
export * from './es9.plugin';
export * from './options';
