// Cloud Billing v1, loaded on first use by the setup wizard; the deep import leaves the Catalog API out.
export { CloudBillingClient } from '@google-cloud/billing/build/src/v1/cloud_billing_client';
