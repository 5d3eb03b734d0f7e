export * from './api/dispatch-live-events';
export * from './api/error-results';
export * from './api/thrown-errors';
export * from './config/dispatch-sweep-task';
export * from './config/local-courier-fulfillment-handler';
export * from './constants';
export * from './driver-dispatch.plugin';
export * from './entities/delivery-assignment.entity';
export * from './entities/delivery-event.entity';
export * from './entities/driver.entity';
export * from './events/delivery-assigned-event';
export * from './events/delivery-delayed-event';
export * from './events/delivery-status-event';
export * from './events/driver-access-revoked-event';
export * from './events/driver-available-event';
export * from './events/driver-location-event';
export * from './events/driver-status-event';
export * from './options';
export * from './services/batch-dispatch.service';
export * from './services/batch-plan';
export * from './services/delivery-code';
export * from './services/delivery-delay';
export * from './services/delivery-delay.service';
export * from './services/delivery-insights';
export * from './services/delivery-insights.service';
export * from './services/delivery-lifecycle.service';
export * from './services/delivery-matcher.service';
export * from './services/delivery-tracking.service';
export * from './services/demo-fleet.service';
export * from './services/dispatch.service';
export * from './services/dispatch-event-stream.service';
export * from './services/dispatch-sweep.service';
export * from './services/driver.service';
export * from './services/driver-location.service';
export type {
    LiveClientRequest,
    LiveEndReason,
    LiveEventSink,
    LiveRefusal,
} from './services/live-event-sink';
export * from './services/ping-batcher.service';
export * from './services/ping-rate-limiter.service';
export * from './strategies/dispatch-event-log/dispatch-event-log';
export * from './strategies/dispatch-event-log/in-memory-dispatch-event-log';
export * from './strategies/dispatch-event-log/redis-dispatch-event-log';
export * from './strategies/driver-location-index/driver-location-index';
export * from './strategies/driver-location-index/redis-driver-location-index';
export * from './strategies/driver-location-index/sql-driver-location-index';
export * from './types';
export * from './webhooks/delivery-webhook.entity';
export * from './webhooks/delivery-webhook.service';
export * from './webhooks/delivery-webhook-message.entity';
export * from './webhooks/webhook-events';
export * from './webhooks/webhook-options';
export * from './webhooks/webhook-outbox.service';
export * from './webhooks/webhook-signature';
export * from './webhooks/webhook-target';
