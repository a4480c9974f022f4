/** Discovery: templating, declared APIs, classification, flags, export. See docs/discovery.md. */
export * from './classify.js';
export * from './declared.js';
export * from './openapi-export.js';
export * from './segments.js';
export * from './sensitive.js';
export * from './template.js';
export * from './templater.js';
