// kubelite's kubelet: the node agent. See README.md.
export { createKubelet, type Kubelet } from './kubelet.js';
export type { KubeletOptions } from './options.js';
export { type BackoffPolicy, defaultRestartBackoff } from './pod/crash-backoff.js';
