/**
 * The suite's operations as the matrices send them, over raw HTTP (the matrices read the status and
 * the whole body, so these are strings rather than parsed documents). Each selects enough to tell
 * an answer from a refusal.
 */

const ACTION_RESULT = `__typename
    ... on DeliveryAssignment { id status }
    ... on ErrorResult { errorCode message }`;

const LOCATION_RESULT = `__typename
    ... on DeliveryLocation { latitude longitude postalCode countryCode }
    ... on ErrorResult { errorCode message }`;

export const SHOP = {
    setDeliveryLocation: `mutation SetDeliveryLocation($input: DeliveryLocationInput!) {
        setDeliveryLocation(input: $input) { ${LOCATION_RESULT} } }`,
    activeDeliveryLocation: `query { activeDeliveryLocation { latitude longitude postalCode countryCode } }`,
    nearbyStores: `query NearbyStores($location: DeliveryLocationInput) {
        nearbyStores(location: $location) { stockLocationId name distanceKm } }`,
    deliveryAvailability: `query DeliveryAvailability($ids: [ID!]!, $location: DeliveryLocationInput) {
        deliveryAvailability(productVariantIds: $ids, location: $location) {
            productVariantId fastDelivery nearestStoreDistanceKm stockLocationId } }`,
    search: `query Search($location: DeliveryLocationInput) {
        search(input: { take: 5, groupByProduct: false, deliveryLocation: $location }) {
            totalItems items { productVariantId fastDelivery nearestStoreDistanceKm } } }`,
    deliveryTracking: `query DeliveryTracking($orderCode: String!) {
        deliveryTracking(orderCode: $orderCode) { orderCode status driverName deliveryCode } }`,
    orderByCode: `query OrderByCode($code: String!) { orderByCode(code: $code) { id code } }`,
    setOrderCustomFields: `mutation SetOrderCustomFields($input: UpdateOrderInput!) {
        setOrderCustomFields(input: $input) {
            __typename ... on Order { id customFields { deliveryInstructions } } ... on ErrorResult { errorCode message } } }`,
};

const DRIVER_FIELDS = 'id name phoneNumber emailAddress status enabled latitude longitude lastSeenAt';

