import gql from 'graphql-tag';

/** `deliveryInsights`: the dashboard's delivery charts, aggregated in SQL. */
export const deliveryInsightsApiExtensions = gql`
    enum DeliveryInsightsBucket {
        HOUR
        DAY
    }

    input DeliveryInsightsInput {
        "Start of the period (inclusive), of the time deliveries were marked ready."
        from: DateTime!
        "End of the period (exclusive); at most 31 days after from."
        to: DateTime!
        "Size of the volume buckets (UTC hours or days); default HOUR."
        bucket: DeliveryInsightsBucket
    }

    "Median and 90th percentile of a duration over count deliveries; null when count is 0."
    type DeliveryDurationSummary {
        count: Int!
        medianSeconds: Float
        p90Seconds: Float
    }

    "Deliveries made ready in one bucket, and how many of them are DELIVERED."
    type DeliveryVolume {
        start: DateTime!
        ready: Int!
        delivered: Int!
    }

    type DriverStatusCount {
        status: DriverStatus!
        count: Int!
    }

    type DeliveryInsights {
        from: DateTime!
        to: DateTime!
        bucket: DeliveryInsightsBucket!
        "Deliveries of the active channel made ready in the period; the counts below are of these."
        deliveries: Int!
        delivered: Int!
        "Now FAILED (not retried)."
        failed: Int!
        cancelled: Int!
        "Alerted as delayed in either stage (DeliveryDelayedEvent)."
        delayed: Int!
        "From ready to the (latest) driver assignment."
        readyToAssigned: DeliveryDurationSummary!
        "From ready to DELIVERED, over the delivered ones."
        readyToDelivered: DeliveryDurationSummary!
        "The plugin's deliveryTargetMinutes."
        targetMinutes: Float!
        "Share (0 to 1) of the delivered ones delivered within targetMinutes of ready; null when none was delivered."
        deliveredWithinTarget: Float
        "One entry per bucket of the period, empty ones included."
        volume: [DeliveryVolume!]!
        "Enabled drivers by status, now (not over the period)."
        driversByStatus: [DriverStatusCount!]!
    }

    extend type Query {
        "Delivery times and volumes over a period of at most 31 days (ManageDispatch)."
        deliveryInsights(input: DeliveryInsightsInput!): DeliveryInsights!
    }
`;
