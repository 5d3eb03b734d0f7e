/**
 * @description
 * Options of the customer notifications (`DriverDispatchPluginOptions.customerNotifications`): what
 * the delivery emails of `plugins/driver-dispatch/emails` (and any other channel that listens to
 * {@link DeliveryNotificationEvent}) are told about.
 */
export interface CustomerNotificationOptions {
    /**
     * @description
     * Publish a {@link DeliveryNotificationEvent} for the customer when a driver is assigned, picks
     * the order up, delivers it or could not deliver it, once per delivery, step, attempt and
     * driver (a row
     * in `delivery_notification` decides which process publishes it). Off: no event, no row.
     *
     * @default true
     */
    enabled?: boolean;
}

export const defaultCustomerNotificationOptions: Required<CustomerNotificationOptions> = {
    enabled: true,
};
