export const DRIVER_DISPATCH_PLUGIN_OPTIONS = Symbol('DRIVER_DISPATCH_PLUGIN_OPTIONS');
export const loggerCtx = 'DriverDispatchPlugin';
