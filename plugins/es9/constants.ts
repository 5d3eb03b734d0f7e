export const ES9_PLUGIN_OPTIONS = Symbol('ES9_PLUGIN_OPTIONS');
export const loggerCtx = 'Es9Plugin';
