export * from './constants';
export * from './driver-dispatch.plugin';
export * from './options';
