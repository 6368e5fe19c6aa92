export { createDockerRuntime, DockerRuntime, type DockerRuntimeOptions } from './docker-runtime.js';
