// google-gax's own grpc (a second @grpc/grpc-js would reject its credentials), loaded on first use with
// `await import('./gaxGrpc')`; see googleAuthLibrary.ts for why not `import('google-gax')` directly.
export { grpc } from 'google-gax';
