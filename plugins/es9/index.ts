export * from './adapter/delivery-search-adapter';
export * from './constants';
export * from './es9.plugin';
export * from './es9-search-plugins';
export * from './options';
export * from './search/delivery-scopes';
export * from './search/delivery-search-query';
