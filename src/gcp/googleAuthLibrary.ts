// google-auth-library, loaded on first use with `await import('./googleAuthLibrary')`. Importing the package
// itself dynamically would not do: the bundle's chunk of a CommonJS package has only a default export, so
// its named exports are reached through this module's static import.
export { GoogleAuth, PassThroughClient, UserRefreshClient } from 'google-auth-library';