export const ADMIN = {
    deliveryWebhooks: `query DeliveryWebhooks($options: DeliveryWebhookListOptions) {
        deliveryWebhooks(options: $options) { totalItems items { id url events enabled failing } } }`,
    deliveryWebhook: `query DeliveryWebhook($id: ID!) { deliveryWebhook(id: $id) { id url events enabled } }`,
    createDeliveryWebhook: `mutation CreateDeliveryWebhook($input: CreateDeliveryWebhookInput!) {
        createDeliveryWebhook(input: $input) { id url events enabled } }`,
    updateDeliveryWebhook: `mutation UpdateDeliveryWebhook($input: UpdateDeliveryWebhookInput!) {
        updateDeliveryWebhook(input: $input) { id url events enabled } }`,
    deleteDeliveryWebhook: `mutation DeleteDeliveryWebhook($id: ID!) { deleteDeliveryWebhook(id: $id) { result message } }`,
    drivers: `query Drivers($options: DriverListOptions) {
        drivers(options: $options) { totalItems items { ${DRIVER_FIELDS} } } }`,
    driver: `query Driver($id: ID!) { driver(id: $id) { ${DRIVER_FIELDS} } }`,
    activeDriver: `query { activeDriver { ${DRIVER_FIELDS} } }`,
    createDriver: `mutation CreateDriver($input: CreateDriverInput!) { createDriver(input: $input) { id name } }`,
    updateDriver: `mutation UpdateDriver($input: UpdateDriverInput!) { updateDriver(input: $input) { id name } }`,
    deleteDriver: `mutation DeleteDriver($id: ID!) { deleteDriver(id: $id) { result message } }`,
    updateDriverLocation: `mutation Ping($latitude: Float!, $longitude: Float!) {
        updateDriverLocation(latitude: $latitude, longitude: $longitude) { id latitude longitude } }`,
    setDriverStatus: `mutation SetDriverStatus($status: DriverStatus!) {
        setDriverStatus(status: $status) { __typename ... on Driver { id status } ... on ErrorResult { message } } }`,
    deliveryAssignments: `query DeliveryAssignments($options: DeliveryAssignmentListOptions) {
        deliveryAssignments(options: $options) { totalItems items { id status } } }`,
    deliveryAssignment: `query DeliveryAssignment($id: ID!) { deliveryAssignment(id: $id) { id status } }`,
    deliveryAssignmentForOrder: `query DeliveryAssignmentForOrder($orderId: ID!) {
        deliveryAssignmentForOrder(orderId: $orderId) { id status } }`,
    dispatchStats: `query { dispatchStats { availableDrivers busyDrivers pendingAssignments activeAssignments delayedAssignments } }`,
    deliveryInsights: `query DeliveryInsights($input: DeliveryInsightsInput!) {
        deliveryInsights(input: $input) { deliveries delivered delayed readyToDelivered { medianSeconds } volume { start ready } } }`,
    markOrderReadyForDispatch: `mutation MarkReady($orderId: ID!) {
        markOrderReadyForDispatch(orderId: $orderId) { ${ACTION_RESULT} } }`,
    reassignDelivery: `mutation Reassign($assignmentId: ID!, $driverId: ID) {
        reassignDelivery(assignmentId: $assignmentId, driverId: $driverId) { ${ACTION_RESULT} } }`,
    cancelDelivery: `mutation Cancel($assignmentId: ID!, $reason: String) {
        cancelDelivery(assignmentId: $assignmentId, reason: $reason) { ${ACTION_RESULT} } }`,
    retryDelivery: `mutation Retry($assignmentId: ID!) {
        retryDelivery(assignmentId: $assignmentId) { ${ACTION_RESULT} } }`,
    confirmPickup: `mutation ConfirmPickup($assignmentId: ID!) {
        confirmPickup(assignmentId: $assignmentId) { ${ACTION_RESULT} } }`,
    confirmDelivery: `mutation ConfirmDelivery($assignmentId: ID!, $code: String) {
        confirmDelivery(assignmentId: $assignmentId, code: $code) { ${ACTION_RESULT} } }`,
    declineDelivery: `mutation Decline($assignmentId: ID!, $reason: String) {
        declineDelivery(assignmentId: $assignmentId, reason: $reason) { ${ACTION_RESULT} } }`,
    reportDeliveryFailed: `mutation ReportFailed($assignmentId: ID!, $reasonCode: String!, $note: String) {
        reportDeliveryFailed(assignmentId: $assignmentId, reasonCode: $reasonCode, note: $note) { ${ACTION_RESULT} } }`,
    activeDriverAssignment: `query { activeDriverAssignment {
        assignmentId status pickupStoreName dropoffAddress deliveryInstructions } }`,
    setOrderCustomFields: `mutation SetOrderCustomFields($input: UpdateOrderInput!) {
        setOrderCustomFields(input: $input) { id customFields { deliveryInstructions } } }`,
    storeLocatorStats: `query { storeLocatorStats { indexedStores lookups } }`,
    // Seller verification.
    sellers: `query { sellers(options: { take: 10 }) { items { id verified } } }`,
    verifySeller: `mutation VerifySeller($sellerId: ID!) { verifySeller(sellerId: $sellerId) { __typename
        ... on Seller { id verified } ... on ErrorResult { errorCode message } } }`,
    unverifySeller: `mutation UnverifySeller($sellerId: ID!, $reason: String!) {
        unverifySeller(sellerId: $sellerId, reason: $reason) { __typename
        ... on Seller { id verified } ... on ErrorResult { errorCode message } } }`,
    mapTileSettings: `query { mapTileSettings { url attribution } }`,
    search: `query Search($location: DeliveryLocationInput) {
        search(input: { take: 5, groupByProduct: false, deliveryLocation: $location }) {
            totalItems items { productVariantId fastDelivery nearestStoreDistanceKm } } }`,
    createStockLocation: `mutation CreateStockLocation($input: CreateStockLocationInput!) {
        createStockLocation(input: $input) { id name customFields { latitude longitude postalCode } } }`,
    updateStockLocation: `mutation UpdateStockLocation($input: UpdateStockLocationInput!) {
        updateStockLocation(input: $input) { id name customFields { latitude longitude postalCode } } }`,
    createShippingMethod: `mutation CreateShippingMethod($input: CreateShippingMethodInput!) {
        createShippingMethod(input: $input) { id code calculator { code args { name value } } } }`,
    updateShippingMethod: `mutation UpdateShippingMethod($input: UpdateShippingMethodInput!) {
        updateShippingMethod(input: $input) { id code calculator { code args { name value } } } }`,

    /** Field level: what staff see of the driver on a delivery. */
    // One field group per query: a refused non-null field (emailAddress) nulls the whole driver.
    assignmentDriverPosition: `query AssignmentDriver($id: ID!) { deliveryAssignment(id: $id) {
        id driver { id latitude longitude lastSeenAt } } }`,
    assignmentDriverPhone: `query AssignmentDriver($id: ID!) { deliveryAssignment(id: $id) {
        id driver { id phoneNumber } } }`,
    assignmentDriverEmail: `query AssignmentDriver($id: ID!) { deliveryAssignment(id: $id) {
        id driver { id emailAddress } } }`,
    assignmentsDrivers: `query { deliveryAssignments(options: { take: 100 }) { items { id driver { id } } } }`,
    assignmentsDriverPhones: `query { deliveryAssignments(options: { take: 100 }) {
        items { id driver { id phoneNumber } } } }`,
    assignmentsDriverEmails: `query { deliveryAssignments(options: { take: 100 }) {
        items { id driver { id emailAddress } } } }`,
    /** The order code case: what a driver may know of the order. */
    driverViewReference: `query { activeDriverAssignment { assignmentId deliveryReference } }`,
    driverViewOrderCode: `query { activeDriverAssignment { assignmentId orderCode } }`,
    driverOwnAssignmentOrder: `query { activeDriver { activeAssignment { id order { code } } } }`,
    assignmentReference: `query AssignmentReference($id: ID!) { deliveryAssignment(id: $id) { id deliveryReference } }`,
};
