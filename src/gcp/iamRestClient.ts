// IAM v1 (service accounts) over REST: there is no gRPC Node client for it. Loaded on first use by the setup
// wizard; the deep import leaves IAM v2/v2beta out of the bundle.
export { iam_v1 } from '@googleapis/iam/build/v1';
