// tar-fs and @balena/dockerignore, loaded on the first build with `await import('./contextLibraries')`
// (see src/gcp/googleAuthLibrary.ts for why not the packages directly).
export { pack } from 'tar-fs';
export { default as dockerignore } from '@balena/dockerignore';
