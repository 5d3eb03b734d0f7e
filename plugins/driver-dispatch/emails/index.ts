// The delivery emails: needs @vendure/email-plugin. Not re-exported by the plugin's index.ts, so a
// shop without the email plugin can use driver-dispatch unchanged (see the plugin README).
export * from './delivery-email-handlers';
export * from './delivery-email-template-loader';
export * from './mock-delivery-notification-event';
