export { createProcessRuntime, ProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.js';
