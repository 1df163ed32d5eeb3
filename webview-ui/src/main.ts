// Placeholder entry so the webview bundle exists; replaced below.
export {};
