export * from './columns.js';
export * from './table.js';
export * from './tables.js';
export * from './credit-tables.js';
export * from './derive.js';
