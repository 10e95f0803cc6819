/** The Wayback Machine: CDX index, raw captures, and the politeness rules every request obeys. */
export * from './cdx.js';
export * from './client.js';
export * from './clock.js';
export * from './politeness.js';
