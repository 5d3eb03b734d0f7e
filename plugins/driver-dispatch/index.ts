export * from './api/error-results';
export * from './constants';
export * from './driver-dispatch.plugin';
export * from './entities/driver.entity';
export * from './options';
export * from './services/driver.service';
export * from './services/driver-location.service';
export * from './types';
