export * from './config/aggregate-order-process';
export * from './config/instant-payment-handler';
export * from './config/seller-order-seller-strategy';
export * from './config/seller-shipping-eligibility-checker';
export * from './constants';
export * from './marketplace.plugin';
