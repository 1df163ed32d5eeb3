// Pub/Sub Admin (topics), loaded on first use; the deep import leaves the subscriber and schema clients out.
export { PublisherClient } from '@google-cloud/pubsub-api/build/src/v1/publisher_client';
