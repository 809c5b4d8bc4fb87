export * from './template.js';
export * from './aging.js';
export * from './targets.js';
export * from './functions.js';
export * from './project.js';
export * from './graph.js';
export * from './compile.js';
