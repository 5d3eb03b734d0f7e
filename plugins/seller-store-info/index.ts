export * from './constants';
export * from './options';
export * from './seller-store-info.plugin';
export * from './types';
